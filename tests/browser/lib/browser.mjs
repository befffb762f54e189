// Debian's Chromium (/usr/bin/chromium, package `chromium`) driven by playwright-core, which
// downloads no browser. Certificates are checked for real: the test server's private CA is
// trusted through an NSS database in a throwaway $HOME (Chromium on Linux reads
// $HOME/.pki/nssdb), never with ignoreHTTPSErrors. Playwright's launch() gives every browser a
// fresh --user-data-dir of its own and deletes it on close.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHROMIUM = process.env.SOKO_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Launches Chromium; with `trustCa` (a PEM file) that CA is a trusted root for TLS servers.
// Returns { browser, close() }; close() also removes the throwaway $HOME.
export async function launchBrowser({ trustCa = null } = {}) {
  const { chromium } = await import('playwright-core').catch((error) => {
    throw new Error(`playwright-core is not installed (${error.code}): run \`npm ci\` in tests/browser (./scripts/dev.sh deps does)`);
  });
  const home = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'soko-chromium-home-'));
  try {
    const nssdb = join(home, '.pki', 'nssdb');
    mkdirSync(nssdb, { recursive: true });
    const certutil = (...args) => execFileSync('certutil', ['-d', `sql:${nssdb}`, ...args], { stdio: 'pipe', timeout: 30000 });
    certutil('-N', '--empty-password');
    if (trustCa) certutil('-A', '-t', 'C,,', '-n', 'soko-test-server-ca', '-i', trustCa);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      env: { ...process.env, HOME: home },
      timeout: 60000,
    });
    return {
      browser,
      async close() {
        try { await browser.close(); } finally { rmSync(home, { recursive: true, force: true }); }
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    if (error.code === 'ENOENT' && String(error.path).includes('certutil')) {
      throw new Error("certutil not found: install the Debian package 'libnss3-tools' (./scripts/dev.sh deps)");
    }
    throw error;
  }
}

// A new context + page that records what usually goes wrong silently: console errors (CSP
// violations are reported there), uncaught page errors and failed or refused sub-requests.
// Chromium's own request for /favicon.ico (no page asks for it) is not counted.
// The tab icon is fetched lazily: a page left quickly aborts it (net::ERR_ABORTED), which says
// nothing about the page. Only an abort is forgiven; a 404 or a CSP error of the icon still counts.
const isChromiumsOwnIcon = (url) => new URL(url).pathname === '/favicon.ico';
const isFavicon = (url) => ['/favicon.ico', '/admin/static/favicon.svg'].includes(new URL(url).pathname);
export async function openPage(browser) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 720 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    const url = message.location()?.url || '';
    if (message.type() === 'error' && !(url && isChromiumsOwnIcon(url))) problems.push(`console error: ${message.text()} ${url}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const aborted = request.failure()?.errorText === 'net::ERR_ABORTED';
    if (!(isFavicon(request.url()) && aborted)) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !isChromiumsOwnIcon(response.url())) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  return { context, page, problems };
}

// Saves a screenshot to docs/screenshots/<name>.png, only when SOKO_SAVE_SCREENSHOTS=1 (so test
// runs leave the source tree unchanged). Returns the path written, or null.
export async function screenshot(page, name) {
  if (process.env.SOKO_SAVE_SCREENSHOTS !== '1') return null;
  const directory = join(REPO_ROOT, 'docs', 'screenshots');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
