<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CameraButton</name>
    <message>
        <source>Camera…</source>
        <translation>Camera…</translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation>Camera on</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>Stop scanning with the camera</source>
        <translation>Stop scanning with the camera</translation>
    </message>
    <message>
        <source>Scan with the camera</source>
        <translation>Scan with the camera</translation>
    </message>
</context>
<context>
    <name>CameraScanSource</name>
    <message>
        <source>No camera found on this terminal.</source>
        <translation>No camera found on this terminal.</translation>
    </message>
    <message>
        <source>The camera is not connected. Choose another one on the Sync status screen.</source>
        <translation>The camera is not connected. Choose another one on the Sync status screen.</translation>
    </message>
    <message>
        <source>The camera stopped: %1</source>
        <translation>The camera stopped: %1</translation>
    </message>
</context>
<context>
    <name>EnrollmentPage</name>
    <message>
        <source>Connect this terminal</source>
        <translation>Connect this terminal</translation>
    </message>
    <message>
        <source>https://soko.example:8443</source>
        <translation>https://soko.example:8443</translation>
    </message>
    <message>
        <source>One-time code</source>
        <translation>One-time code</translation>
    </message>
    <message>
        <source>server-ca.pem</source>
        <translation>server-ca.pem</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Server address</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>Enrollment code</translation>
    </message>
    <message>
        <source>Server CA certificate</source>
        <translation>Server CA certificate</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Connect</translation>
    </message>
    <message>
        <source>Work offline</source>
        <translation>Work offline</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt)</source>
        <translation>Certificates (*.pem *.crt)</translation>
    </message>
    <message>
        <source>Enter the server address and the one-time code.</source>
        <translation>Enter the server address and the one-time code.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>https://soko.example:8444</source>
        <translation>https://soko.example:8444</translation>
    </message>
    <message>
        <source>Sync address</source>
        <translation>Sync address</translation>
    </message>
</context>
<context>
    <name>LocalDatabase</name>
    <message>
        <source>The terminal&apos;s database %1 is damaged (%2). It was not used: nothing in it was changed. Call your supervisor to restore the terminal.</source>
        <translation>The terminal&apos;s database %1 is damaged (%2). It was not used: nothing in it was changed. Call your supervisor to restore the terminal.</translation>
    </message>
    <message>
        <source>The terminal&apos;s database %1 cannot be read.</source>
        <translation>The terminal&apos;s database %1 cannot be read.</translation>
    </message>
    <message>
        <source>the file is cut short</source>
        <translation>the file is cut short</translation>
    </message>
    <message>
        <source>the file is not a SQLite database</source>
        <translation>the file is not a SQLite database</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>%1, enter your PIN.</source>
        <translation>%1, enter your PIN.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Scan your operator badge.</source>
        <translation>Scan your operator badge.</translation>
    </message>
    <message>
        <source>Badge (if the label cannot be scanned)</source>
        <translation>Badge (if the label cannot be scanned)</translation>
    </message>
</context>
<context>
    <name>LoginWorkflow</name>
    <message>
        <source>Too many wrong PINs. Wait a moment and scan your badge again.</source>
        <translation>Too many wrong PINs. Wait a moment and scan your badge again.</translation>
    </message>
    <message>
        <source>Unknown badge. Scan your operator badge.</source>
        <translation>Unknown badge. Scan your operator badge.</translation>
    </message>
    <message>
        <source>Hello %1. Enter your PIN.</source>
        <translation>Hello %1. Enter your PIN.</translation>
    </message>
    <message>
        <source>Scan your badge first.</source>
        <translation>Scan your badge first.</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>Wrong PIN. Try again.</translation>
    </message>
    <message>
        <source>Logged in as %1.</source>
        <translation>Logged in as %1.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Not connected</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Syncing…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Soko terminal</source>
        <translation>Soko terminal</translation>
    </message>
    <message>
        <source>This order cannot be picked now.</source>
        <translation>This order cannot be picked now.</translation>
    </message>
    <message>
        <source>Scan a pick slip to open its order.</source>
        <translation>Scan a pick slip to open its order.</translation>
    </message>
    <message numerus="yes">
        <source>%n to send</source>
        <translation>
            <numerusform>%n to send</numerusform>
            <numerusform>%n to send</numerusform>
        </translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>Never synced</translation>
    </message>
    <message>
        <source>Synced %1</source>
        <translation>Synced %1</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Locked</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <source>No server</source>
        <translation>No server</translation>
    </message>
    <message numerus="yes">
        <source>%n action(s) need attention: see Sync status.</source>
        <translation>
            <numerusform>%n action needs attention: see Sync status.</numerusform>
            <numerusform>%n actions need attention: see Sync status.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrderListModel</name>
    <message>
        <source>Imported</source>
        <translation>Imported</translation>
    </message>
    <message>
        <source>Allocated</source>
        <translation>Allocated</translation>
    </message>
    <message>
        <source>Released</source>
        <translation>Released</translation>
    </message>
    <message>
        <source>Picking</source>
        <translation>Picking</translation>
    </message>
    <message>
        <source>Picked</source>
        <translation>Picked</translation>
    </message>
    <message>
        <source>Packed</source>
        <translation>Packed</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Shipped</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Order</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Customer</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Lines</translation>
    </message>
