// Admin-session helpers for page tests on the admin listener. Placeholders until the login work
// (POST /admin/login, /admin/login/totp, setup POST) is merged: they fail loudly instead of
// pretending, so a test that needs a session cannot pass by accident.
//
// Intended shape (fill in when the routes exist; docs/admin.md "Seams for the login work"):
//   const admin = await createFirstAdmin(server);   // `soko-server admin-setup-token`, /admin/setup
//   await loginAsAdmin(page, server, admin);         // password, then a TOTP code from admin.seed
//                                                    // (RFC 6238 SHA1/6/30, REQUIREMENTS.md §3)

export async function createFirstAdmin(server) {
  void server;
  throw new Error('createFirstAdmin: not implemented yet (needs the setup POST of the login work)');
}

export async function loginAsAdmin(page, server, admin) {
  void page; void server; void admin;
  throw new Error('loginAsAdmin: not implemented yet (needs POST /admin/login and /admin/login/totp)');
}
