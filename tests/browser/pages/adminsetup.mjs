// First run and signing in, in a real browser (REQUIREMENTS.md R05, R07, R08, R11, R16, R17, R25):
// the setup password from `soko-server admin-setup-token` creates the first administrator, TOTP
// enrollment shows the secret and a server-drawn QR code, ten recovery codes are shown once; then
// /admin/setup is gone, a fresh browser signs in with password + TOTP, the session cookie is
// __Host-, Secure, HttpOnly, SameSite=Strict, the same TOTP code is refused the second time, and a
// cross-site form POST (Origin https://evil.example) is refused with 403 and changes nothing.
import { openPage, screenshot } from '../lib/browser.mjs';
import { expectEqual, expectMatch, expectTrue } from '../lib/expect.mjs';
import { loginAsAdmin, runSetup, totpAt } from '../lib/admin.mjs';

const EVIL_ORIGIN = 'https://evil.example';

export default {
  name: 'admin-setup',
  listener: 'admin',
  async run({ browser, server }) {
    const problems = [];
    if (server.admin) throw new Error('admin-setup must run before any test that creates the first admin');

    // 1. First run, with screenshots of each step.
    const first = await openPage(browser);
    const admin = await runSetup(first.page, server, async (step) => {
      const saved = await screenshot(first.page, `admin-${step}`);
      if (saved) console.log(`     screenshot: ${saved}`);
    });
    server.admin = admin;
    await first.page.click('a[href="/admin/"]');
    expectEqual(new URL(first.page.url()).pathname, '/admin/', 'dashboard after enrollment');
    problems.push(...first.problems);
    await first.context.close();

    const gone = await fetchStatus(browser, server.url('admin', '/admin/setup'));
    expectEqual(gone, 404, 'GET /admin/setup once an administrator exists (R05)');

    // 2. Sign in from a fresh browser.
    const second = await openPage(browser);
    const { page, context } = second;
    await loginAsAdmin(page, server, admin);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === '__Host-sid');
    expectTrue(session, '__Host-sid cookie after TOTP');
    expectEqual(session.secure && session.httpOnly && session.sameSite === 'Strict' && session.path === '/', true,
      '__Host-sid is Secure, HttpOnly, SameSite=Strict, Path=/ (R17)');
    expectMatch(session.value, /^[A-Za-z0-9_-]{43}$/, 'session token of 256 bits (R16)');
    expectEqual(await page.locator('header').getByText(admin.username).count() >= 1, true, 'user name in the header');
    const saved = await screenshot(page, 'admin-dashboard');
    if (saved) console.log(`     screenshot: ${saved}`);

    // 3. The code just used is refused on a second sign-in (R11), whatever the clock says.
    const third = await openPage(browser);
    await third.page.goto(server.url('admin', '/admin/login'), { waitUntil: 'load' });
    await third.page.fill('input[name="username"]', admin.username);
    await third.page.fill('input[name="password"]', admin.password);
    await Promise.all([third.page.waitForURL(/\/admin\/login\/totp/),
      third.page.click('form[action="/admin/login"] button[type="submit"]')]);
    const [replayed] = await Promise.all([
      third.page.waitForResponse((response) => response.request().method() === 'POST'),
      third.page.fill('input[name="code"]', totpAt(admin.seed, admin.lastStep))
        .then(() => third.page.click('form[action="/admin/login/totp"] button[type="submit"]')),
    ]);
    expectEqual(replayed.status(), 401, 'the same TOTP code a second time (R11)');
    const dashboard = await third.page.goto(server.url('admin', '/admin/'), { waitUntil: 'load' });
    expectEqual(new URL(third.page.url()).pathname, '/admin/login', 'no full session after a replayed code');
    expectEqual(dashboard.status(), 200, 'the login page after the redirect');
    await third.context.close();

    // 4. A cross-site POST from another origin, with the user's cookie jar: refused, nothing changed.
    await page.route(`${EVIL_ORIGIN}/**`, (route) => route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: `<!DOCTYPE html><form id="f" method="post" action="${server.url('admin', '/admin/logout')}">`
        + '<input name="csrf" value="guess"></form><script>document.getElementById("f").submit()</script>',
    }));
    const [refused] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/admin/logout')),
      page.goto(`${EVIL_ORIGIN}/attack.html`),
    ]);
    expectEqual(refused.status(), 403, 'cross-site POST /admin/logout (R25)');
    const refusedBody = await refused.text();
    expectTrue(!refusedBody.includes(admin.username), 'the refusal page does not show the session user');
    await page.unroute(`${EVIL_ORIGIN}/**`);
    const still = await page.goto(server.url('admin', '/admin/account'), { waitUntil: 'load' });
    expectEqual(still.status(), 200, 'still signed in after the refused cross-site logout');
    expectEqual(new URL(page.url()).pathname, '/admin/account', 'no redirect to the login page');

    // 5. A same-origin logout ends the session server-side (R19).
    await Promise.all([page.waitForURL(/\/admin\/login/), page.click('form[action="/admin/logout"] button')]);
    const after = await page.goto(server.url('admin', '/admin/account'), { waitUntil: 'load' });
    expectEqual(new URL(page.url()).pathname, '/admin/login', 'the account page asks for a login after logout');
    expectEqual(after.status(), 200, 'login page after the redirect');

    // The refused POST is expected to be a 403: not a page problem.
    problems.push(...second.problems.filter((problem) => !problem.includes('/admin/logout')));
    await context.close();
    return { problems };
  },
};

async function fetchStatus(browser, url) {
  const { context, page } = await openPage(browser);
  try {
    const response = await page.goto(url, { waitUntil: 'load' });
    return response.status();
  } finally {
    await context.close();
  }
}