</context>
<context>
    <name>OrderListPage</name>
    <message>
        <source>Pick lists</source>
        <translation>Pick lists</translation>
    </message>
    <message>
        <source>Pick</source>
        <translation>Pick</translation>
    </message>
    <message>
        <source>Pack &amp;&amp; ship</source>
        <translation>Pack &amp;&amp; ship</translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation>Sync status</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Log out</translation>
    </message>
</context>
<context>
    <name>OutboxProblemModel</name>
    <message>
        <source>Pick</source>
        <translation>Pick</translation>
    </message>
    <message>
        <source>Short pick</source>
        <translation>Short pick</translation>
    </message>
    <message>
        <source>Pack</source>
        <translation>Pack</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>Ship</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>Conflict</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Server reason</source>
        <translation>Server reason</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>Time (UTC)</translation>
    </message>
</context>
<context>
    <name>PackingPage</name>
    <message>
        <source>Pack &amp; ship</source>
        <translation>Pack &amp; ship</translation>
    </message>
    <message>
        <source>Type the number if the label cannot be scanned</source>
        <translation>Type the number if the label cannot be scanned</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>Start over</source>
        <translation>Start over</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
</context>
<context>
    <name>PackingWorkflow</name>
    <message>
        <source>Scan the pick slip of a picked order.</source>
        <translation>Scan the pick slip of a picked order.</translation>
    </message>
    <message>
        <source>Order %1: scan the tracking number label of the carton.</source>
        <translation>Order %1: scan the tracking number label of the carton.</translation>
    </message>
    <message>
        <source>Log in before packing.</source>
        <translation>Log in before packing.</translation>
    </message>
    <message>
        <source>Unknown order %1: scan the pick slip.</source>
        <translation>Unknown order %1: scan the pick slip.</translation>
    </message>
    <message>
        <source>Order %1 is already shipped (%2).</source>
        <translation>Order %1 is already shipped (%2).</translation>
    </message>
    <message>
        <source>Order %1 is not picked yet: pick it first.</source>
        <translation>Order %1 is not picked yet: pick it first.</translation>
    </message>
    <message>
        <source>Order %1: scan the tracking number.</source>
        <translation>Order %1: scan the tracking number.</translation>
    </message>
    <message>
        <source>Carton %1 recorded: scan the tracking number.</source>
        <translation>Carton %1 recorded: scan the tracking number.</translation>
    </message>
    <message>
        <source>That is not a tracking number: scan the carrier label of order %1.</source>
        <translation>That is not a tracking number: scan the carrier label of order %1.</translation>
    </message>
    <message>
        <source>Tracking number %1 is not valid: scan the carrier label.</source>
        <translation>Tracking number %1 is not valid: scan the carrier label.</translation>
    </message>
    <message>
        <source>Could not save the shipment. Nothing was changed; try again.</source>
        <translation>Could not save the shipment. Nothing was changed; try again.</translation>
    </message>
    <message>
        <source>Order %1 shipped with %2.</source>
        <translation>Order %1 shipped with %2.</translation>
    </message>
</context>
<context>
    <name>PickListModel</name>
    <message>
        <source>Location</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>Ordered</translation>
    </message>
    <message>
        <source>Picked</source>
        <translation>Picked</translation>
    </message>
    <message>
        <source>Short</source>
        <translation>Short</translation>
    </message>
</context>
<context>
    <name>PickingPage</name>
    <message>
        <source>Set quantity</source>
        <translation>Set quantity</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <source>Short…</source>
        <translation>Short…</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>Order %1 · %2 of %3 lines done</source>
        <translation>Order %1 · %2 of %3 lines done</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Short pick</source>
        <translation>Short pick</translation>
    </message>
    <message>
        <source>Why is the item short?</source>
        <translation>Why is the item short?</translation>
    </message>
