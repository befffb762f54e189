// Admin-session helpers for page tests on the admin listener (docs/admin.md "Signing in").
//   const admin = await createFirstAdmin(server);   // once per server: `admin-setup-token`, /admin/setup,
//                                                    // TOTP enrollment in a real page; memoised
//   const { page, problems } = await signedInPage(server, admin);  // a fresh browser context, signed in
//   await loginAsAdmin(page, server, admin);         // password, then a TOTP code from admin.seed
//   const code = await nextTotpCode(admin);          // for step-up forms (R20)
// TOTP is RFC 6238 (SHA-1, 6 digits, 30 s, REQUIREMENTS.md §3). The server accepts each time step
// of a user once (R11) and steps T−1..T+1 (R08), so nextTotpCode hands out T, then T+1, and only
// then waits for the clock: consecutive logins cost at most one wait of ≤30 s.
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPage } from './browser.mjs';
import { expectEqual, expectMatch, expectTrue } from './expect.mjs';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const character of clean) {
    const index = BASE32.indexOf(character);
    if (index < 0) throw new Error(`base32Decode: not a base32 character: ${JSON.stringify(character)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

// RFC 4226 HOTP over the step counter (RFC 6238 TOTP when step = floor(unix time / 30)).
export function totpAt(seedBase32, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', base32Decode(seedBase32)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const binary = (digest.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(binary).padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

// A code the server has not seen for this user yet (see the header comment).
export async function nextTotpCode(admin) {
  for (;;) {
    const now = currentStep();
    const step = admin.lastStep === undefined || admin.lastStep < now ? now : admin.lastStep + 1;
    if (step <= now + 1) {
      admin.lastStep = step;
      return totpAt(admin.seed, step);
    }
    await sleep((now + 1) * 30000 - Date.now() + 200);
  }
}

function strongPassword() {
  // 20 random base32 characters behind a fixed prefix: long, not in the breached list (R01, R03).
  return `soko-browser-${base32FromBytes(Buffer.from(Array.from({ length: 12 }, () => Math.floor(Math.random() * 256))))}`;
}

function base32FromBytes(bytes) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

// The first administrator of `server`, created through the real first-run pages once and then
// remembered on the server object: { username, password, seed, recoveryCodes, lastStep }.
// Uses server.browser (run.mjs sets it). Screenshots of the setup pages are the admin-setup test's.
export async function createFirstAdmin(server) {
  if (server.admin) return server.admin;
  if (!server.browser) throw new Error('createFirstAdmin: server.browser is not set (run.mjs sets it)');
  const { context, page, problems } = await openPage(server.browser);
  try {
    const admin = await runSetup(page, server);
    if (problems.length) throw new Error(`first-run setup reported problems:\n       ${problems.join('\n       ')}`);
    server.admin = admin;
    return admin;
  } finally {
    await context.close();
  }
}

// Drives /admin/setup → TOTP enrollment → recovery codes in `page`; returns the admin. `onStep`
// (optional) is called with ('setup' | 'enroll' | 'recovery-codes') while each page is shown.
export async function runSetup(page, server, onStep = async () => {}) {
  const output = server.command('admin-setup-token');
  const match = /setup password: (\S+)/.exec(output);
  if (!match) throw new Error(`admin-setup-token printed no setup password:\n${output}`);
  const admin = { username: 'chief', password: strongPassword(), seed: null, recoveryCodes: [] };
  server.rememberSecret(match[1]);
  server.rememberSecret(admin.password);

  const setup = await page.goto(server.url('admin', '/admin/setup'), { waitUntil: 'load' });
  expectEqual(setup.status(), 200, 'GET /admin/setup while no administrator exists');
  await page.fill('input[name="setup_token"]', match[1]);
  await page.fill('input[name="username"]', admin.username);
  await page.fill('input[name="password"]', admin.password);
  await page.fill('input[name="password_confirm"]', admin.password);
  await onStep('setup');
  await Promise.all([page.waitForURL(/\/admin\/login\/totp/), page.click('form[action="/admin/setup"] button[type="submit"]')]);

  admin.seed = (await page.locator('code.totp-secret').textContent()).trim();
  server.rememberSecret(admin.seed);
  expectMatch(admin.seed, /^[A-Z2-7]{32,}$/, 'TOTP secret shown for manual entry');
  // The QR code is an SVG drawn by the server (qrCodeSvg) in a data: image; it must really render.
  const qr = page.locator('img.qr');
  expectMatch(await qr.getAttribute('src'), /^data:image\/svg\+xml/, 'enrollment QR code drawn server-side');
  expectTrue(await qr.evaluate((image) => image.complete && image.naturalWidth > 0), 'enrollment QR code rendered');
  await onStep('enroll');
  await page.fill('input[name="code"]', await nextTotpCode(admin));
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/login/totp"] button[type="submit"]')]);
  admin.recoveryCodes = await page.locator('ol.recovery-codes code').allTextContents();
  admin.recoveryCodes.forEach((code) => server.rememberSecret(code));
  expectEqual(admin.recoveryCodes.length, 10, 'recovery codes shown once after enrollment');
  await onStep('recovery-codes');
  return admin;
}

// Signs `page` in as `admin` (password, then TOTP) and leaves it on the dashboard.
export async function loginAsAdmin(page, server, admin) {
  await page.goto(server.url('admin', '/admin/login'), { waitUntil: 'load' });
  await page.fill('input[name="username"]', admin.username);
  await page.fill('input[name="password"]', admin.password);
  await Promise.all([page.waitForURL(/\/admin\/login\/totp/), page.click('form[action="/admin/login"] button[type="submit"]')]);
  await page.fill('input[name="code"]', await nextTotpCode(admin));
  await Promise.all([page.waitForURL((url) => url.pathname === '/admin/'),
    page.click('form[action="/admin/login/totp"] button[type="submit"]')]);
  for (const cookie of await page.context().cookies()) server.rememberSecret(cookie.value);
}

// A new browser context (its own cookies) signed in as the first administrator.
export async function signedInPage(server, admin = null) {
  const who = admin ?? await createFirstAdmin(server);
  const opened = await openPage(server.browser);
  await loginAsAdmin(opened.page, server, who);
  return opened;
}
