#!/usr/bin/env node
// Browser tests of soko-server's pages (docs/security.md "Browser tests"): one soko-server on
// loopback, Debian's Chromium through playwright-core, the page tests of pages/index.mjs in order.
//   node tests/browser/run.mjs [name…]       run all page tests, or the named ones
//   node tests/browser/run.mjs --list
// Environment: SOKO_SERVER_BINARY (required), SOKO_CHROMIUM (default /usr/bin/chromium),
// SOKO_SAVE_SCREENSHOTS=1 (write docs/screenshots/*.png), SOKO_BROWSER_TEST_TIMEOUT_MS (per page
// test, default 60000), SOKO_KEEP_SCRATCH=1 (keep the server's folder), SOKO_DEBUG=1 (stack traces).
// A page test whose listener this soko-server does not have (admin before `run --admin-listen`
// existed) is reported "n/a"; once the listener exists the test runs and must pass.
// Exit status 0 when every applicable test passed, 1 otherwise. Duration 10–30 s.
import { launchBrowser } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import pages from './pages/index.mjs';

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const timeoutMs = Number(process.env.SOKO_BROWSER_TEST_TIMEOUT_MS || 60000);

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    for (const test of pages) console.log(`${test.name} (${test.listener} listener)`);
    return 0;
  }
  const unknown = args.filter((name) => !pages.some((test) => test.name === name));
  if (unknown.length) throw new Error(`unknown page test(s): ${unknown.join(', ')} (see --list)`);
  const selected = args.length ? pages.filter((test) => args.includes(test.name)) : pages;

  const server = await startServer();
  let browser = null;
  let failed = 0;
  let passed = 0;
  try {
    console.log(`soko-server: ${Object.entries(server.ports).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    browser = await launchBrowser({ trustCa: server.caPath });
    server.browser = browser.browser; // for lib/admin.mjs createFirstAdmin
    console.log(`Chromium ${browser.browser.version()} (${seconds(started)})`);
    for (const test of selected) {
      if (!server.ports[test.listener]) {
        console.log(`n/a  ${test.name}: this soko-server has no ${test.listener} listener`);
        continue;
      }
      const testStarted = Date.now();
      try {
        // A test that waits for fresh TOTP steps (each ≤ 30 s) declares a longer budget (timeoutMs).
        const result = await withTimeout(test.run({ browser: browser.browser, server }),
          Math.max(timeoutMs, test.timeoutMs ?? 0), test.name);
        const problems = result?.problems ?? [];
        if (problems.length) throw new Error(`the page reported problems:\n       ${problems.join('\n       ')}`);
        passed += 1;
        console.log(`ok   ${test.name} (${seconds(testStarted)})`);
      } catch (error) {
        failed += 1;
        console.log(`FAIL ${test.name} (${seconds(testStarted)}): ${error.message}`);
      }
    }
    await browser.close();
    browser = null;
    await server.stop();
    // R40: nothing the tests typed or were shown as a secret is in the server log.
    const leaked = server.secretsInLog();
    if (leaked.length) {
      failed += 1;
      console.log(`FAIL server log (R40): ${leaked.length} secret(s) written to the log: ${leaked.join(', ')}`);
    } else {
      console.log(`ok   server log holds none of the ${server.secrets?.size ?? 0} secrets the tests used (R40)`);
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (failed) console.log(`-- last lines of the server log:\n${server.logTail()}`);
    server.cleanup();
  }
  console.log(`${passed} passed, ${failed} failed in ${seconds(started)}`);
  if (passed === 0 && failed === 0) throw new Error('no page test ran');
  return failed ? 1 : 0;
}

main().then((status) => { process.exitCode = status; }, (error) => {
  console.error(`FAIL: ${process.env.SOKO_DEBUG === '1' ? error.stack : error.message}`);
  process.exitCode = 1;
});