</context>
<context>
    <name>PickingWorkflow</name>
    <message>
        <source>Not found at the location</source>
        <translation>Not found at the location</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>Damaged</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>Choose an order from the pick list.</source>
        <translation>Choose an order from the pick list.</translation>
    </message>
    <message>
        <source>Go to %1 and scan the location label.</source>
        <translation>Go to %1 and scan the location label.</translation>
    </message>
    <message>
        <source>%1 of %2 scanned. Scan the next item or confirm.</source>
        <translation>%1 of %2 scanned. Scan the next item or confirm.</translation>
    </message>
    <message>
        <source>Scan %1 (%2): %3 needed.</source>
        <translation>Scan %1 (%2): %3 needed.</translation>
    </message>
    <message>
        <source>Order %1 is picked.</source>
        <translation>Order %1 is picked.</translation>
    </message>
    <message>
        <source>This order is already picked.</source>
        <translation>This order is already picked.</translation>
    </message>
    <message>
        <source>Choose an order first.</source>
        <translation>Choose an order first.</translation>
    </message>
    <message>
        <source>Log in before picking.</source>
        <translation>Log in before picking.</translation>
    </message>
    <message>
        <source>Scan the location first: expected location %1.</source>
        <translation>Scan the location first: expected location %1.</translation>
    </message>
    <message>
        <source>Wrong location %1: expected %2.</source>
        <translation>Wrong location %1: expected %2.</translation>
    </message>
    <message>
        <source>Location %1 confirmed.</source>
        <translation>Location %1 confirmed.</translation>
    </message>
    <message>
        <source>expected %1 (%2)</source>
        <translation>expected %1 (%2)</translation>
    </message>
    <message>
        <source>Finish this line first: %1 at %2.</source>
        <translation>Finish this line first: %1 at %2.</translation>
    </message>
    <message>
        <source>Unknown item %1: %2.</source>
        <translation>Unknown item %1: %2.</translation>
    </message>
    <message>
        <source>Wrong item %1 (%2): %3.</source>
        <translation>Wrong item %1 (%2): %3.</translation>
    </message>
    <message>
        <source>Not this item: %1.</source>
        <translation>Not this item: %1.</translation>
    </message>
    <message>
        <source>Unreadable label (%1): %2.</source>
        <translation>Unreadable label (%1): %2.</translation>
    </message>
    <message>
        <source>%1 is lot-controlled: scan the GS1 label with the lot.</source>
        <translation>%1 is lot-controlled: scan the GS1 label with the lot.</translation>
    </message>
    <message>
        <source>Serial %1 was already scanned.</source>
        <translation>Serial %1 was already scanned.</translation>
    </message>
    <message>
        <source>Too many: only %1 more needed for this line.</source>
        <translation>Too many: only %1 more needed for this line.</translation>
    </message>
    <message>
        <source>%1: %2 of %3.</source>
        <translation>%1: %2 of %3.</translation>
    </message>
    <message>
        <source>Scan the location before entering a quantity.</source>
        <translation>Scan the location before entering a quantity.</translation>
    </message>
    <message>
        <source>Quantity must be between 0 and %1.</source>
        <translation>Quantity must be between 0 and %1.</translation>
    </message>
    <message>
        <source>Nothing to confirm: scan the item first.</source>
        <translation>Nothing to confirm: scan the item first.</translation>
    </message>
    <message>
        <source>There is no open line to short.</source>
        <translation>There is no open line to short.</translation>
    </message>
    <message>
        <source>Choose why the item is short.</source>
        <translation>Choose why the item is short.</translation>
    </message>
    <message>
        <source>The terminal&apos;s storage is full: the pick was not saved. Everything confirmed before is kept. Call your supervisor.</source>
        <translation>The terminal&apos;s storage is full: the pick was not saved. Everything confirmed before is kept. Call your supervisor.</translation>
    </message>
    <message>
        <source>Could not save the pick. Nothing was changed; try again.</source>
        <translation>Could not save the pick. Nothing was changed; try again.</translation>
    </message>
    <message>
        <source>Picked %1 × %2.</source>
        <translation>Picked %1 × %2.</translation>
    </message>
    <message>
        <source>Short pick recorded: %1 × %2 missing.</source>
        <translation>Short pick recorded: %1 × %2 missing.</translation>
    </message>
    <message>
        <source>Find %1 (%2) and scan the location label where you take it.</source>
        <translation>Find %1 (%2) and scan the location label where you take it.</translation>
    </message>
    <message>
        <source>Scan the label of the location you take %1 from.</source>
        <translation>Scan the label of the location you take %1 from.</translation>
    </message>
