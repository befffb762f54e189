// Users, step-up, API keys and approvals in a real browser (docs/admin.md "Users, roles, API
// keys, step-up and approvals"): sign in as the first administrator, confirm with a TOTP code on
// /admin/step-up (R20) and come back, create a user (one-time password shown), file a four-eyes
// request (R27) that the requester cannot decide, create an API key (token shown once) and revoke it.
import { openPage, screenshot } from '../lib/browser.mjs';
import { expectEqual, expectMatch, expectTrue } from '../lib/expect.mjs';
import { createFirstAdmin, loginAsAdmin, nextTotpCode } from '../lib/admin.mjs';

async function save(page, name) {
  const saved = await screenshot(page, name);
  if (saved) console.log(`     screenshot: ${saved}`);
}

export default {
  name: 'users',
  listener: 'admin',
  timeoutMs: 180000, // sign-in and two step-ups, each may wait for a fresh TOTP step
  async run({ browser, server }) {
    const admin = await createFirstAdmin(server);
    const { page, problems } = await openPage(browser);
    await loginAsAdmin(page, server, admin);
    const url = (path) => server.url('admin', path);

    // Step-up: a TOTP step the server has not seen for this admin yet (nextTotpCode), then back.
    let response = await page.goto(url('/admin/users'), { waitUntil: 'load' });
    expectEqual(response.status(), 200, 'GET /admin/users');
    await page.click('a[href="/admin/step-up?next=%2Fadmin%2Fusers"]');
    await page.waitForURL(/\/admin\/step-up\?next=/);
    expectEqual(await page.locator('form[action="/admin/step-up"] input[name="code"]').count(), 1, 'step-up code field');
    await save(page, 'step-up');
    await page.fill('form[action="/admin/step-up"] input[name="code"]', await nextTotpCode(admin));
    await Promise.all([page.waitForURL(/\/admin\/users$/), page.click('form[action="/admin/step-up"] button[type="submit"]')]);

    // Create a user: the one-time password is shown once.
    await page.fill('form[action="/admin/users"] input[name="username"]', 'carol');
    await page.selectOption('form[action="/admin/users"] select[name="role"]', 'back_office');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/users"] button[type="submit"]')]);
    expectMatch(await page.locator('code.initial-password').textContent(), /^[A-Za-z0-9_-]{22}$/, 'one-time initial password');
    expectEqual(await page.locator('tr[data-user="carol"]').count(), 1, 'carol listed');
    await save(page, 'users');

    // Four eyes: a new administrator waits for another admin; the requester sees no buttons.
    await page.fill('form[action="/admin/users"] input[name="username"]', 'dave');
    await page.selectOption('form[action="/admin/users"] select[name="role"]', 'admin');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/users"] button[type="submit"]')]);
    response = await page.goto(url('/admin/approvals'), { waitUntil: 'load' });
    expectEqual(response.status(), 200, 'GET /admin/approvals');
    expectEqual(await page.locator('tr[data-approval]').count(), 1, 'pending approvals');
    expectEqual(await page.locator('tr[data-approval] form[action$="/approve"]').count(), 0, 'no approve button on own request');
    await save(page, 'approvals');

    // API key: created (token shown once), then revoked.
    response = await page.goto(url('/admin/api-keys'), { waitUntil: 'load' });
    expectEqual(response.status(), 200, 'GET /admin/api-keys');
    await page.fill('form[action="/admin/api-keys"] input[name="label"]', 'Shop feed');
    await page.fill('form[action="/admin/api-keys"] input[name="scope"]', 'admin');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/admin/api-keys"] button[type="submit"]')]);
    const token = await page.locator('code.api-key-token').textContent();
    expectMatch(token, /^soko_k[0-9a-f]{16}_[0-9a-f]{64}$/, 'API key token');
    const id = token.slice(5, 22);
    await save(page, 'api-keys');
    await Promise.all([page.waitForURL(/done=revoked/), page.click(`tr[data-key="${id}"] button[type="submit"]`)]);
    expectTrue((await page.locator(`tr[data-key="${id}"] td.status-revoked`).count()) === 1, 'key shown revoked');
    expectEqual(await page.locator('code.api-key-token').count(), 0, 'token not shown again');
    return { problems };
  },
};
