// The audit log and settings pages (docs/admin.md "Audit log", "Settings"): a signed-in admin
// opens the audit log (newest entry first), runs "Verify chain" (PRG back to the log with the
// result: OK), then saves an alert threshold on the settings page (right after the TOTP login,
// so the step-up of R20 is fresh) and sees it stored. Screenshots: audit, audit-verify, settings.
import { createFirstAdmin, loginAsAdmin } from '../lib/admin.mjs';
import { openPage, screenshot } from '../lib/browser.mjs';
import { expectEqual, expectMatch, expectSecurityHeaders, expectTrue } from '../lib/expect.mjs';

async function submit(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  return response;
}

export default {
  name: 'audit',
  listener: 'admin',
  async run({ browser, server }) {
    const admin = await createFirstAdmin(server);
    const { page, problems } = await openPage(browser);
    await loginAsAdmin(page, server, admin);

    const log = await page.goto(server.url('admin', '/admin/audit'), { waitUntil: 'load' });
    expectEqual(log.status(), 200, 'GET /admin/audit');
    expectSecurityHeaders(await log.allHeaders(), 'GET /admin/audit');
    const seqs = await page.locator('tr[data-seq]').evaluateAll((rows) => rows.map((row) => Number(row.dataset.seq)));
    expectTrue(seqs.length > 0, 'audit entries listed');
    expectTrue(seqs.every((seq, index) => index === 0 || seqs[index - 1] > seq), 'newest entry first');
    expectTrue(await page.locator('tr[data-event="authn_login_success"]').count() > 0, 'the sign-in is in the log');
    let saved = await screenshot(page, 'audit');
    if (saved) console.log(`     screenshot: ${saved}`);

    const verified = await submit(page, '#verify-chain');
    expectEqual(verified?.status(), 200, 'page after POST /admin/audit/verify');
    expectMatch(page.url(), /\/admin\/audit\?verified=\d+$/, 'redirected back to the log with the result');
    expectEqual(await page.locator('#verify-result[data-outcome="ok"]').count(), 1, 'chain verified OK');
    expectMatch(await page.locator('#verify-result').innerText(), /Chain verified: OK/, 'result text');
    expectTrue(await page.locator('tr[data-event="audit_verify"]').count() > 0, 'the verification is audited');
    saved = await screenshot(page, 'audit-verify');
    if (saved) console.log(`     screenshot: ${saved}`);

    const settings = await page.goto(server.url('admin', '/admin/settings'), { waitUntil: 'load' });
    expectEqual(settings.status(), 200, 'GET /admin/settings');
    await page.fill('input[name="login_failures"]', '7');
    const afterSave = await submit(page, '#save-settings');
    expectEqual(afterSave?.status(), 200, 'page after POST /admin/settings');
    expectMatch(page.url(), /\/admin\/settings\?saved=1$/, 'PRG back to the settings page');
    expectEqual(await page.inputValue('input[name="login_failures"]'), '7', 'threshold stored');
    expectEqual(await page.locator('[role="status"]').count(), 1, 'saved notice');
    saved = await screenshot(page, 'settings');
    if (saved) console.log(`     screenshot: ${saved}`);
    return { problems };
  },
};
