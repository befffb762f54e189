// The back office's order and stock pages in a real Chromium (issue 6): a CSV import with one bad
// row shows the row's error and imports nothing; fixed, the preview is committed; an order is
// opened and released to the warehouse; a stored <script> in a customer name stays inert (no
// dialog fires); screenshots orders-list, order-detail, orders-import, stock.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPage, screenshot } from '../lib/browser.mjs';
import { createFirstAdmin, loginAsAdmin } from '../lib/admin.mjs';
import { expectEqual, expectMatch, expectTrue } from '../lib/expect.mjs';

const HEADER = 'store,order_number,customer,address,line,sku,quantity';
const SCRIPT_NAME = '<script>alert(1)</script>';

// Master data through the admin commands, like an operator would load it.
function seed(server) {
  const skus = join(server.root, 'skus.csv');
  writeFileSync(skus, 'code,name,base_unit,lot_controlled,gtins\nTEA-1,Green tea 500 ml,piece,0,04901234567894\n'
    + 'MISO-1,Miso 1 kg,piece,0,\n');
  server.command('import', 'skus', skus);
  const locations = join(server.root, 'locations.csv');
  writeFileSync(locations, 'warehouse,code,zone,pick_sequence\nTKY1,A-01,ambient,10\nTKY1,A-02,ambient,20\n');
  server.command('import', 'locations', locations);
  // Stock arrives only through terminal sync (mTLS push); the test writes two receipts the way the
  // ledger does (movement + balance), straight into the server's SQLite database.
  const database = join(server.dataPath, 'soko.db');
  const now = new Date().toISOString();
  execFileSync('sqlite3', [database,
    'BEGIN IMMEDIATE;'
    + `INSERT INTO stock_movements(warehouse, sku, location, lot, quantity_delta, reason, op_id, created_at) VALUES `
    + `('TKY1','TEA-1','A-01','',40,'receipt','','${now}'),('TKY1','MISO-1','A-02','',12,'receipt','','${now}');`
    + `INSERT INTO stock_balances(warehouse, sku, location, lot, quantity) VALUES `
    + `('TKY1','TEA-1','A-01','',40),('TKY1','MISO-1','A-02','',12);`
    + 'COMMIT;'], { timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
}

export default {
  name: 'orders',
  listener: 'admin',
  async run({ browser, server }) {
    seed(server);
    const admin = await createFirstAdmin(server);
    const { page, problems } = await openPage(browser);
    const dialogs = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    });
    await loginAsAdmin(page, server, admin);

    // 1. Import with one bad row (quantity 1e3 on line 4): the preview names it, nothing is written.
    const bad = [HEADER,
      `web,B-1001,${SCRIPT_NAME},1-2-3 Chiyoda Tokyo,1,TEA-1,2`,
      'web,B-1001,<script>alert(1)</script>,1-2-3 Chiyoda Tokyo,2,MISO-1,1',
      'web,B-1002,Sato Hanako,4-5-6 Kita Osaka,1,TEA-1,1e3'].join('\n') + '\n';
    await page.goto(server.url('admin', '/admin/orders/import'), { waitUntil: 'load' });
    await page.fill('textarea[name="csv"]', bad);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action="/admin/orders/import"] button[type="submit"]')]);
    const errorRows = page.locator('table.import-errors tbody tr');
    expectEqual(await errorRows.count(), 1, 'rows with errors in the preview');
    expectMatch(await errorRows.first().innerText(), /^4\s+quantity\s+/, 'the bad row is named by line and column');
    expectEqual(await page.locator('form[action="/admin/orders/import/commit"]').count(), 0, 'no commit offered');
    await page.goto(server.url('admin', '/admin/orders'), { waitUntil: 'load' });
    expectEqual(await page.locator('table.orders tbody tr').count(), 0, 'orders after the refused preview');

    // 2. Fixed and committed: exactly the two previewed orders exist.
    const good = bad.replace(',TEA-1,1e3', ',TEA-1,3');
    await page.goto(server.url('admin', '/admin/orders/import'), { waitUntil: 'load' });
    await page.fill('textarea[name="csv"]', good);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action="/admin/orders/import"] button[type="submit"]')]);
    expectEqual(await page.locator('table.import-preview tbody tr').count(), 2, 'orders in the clean preview');
    const saved = await screenshot(page, 'orders-import');
    if (saved) console.log(`     screenshot: ${saved}`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#import-commit')]);
    expectMatch(page.url(), /\/admin\/orders\?done=imported&imported=2&unchanged=0$/, 'back on the list after the commit');
    expectEqual(await page.locator('table.orders tbody tr').count(), 2, 'orders after the commit');

    // 3. The stored <script> is text: visible as written, never run (no dialog, no extra script).
    const scriptCell = page.locator('table.orders td', { hasText: SCRIPT_NAME });
    expectEqual(await scriptCell.count(), 1, 'the customer name shown as text');
    expectEqual(await page.locator('main script').count(), 0, 'script elements inside the page content');
    const listShot = await screenshot(page, 'orders-list');
    if (listShot) console.log(`     screenshot: ${listShot}`);

    // 4. Open the order and release it to the warehouse.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('table.orders a:text("B-1001")')]);
    expectEqual(await page.locator('[data-state]').first().getAttribute('data-state'), 'imported', 'state before');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action$="/release"] button')]);
    expectMatch(page.url(), /\?done=released$/, 'redirected after the release');
    expectEqual(await page.locator('[data-state]').first().getAttribute('data-state'), 'released', 'state after');
    expectMatch(await page.locator('table.fields').first().innerText(), /TKY1/, 'released to TKY1');
    expectMatch(await page.locator('table.history').innerText(), /order_status_change[\s\S]*order_status_change/,
      'history shows allocation and release');
    const detailShot = await screenshot(page, 'order-detail');
    if (detailShot) console.log(`     screenshot: ${detailShot}`);

    // 5. Stock by warehouse.
    await page.goto(server.url('admin', '/admin/stock?warehouse=TKY1'), { waitUntil: 'load' });
    // Other page tests may have put stock into TKY1 (terminals counts TEA-1 in bin A-1): count
    // this test's two rows, in its bins.
    expectEqual(await page.locator('table.stock tbody tr', { hasText: /A-0[12]/ }).count(), 2,
      'stock rows in bins A-01 and A-02 of TKY1');
    const stockShot = await screenshot(page, 'stock');
    if (stockShot) console.log(`     screenshot: ${stockShot}`);

    expectTrue(dialogs.length === 0, `no dialog fired (stored script inert): ${dialogs.join('; ')}`);
    // The refused preview answers 422 on purpose; everything else must have been clean.
    return { problems: problems.filter((problem) => !/^HTTP 422 for .*\/admin\/orders\/import$/.test(problem)
      && !/^console error: .*status of 422 .*\/admin\/orders\/import$/.test(problem)) };
  },
};
