// The terminals pages in a real browser (issue 6): a conflict raised by an enrolled terminal over
// the devices listener (mutual TLS) is resolved with a note on /admin/conflicts/{id}; an
// enrollment code is created on /admin/devices and shown once as a QR code; the terminal is
// revoked and its next request over the devices listener is refused. Screenshots: dashboard,
// conflicts, conflict (resolved), devices, enroll-qr. Every page loads under the admin CSP with no
// console error (an inline style or script would be one).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFirstAdmin, loginAsAdmin } from '../lib/admin.mjs';
import { openPage, screenshot } from '../lib/browser.mjs';
import { expectEqual, expectMatch, expectTrue } from '../lib/expect.mjs';

// One HTTPS request trusting the server's CA (and presenting `cert`/`key` when given).
function call(server, listener, method, path, { body = null, token = null, cert = null, key = null } = {}) {
  const url = new URL(server.url(listener, path));
  const payload = body === null ? null : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, servername: 'localhost',
      ca: readFileSync(server.caPath), cert: cert ?? undefined, key: key ?? undefined, agent: false,
      headers: {
        ...(payload === null ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      timeout: 20000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    // A refused TLS handshake (revoked certificate) is an answer too.
    req.on('error', (error) => resolve({ status: 0, text: error.message }));
    if (payload !== null) req.write(payload);
    req.end();
  });
}

// A terminal: master data through an admin API key, an operator, an enrollment code from the
// command line, a P-256 key + CSR from openssl, the certificate from POST /api/v1/enroll.
async function enrolledTerminal(server) {
  const token = /token: (\S+)/.exec(server.command('api-key', 'create', '--admin'))[1];
  const skus = await call(server, 'api', 'POST', '/api/v1/skus/import',
    { token, body: { skus: [{ code: 'TEA-1', name: 'Green tea <b>500g</b>' }] } });
  expectEqual(skus.status, 200, 'SKU import');
  const locations = await call(server, 'api', 'POST', '/api/v1/locations/import',
    { token, body: { locations: [{ warehouse: 'TKY1', code: 'A-1', pick_sequence: 1 }] } });
  expectEqual(locations.status, 200, 'location import');
  execFileSync(server.binary, ['operator', 'add', '--data', server.dataPath, '--warehouse', 'TKY1', '--badge', 'OP-1',
    '--name', 'Sato', '--role', 'picker', '--pin-stdin'], { input: '1234\n', timeout: 120000, stdio: ['pipe', 'pipe', 'pipe'] });
  const code = /code: (\S+)/.exec(server.command('enroll-code', '--warehouse', 'TKY1', '--label', 'HT-B1'))[1];
  const keyPath = join(server.root, 'terminal-key.pem');
  const csrPath = join(server.root, 'terminal.csr');
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-subj', '/CN=soko-terminal', '-out', csrPath], { timeout: 30000, stdio: 'ignore' });
  const enrolled = await call(server, 'api', 'POST', '/api/v1/enroll',
    { body: { code, csr: readFileSync(csrPath, 'utf8') } });
  expectEqual(enrolled.status, 201, 'enrollment');
  const answer = JSON.parse(enrolled.text);
  return { id: answer.device_id, cert: answer.certificate, key: readFileSync(keyPath, 'utf8') };
}

// A cycle count that differs: one `count_difference` conflict on the server.
function countPush(terminal, seq) {
  return {
    protocol: 1, device_id: terminal.id, incarnation: 1,
    ops: [{ seq, op_id: randomUUID(), type: 'count', operator_id: 'OP-1', created_at: new Date().toISOString(),
      payload: { sku: 'TEA-1', location: 'A-1', expected: 0, counted: 3 } }],
  };
}

