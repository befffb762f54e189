// The admin login page (REQUIREMENTS.md R52, §5.2 CSP, R07): served on the admin listener over
// TLS 1.3 with the admin HTML CSP, the sign-in form posts to itself, and its stylesheet and
// script load under that CSP without a single violation (violations are console errors).
import { openPage, screenshot } from '../lib/browser.mjs';
import { expectEqual, expectMatch, expectSecurityHeaders, expectTrue } from '../lib/expect.mjs';

export const ADMIN_HTML_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export default {
  name: 'admin-login',
  listener: 'admin',
  async run({ browser, server }) {
    const { page, problems } = await openPage(browser);
    const response = await page.goto(server.url('admin', '/admin/login'), { waitUntil: 'load' });
    expectEqual(response.status(), 200, 'GET /admin/login status');
    const headers = await response.allHeaders();
    expectSecurityHeaders(headers, 'GET /admin/login');
    expectEqual(headers['content-security-policy'], ADMIN_HTML_CSP, 'GET /admin/login CSP (REQUIREMENTS.md §5.2)');
    expectEqual(headers['content-type'], 'text/html; charset=utf-8', 'GET /admin/login Content-Type');
    expectMatch((await response.securityDetails())?.protocol, /^TLS 1\.3$/, 'admin listener protocol');

    expectMatch(await page.title(), /Soko/, 'page title');
    const form = page.locator('form[method="post"][action="/admin/login"]');
    expectEqual(await form.count(), 1, 'sign-in forms posting to /admin/login');
    expectEqual(await form.locator('input[name="username"][required]').count(), 1, 'required user name field');
    expectEqual(await form.locator('input[type="password"][name="password"][autocomplete="current-password"]').count(), 1,
      'password field');
    expectEqual(await form.locator('input[type="hidden"][name="csrf"]').count(), 1, 'CSRF field (R25)');
    expectEqual(await form.locator('button[type="submit"]').count(), 1, 'submit button');
    expectEqual(await page.locator('script:not([src])').count(), 0, 'inline scripts (CSP forbids them)');
    // The stylesheet really loaded: a CSP-blocked or failed one leaves document.styleSheets empty.
    const styled = await page.evaluate(() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0);
    expectTrue(styled, 'admin.css loaded and applied');

    const saved = await screenshot(page, 'admin-login');
    if (saved) console.log(`     screenshot: ${saved}`);
    return { problems };
  },
};
