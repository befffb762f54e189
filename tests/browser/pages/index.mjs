// Every page test, in run order. To add one: write pages/<name>.mjs exporting
// { name, listener: 'api' | 'admin' | 'devices', async run({ browser, server }) → { problems } }
// (use lib/browser.mjs openPage/screenshot, lib/expect.mjs, lib/admin.mjs for a session) and
// list it here.
import tlsTrust from './tlstrust.mjs';
import adminLogin from './adminlogin.mjs';
import adminSetup from './adminsetup.mjs';
import terminals from './terminals.mjs';
import orders from './orders.mjs';
import users from './users.mjs';
import audit from './audit.mjs';

export default [tlsTrust, adminLogin, adminSetup, terminals, orders, users, audit];