</context>
<context>
    <name>StatusPage</name>
    <message>
        <source>Sync status</source>
        <translation>Sync status</translation>
    </message>
    <message>
        <source>Actions the server did not accept as they were</source>
        <translation>Actions the server did not accept as they were</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>Language (after restart)</source>
        <translation>Language (after restart)</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation>State: %1</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>not connected</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>Device: %1</translation>
    </message>
    <message>
        <source>Actions waiting to be sent: %1</source>
        <translation>Actions waiting to be sent: %1</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>Last sync: %1</translation>
    </message>
    <message>
        <source>never</source>
        <translation>never</translation>
    </message>
    <message>
        <source>Last problem: %1</source>
        <translation>Last problem: %1</translation>
    </message>
    <message>
        <source>Camera for scanning</source>
        <translation>Camera for scanning</translation>
    </message>
    <message>
        <source>Default camera</source>
        <translation>Default camera</translation>
    </message>
</context>
<context>
    <name>SyncClient</name>
    <message>
        <source>The terminal&apos;s certificate is missing: connect it again.</source>
        <translation>The terminal&apos;s certificate is missing: connect it again.</translation>
    </message>
    <message>
        <source>The local database could not be read.</source>
        <translation>The local database could not be read.</translation>
    </message>
    <message>
        <source>An action on this terminal cannot be sent. Call your supervisor.</source>
        <translation>An action on this terminal cannot be sent. Call your supervisor.</translation>
    </message>
    <message>
        <source>The server cannot be reached.</source>
        <translation>The server cannot be reached.</translation>
    </message>
    <message>
        <source>The server refused the upload (HTTP %1).</source>
        <translation>The server refused the upload (HTTP %1).</translation>
    </message>
    <message>
        <source>The server sent an answer this terminal does not understand.</source>
        <translation>The server sent an answer this terminal does not understand.</translation>
    </message>
    <message>
        <source>The local database is busy.</source>
        <translation>The local database is busy.</translation>
    </message>
    <message>
        <source>The local database could not be written.</source>
        <translation>The local database could not be written.</translation>
    </message>
    <message>
        <source>The server did not give this terminal a new identity.</source>
        <translation>The server did not give this terminal a new identity.</translation>
    </message>
    <message>
        <source>The server refused the download (HTTP %1).</source>
        <translation>The server refused the download (HTTP %1).</translation>
    </message>
    <message>
        <source>Data from the server could not be stored.</source>
        <translation>Data from the server could not be stored.</translation>
    </message>
    <message>
        <source>A connection is already running. Try again in a moment.</source>
        <translation>A connection is already running. Try again in a moment.</translation>
    </message>
    <message>
        <source>The CA certificate file is not a PEM certificate.</source>
        <translation>The CA certificate file is not a PEM certificate.</translation>
    </message>
    <message>
        <source>The terminal could not create its key.</source>
        <translation>The terminal could not create its key.</translation>
    </message>
    <message>
        <source>The server refused the code. Ask for a new one.</source>
        <translation>The server refused the code. Ask for a new one.</translation>
    </message>
    <message>
        <source>The terminal could not store its key.</source>
        <translation>The terminal could not store its key.</translation>
    </message>
    <message>
        <source>This terminal is connected.</source>
        <translation>This terminal is connected.</translation>
    </message>
    <message>
        <source>The server address must start with https://.</source>
        <translation>The server address must start with https://.</translation>
    </message>
    <message>
        <source>The enrollment code has 32 characters (0-9, a-f).</source>
        <translation>The enrollment code has 32 characters (0-9, a-f).</translation>
    </message>
    <message>
        <source>The server does not enroll terminals yet. Call your supervisor.</source>
        <translation>The server does not enroll terminals yet. Call your supervisor.</translation>
    </message>
    <message>
        <source>The server refused the request (HTTP %1).</source>
        <translation>The server refused the request (HTTP %1).</translation>
    </message>
</context>
<context>
    <name>Terminal</name>
    <message>
        <source>Choose the server&apos;s CA certificate file (PEM).</source>
        <translation>Choose the server&apos;s CA certificate file (PEM).</translation>
    </message>
    <message>
        <source>The server address must start with https://.</source>
        <translation>The server address must start with https://.</translation>
    </message>
    <message>
        <source>Sync is switched off (--no-sync).</source>
        <translation>Sync is switched off (--no-sync).</translation>
    </message>
</context>
</TS>