export default {
  name: 'terminals',
  listener: 'admin',
  async run({ browser, server }) {
    const terminal = await enrolledTerminal(server);
    const pushed = await call(server, 'devices', 'POST', '/api/v1/sync/push',
      { body: countPush(terminal, 1), cert: terminal.cert, key: terminal.key });
    expectEqual(pushed.status, 200, 'push over the devices listener');
    expectMatch(pushed.text, /"conflict"/, 'the count raised a conflict');

    const admin = await createFirstAdmin(server);
    const { page, problems } = await openPage(browser);
    await loginAsAdmin(page, server, admin);

    // Dashboard: today's numbers, the open conflict, the terminal.
    let response = await page.goto(server.url('admin', '/admin/'), { waitUntil: 'load' });
    expectEqual(response.status(), 200, 'GET /admin/');
    expectTrue(await page.locator('time.dashboard-day').count() === 1, 'the dashboard names the UTC day');
    expectMatch(await page.locator('main').innerText(), /HT-B1/, 'the terminal on the dashboard');
    expectEqual(await page.locator('script:not([src])').count(), 0, 'inline scripts');
    await screenshot(page, 'dashboard');

    // Conflicts: the queue, then the detail; resolve with a note.
    response = await page.goto(server.url('admin', '/admin/conflicts'), { waitUntil: 'load' });
    expectEqual(response.status(), 200, 'GET /admin/conflicts');
    const row = page.locator('tr.conflict-open', { hasText: 'count_difference' });
    expectEqual(await row.count(), 1, 'one open count_difference conflict');
    expectMatch(await row.innerText(), /HT-B1[\s\S]*OP-1/, 'terminal and operator in the row');
    await screenshot(page, 'conflicts');
    await row.locator('a').click();
    await page.waitForLoadState('load');
    expectMatch(page.url(), /\/admin\/conflicts\/\d+$/, 'detail page');
    await page.locator('input[name="action"][value="accept"]').check();
    await page.locator('input[name="note"]').fill('Recount confirmed 3 <units>');
    await Promise.all([page.waitForURL(/done=resolved/), page.locator('form[action$="/resolve"] button[type="submit"]').click()]);
    expectMatch(await page.locator('main').innerText(), /Recount confirmed 3 <units>/, 'the note, shown as text');
    expectEqual(await page.locator('form[action$="/resolve"]').count(), 0, 'no resolve form once resolved');
    await screenshot(page, 'conflicts-resolved');

    // Devices: create an enrollment code (step-up is fresh after the login's TOTP), shown once as a QR code.
    response = await page.goto(server.url('admin', '/admin/devices'), { waitUntil: 'load' });
    expectEqual(response.status(), 200, 'GET /admin/devices');
    await screenshot(page, 'devices');
    await page.locator('form[action="/admin/devices/enroll"] select[name="warehouse"]').selectOption('TKY1');
    await page.locator('form[action="/admin/devices/enroll"] input[name="label"]').fill('HT-B2');
    await Promise.all([page.waitForLoadState('load'),
      page.locator('form[action="/admin/devices/enroll"] button[type="submit"]').click()]);
    const qr = page.locator('img.qr');
    expectEqual(await qr.count(), 1, 'the QR code');
    expectTrue(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image rendered (img-src data:)');
    expectMatch(await page.locator('code.enrollment-code').innerText(), /^[0-9a-f]{32}$/, 'the code as text');
    await screenshot(page, 'enroll-qr');

    // Revoke the terminal (confirm dialog from admin.js), then its next request is refused.
    await page.goto(server.url('admin', '/admin/devices'), { waitUntil: 'load' });
    page.once('dialog', (dialog) => dialog.accept());
    await Promise.all([page.waitForURL(/done=revoked/),
      page.locator(`form[action="/admin/devices/${terminal.id}/revoke"] button`).click()]);
    expectEqual(await page.locator(`tr[data-device-id="${terminal.id}"] td.status-revoked`).count(), 1, 'revoked status');
    const refused = await call(server, 'devices', 'POST', '/api/v1/sync/push',
      { body: countPush(terminal, 2), cert: terminal.cert, key: terminal.key });
    expectTrue(refused.status === 401 || refused.status === 0, `the revoked terminal is refused (got ${refused.status})`);
    return { problems };
  },
};
