// The browser checks soko-server's certificate for real: a profile without the server CA refuses
// the api listener (so the other page tests are not passing on ignored certificate errors), and
// with the CA trusted the page loads with the security headers of every answer (R43, R52).
import { launchBrowser, openPage } from '../lib/browser.mjs';
import { expectEqual, expectMatch, expectSecurityHeaders } from '../lib/expect.mjs';

export default {
  name: 'tls-trust',
  listener: 'api',
  async run({ browser, server }) {
    const url = server.url('api', '/healthz');

    const untrusted = await launchBrowser();
    try {
      const { page } = await openPage(untrusted.browser);
      const refused = await page.goto(url).then(() => null, (error) => error);
      expectMatch(refused?.message, /net::ERR_CERT_AUTHORITY_INVALID/, 'profile without the server CA');
    } finally {
      await untrusted.close();
    }

    const { page, problems } = await openPage(browser);
    const response = await page.goto(url);
    expectEqual(response.status(), 200, 'GET /healthz status');
    const headers = await response.allHeaders();
    expectSecurityHeaders(headers, 'GET /healthz');
    expectEqual(headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", 'GET /healthz CSP');
    expectEqual(JSON.parse(await response.text()).status, 'ok', 'GET /healthz body');
    const security = await response.securityDetails();
    expectMatch(security?.protocol, /^TLS 1\.3$/, 'negotiated protocol');
    expectEqual(security?.subjectName, 'localhost', 'server certificate subject');
    return { problems };
  },
};
