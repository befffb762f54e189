<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>CameraButton</name>
    <message>
        <source>Camera…</source>
        <translation>カメラ…</translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation>カメラ オン</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>カメラ</translation>
    </message>
    <message>
        <source>Stop scanning with the camera</source>
        <translation>カメラでのスキャンを止める</translation>
    </message>
    <message>
        <source>Scan with the camera</source>
        <translation>カメラでスキャン</translation>
    </message>
</context>
<context>
    <name>CameraScanSource</name>
    <message>
        <source>No camera found on this terminal.</source>
        <translation>この端末にはカメラがありません。</translation>
    </message>
    <message>
        <source>The camera is not connected. Choose another one on the Sync status screen.</source>
        <translation>カメラが接続されていません。「同期状況」の画面で別のカメラを選んでください。</translation>
    </message>
    <message>
        <source>The camera stopped: %1</source>
        <translation>カメラが停止しました: %1</translation>
    </message>
</context>
<context>
    <name>EnrollmentPage</name>
    <message>
        <source>Connect this terminal</source>
        <translation>この端末を接続</translation>
    </message>
    <message>
        <source>https://soko.example:8443</source>
        <translation>https://soko.example:8443</translation>
    </message>
    <message>
        <source>One-time code</source>
        <translation>ワンタイムコード</translation>
    </message>
    <message>
        <source>server-ca.pem</source>
        <translation>server-ca.pem</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>サーバーアドレス</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>登録コード</translation>
    </message>
    <message>
        <source>Server CA certificate</source>
        <translation>サーバーCA証明書</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>接続</translation>
    </message>
    <message>
        <source>Work offline</source>
        <translation>オフラインで作業</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt)</source>
        <translation>証明書 (*.pem *.crt)</translation>
    </message>
    <message>
        <source>Enter the server address and the one-time code.</source>
        <translation>サーバーアドレスとワンタイムコードを入力してください。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>接続中…</translation>
    </message>
    <message>
        <source>https://soko.example:8444</source>
        <translation>https://soko.example:8444</translation>
    </message>
    <message>
        <source>Sync address</source>
        <translation>同期アドレス</translation>
    </message>
</context>
<context>
    <name>LocalDatabase</name>
    <message>
        <source>The terminal&apos;s database %1 is damaged (%2). It was not used: nothing in it was changed. Call your supervisor to restore the terminal.</source>
        <translation>端末のデータベース %1 が壊れています（%2）。使用していないため、中身は何も変更されていません。端末の復元を監督者に依頼してください。</translation>
    </message>
    <message>
        <source>The terminal&apos;s database %1 cannot be read.</source>
        <translation>端末のデータベース %1 を読み込めません。</translation>
    </message>
    <message>
        <source>the file is cut short</source>
        <translation>ファイルが途中で切れています</translation>
    </message>
    <message>
        <source>the file is not a SQLite database</source>
        <translation>ファイルが SQLite データベースではありません</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Log in</source>
        <translation>ログイン</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>%1, enter your PIN.</source>
        <translation>%1さん、PINを入力してください。</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Scan your operator badge.</source>
        <translation>作業者バッジをスキャンしてください。</translation>
    </message>
    <message>
        <source>Badge (if the label cannot be scanned)</source>
        <translation>バッジ番号（スキャンできない場合）</translation>
    </message>
</context>
<context>
    <name>LoginWorkflow</name>
    <message>
        <source>Too many wrong PINs. Wait a moment and scan your badge again.</source>
        <translation>PINの誤りが多すぎます。しばらく待ってからバッジを再度スキャンしてください。</translation>
    </message>
    <message>
        <source>Unknown badge. Scan your operator badge.</source>
        <translation>登録されていないバッジです。作業者バッジをスキャンしてください。</translation>
    </message>
    <message>
        <source>Hello %1. Enter your PIN.</source>
        <translation>%1さん、こんにちは。PINを入力してください。</translation>
    </message>
    <message>
        <source>Scan your badge first.</source>
        <translation>先にバッジをスキャンしてください。</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>PINが違います。もう一度入力してください。</translation>
    </message>
    <message>
        <source>Logged in as %1.</source>
        <translation>%1としてログインしました。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Not connected</source>
        <translation>未接続</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>オンライン</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>同期中…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>オフライン</translation>
    </message>
    <message>
        <source>Soko terminal</source>
        <translation>Soko 端末</translation>
    </message>
    <message>
        <source>This order cannot be picked now.</source>
        <translation>この注文は現在ピッキングできません。</translation>
    </message>
    <message>
        <source>Scan a pick slip to open its order.</source>
        <translation>ピッキングリストのバーコードをスキャンして注文を開いてください。</translation>
    </message>
    <message numerus="yes">
        <source>%n to send</source>
        <translation>
            <numerusform>未送信 %n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>未同期</translation>
    </message>
    <message>
        <source>Synced %1</source>
        <translation>同期 %1</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>ロック中</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>未ログイン</translation>
    </message>
    <message>
        <source>No server</source>
        <translation>サーバーなし</translation>
    </message>
    <message numerus="yes">
        <source>%n action(s) need attention: see Sync status.</source>
        <translation>
            <numerusform>%n 件の作業に対応が必要です。同期状況を確認してください。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrderListModel</name>
    <message>
        <source>Imported</source>
        <translation>取込済</translation>
    </message>
    <message>
        <source>Allocated</source>
        <translation>引当済</translation>
    </message>
    <message>
        <source>Released</source>
        <translation>指示済</translation>
    </message>
    <message>
        <source>Picking</source>
        <translation>ピッキング中</translation>
    </message>
    <message>
        <source>Picked</source>
        <translation>ピック済</translation>
    </message>
    <message>
        <source>Packed</source>
        <translation>梱包済</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>出荷済</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>注文</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>お客様</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>明細</translation>
    </message>
</context>
<context>
    <name>OrderListPage</name>
    <message>
        <source>Pick lists</source>
        <translation>ピッキングリスト</translation>
    </message>
    <message>
        <source>Pick</source>
        <translation>ピック</translation>
    </message>
    <message>
        <source>Pack &amp;&amp; ship</source>
        <translation>梱包・出荷</translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation>同期状況</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>ログアウト</translation>
    </message>
</context>
<context>
    <name>OutboxProblemModel</name>
    <message>
        <source>Pick</source>
        <translation>ピック</translation>
    </message>
    <message>
        <source>Short pick</source>
        <translation>欠品</translation>
    </message>
    <message>
        <source>Pack</source>
        <translation>梱包</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>出荷</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>却下</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>要確認</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>番号</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>作業</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Server reason</source>
        <translation>サーバーの理由</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>時刻 (UTC)</translation>
    </message>
</context>
<context>
    <name>PackingPage</name>
    <message>
        <source>Pack &amp; ship</source>
        <translation>梱包・出荷</translation>
    </message>
    <message>
        <source>Type the number if the label cannot be scanned</source>
        <translation>ラベルをスキャンできない場合は番号を入力</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>確定</translation>
    </message>
    <message>
        <source>Start over</source>
        <translation>やり直す</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>戻る</translation>
    </message>
</context>
<context>
    <name>PackingWorkflow</name>
    <message>
        <source>Scan the pick slip of a picked order.</source>
        <translation>ピック済み注文のピッキングリストをスキャンしてください。</translation>
    </message>
    <message>
        <source>Order %1: scan the tracking number label of the carton.</source>
        <translation>注文 %1：箱の送り状番号ラベルをスキャンしてください。</translation>
    </message>
    <message>
        <source>Log in before packing.</source>
        <translation>梱包の前にログインしてください。</translation>
    </message>
    <message>
        <source>Unknown order %1: scan the pick slip.</source>
        <translation>注文 %1 は見つかりません。ピッキングリストをスキャンしてください。</translation>
    </message>
    <message>
        <source>Order %1 is already shipped (%2).</source>
        <translation>注文 %1 は出荷済みです（%2）。</translation>
    </message>
    <message>
        <source>Order %1 is not picked yet: pick it first.</source>
        <translation>注文 %1 はまだピッキングされていません。先にピッキングしてください。</translation>
    </message>
    <message>
        <source>Order %1: scan the tracking number.</source>
        <translation>注文 %1：送り状番号をスキャンしてください。</translation>
    </message>
    <message>
        <source>Carton %1 recorded: scan the tracking number.</source>
        <translation>箱 %1 を記録しました。送り状番号をスキャンしてください。</translation>
    </message>
    <message>
        <source>That is not a tracking number: scan the carrier label of order %1.</source>
        <translation>送り状番号ではありません。注文 %1 の配送ラベルをスキャンしてください。</translation>
    </message>
    <message>
        <source>Tracking number %1 is not valid: scan the carrier label.</source>
        <translation>送り状番号 %1 は無効です。配送ラベルをスキャンしてください。</translation>
    </message>
    <message>
        <source>Could not save the shipment. Nothing was changed; try again.</source>
        <translation>出荷を保存できませんでした。何も変更されていません。もう一度お試しください。</translation>
    </message>
    <message>
        <source>Order %1 shipped with %2.</source>
        <translation>注文 %1 を送り状 %2 で出荷しました。</translation>
    </message>
</context>
<context>
    <name>PickListModel</name>
    <message>
        <source>Location</source>
        <translation>ロケーション</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>注文数</translation>
    </message>
    <message>
        <source>Picked</source>
        <translation>ピック済</translation>
    </message>
    <message>
        <source>Short</source>
        <translation>欠品数</translation>
    </message>
</context>
<context>
    <name>PickingPage</name>
    <message>
        <source>Set quantity</source>
        <translation>数量を設定</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>確定</translation>
    </message>
    <message>
        <source>Short…</source>
        <translation>欠品…</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>戻る</translation>
    </message>
    <message>
        <source>Order %1 · %2 of %3 lines done</source>
        <translation>注文 %1 · %3 明細中 %2 完了</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完了</translation>
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
        <translation>欠品</translation>
    </message>
    <message>
        <source>Why is the item short?</source>
        <translation>欠品の理由を選んでください。</translation>
    </message>
</context>
<context>
    <name>PickingWorkflow</name>
    <message>
        <source>Not found at the location</source>
        <translation>ロケーションにない</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>破損</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>期限切れ</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>その他</translation>
    </message>
    <message>
        <source>Choose an order from the pick list.</source>
        <translation>ピッキングリストから注文を選んでください。</translation>
    </message>
    <message>
        <source>Go to %1 and scan the location label.</source>
        <translation>%1 へ行き、ロケーションラベルをスキャンしてください。</translation>
    </message>
    <message>
        <source>%1 of %2 scanned. Scan the next item or confirm.</source>
        <translation>%2 個中 %1 個スキャン済み。次の商品をスキャンするか確定してください。</translation>
    </message>
    <message>
        <source>Scan %1 (%2): %3 needed.</source>
        <translation>%1（%2）をスキャンしてください：あと %3 個。</translation>
    </message>
    <message>
        <source>Order %1 is picked.</source>
        <translation>注文 %1 のピッキングが完了しました。</translation>
    </message>
    <message>
        <source>This order is already picked.</source>
        <translation>この注文はピッキング済みです。</translation>
    </message>
    <message>
        <source>Choose an order first.</source>
        <translation>先に注文を選んでください。</translation>
    </message>
    <message>
        <source>Log in before picking.</source>
        <translation>ピッキングの前にログインしてください。</translation>
    </message>
    <message>
        <source>Scan the location first: expected location %1.</source>
        <translation>先にロケーションをスキャンしてください：ロケーション %1。</translation>
    </message>
    <message>
        <source>Wrong location %1: expected %2.</source>
        <translation>ロケーション %1 は違います：正しくは %2 です。</translation>
    </message>
    <message>
        <source>Location %1 confirmed.</source>
        <translation>ロケーション %1 を確認しました。</translation>
    </message>
    <message>
        <source>expected %1 (%2)</source>
        <translation>正しい商品は %1（%2）</translation>
    </message>
    <message>
        <source>Finish this line first: %1 at %2.</source>
        <translation>先にこの明細を完了してください：%2 の %1。</translation>
    </message>
    <message>
        <source>Unknown item %1: %2.</source>
        <translation>登録されていない商品 %1：%2。</translation>
    </message>
    <message>
        <source>Wrong item %1 (%2): %3.</source>
        <translation>商品が違います %1（%2）：%3。</translation>
    </message>
    <message>
        <source>Not this item: %1.</source>
        <translation>この商品ではありません：%1。</translation>
    </message>
    <message>
        <source>Unreadable label (%1): %2.</source>
        <translation>ラベルを読み取れません（%1）：%2。</translation>
    </message>
    <message>
        <source>%1 is lot-controlled: scan the GS1 label with the lot.</source>
        <translation>%1 はロット管理品です。ロット付きのGS1ラベルをスキャンしてください。</translation>
    </message>
    <message>
        <source>Serial %1 was already scanned.</source>
        <translation>シリアル %1 はスキャン済みです。</translation>
    </message>
    <message>
        <source>Too many: only %1 more needed for this line.</source>
        <translation>数量超過：この明細はあと %1 個だけです。</translation>
    </message>
    <message>
        <source>%1: %2 of %3.</source>
        <translation>%1：%3 個中 %2 個。</translation>
    </message>
    <message>
        <source>Scan the location before entering a quantity.</source>
        <translation>数量を入力する前にロケーションをスキャンしてください。</translation>
    </message>
    <message>
        <source>Quantity must be between 0 and %1.</source>
        <translation>数量は 0 から %1 の間で入力してください。</translation>
    </message>
    <message>
        <source>Nothing to confirm: scan the item first.</source>
        <translation>確定するものがありません。先に商品をスキャンしてください。</translation>
    </message>
    <message>
        <source>There is no open line to short.</source>
        <translation>欠品にできる未完了の明細がありません。</translation>
    </message>
    <message>
        <source>Choose why the item is short.</source>
        <translation>欠品の理由を選んでください。</translation>
    </message>
    <message>
        <source>The terminal&apos;s storage is full: the pick was not saved. Everything confirmed before is kept. Call your supervisor.</source>
        <translation>端末のストレージがいっぱいです。このピッキングは保存されていません。これまでに確定した内容は残っています。監督者に連絡してください。</translation>
    </message>
    <message>
        <source>Could not save the pick. Nothing was changed; try again.</source>
        <translation>ピッキングを保存できませんでした。何も変更されていません。もう一度お試しください。</translation>
    </message>
    <message>
        <source>Picked %1 × %2.</source>
        <translation>%2 を %1 個ピックしました。</translation>
    </message>
    <message>
        <source>Short pick recorded: %1 × %2 missing.</source>
        <translation>欠品を記録しました：%2 が %1 個不足。</translation>
    </message>
    <message>
        <source>Find %1 (%2) and scan the location label where you take it.</source>
        <translation>%1（%2）を探し、取り出すロケーションのラベルをスキャンしてください。</translation>
    </message>
    <message>
        <source>Scan the label of the location you take %1 from.</source>
        <translation>%1 を取り出すロケーションのラベルをスキャンしてください。</translation>
    </message>
</context>
<context>
    <name>StatusPage</name>
    <message>
        <source>Sync status</source>
        <translation>同期状況</translation>
    </message>
    <message>
        <source>Actions the server did not accept as they were</source>
        <translation>サーバーがそのまま受け付けなかった作業</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>システムの言語</translation>
    </message>
    <message>
        <source>Language (after restart)</source>
        <translation>言語（再起動後に反映）</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>今すぐ同期</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>戻る</translation>
    </message>
    <message>
        <source>State: %1</source>
        <translation>状態：%1</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>サーバー：%1</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>未接続</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>端末：%1</translation>
    </message>
    <message>
        <source>Actions waiting to be sent: %1</source>
        <translation>未送信の作業：%1 件</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>最終同期：%1</translation>
    </message>
    <message>
        <source>never</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Last problem: %1</source>
        <translation>直近の問題：%1</translation>
    </message>
    <message>
        <source>Camera for scanning</source>
        <translation>スキャンに使うカメラ</translation>
    </message>
    <message>
        <source>Default camera</source>
        <translation>標準のカメラ</translation>
    </message>
</context>
<context>
    <name>SyncClient</name>
    <message>
        <source>The terminal&apos;s certificate is missing: connect it again.</source>
        <translation>端末の証明書がありません。もう一度接続してください。</translation>
    </message>
    <message>
        <source>The local database could not be read.</source>
        <translation>端末のデータベースを読み込めませんでした。</translation>
    </message>
    <message>
        <source>An action on this terminal cannot be sent. Call your supervisor.</source>
        <translation>この端末の作業を送信できません。管理者を呼んでください。</translation>
    </message>
    <message>
        <source>The server cannot be reached.</source>
        <translation>サーバーに接続できません。</translation>
    </message>
    <message>
        <source>The server refused the upload (HTTP %1).</source>
        <translation>サーバーが送信を拒否しました（HTTP %1）。</translation>
    </message>
    <message>
        <source>The server sent an answer this terminal does not understand.</source>
        <translation>サーバーの応答をこの端末で解釈できません。</translation>
    </message>
    <message>
        <source>The local database is busy.</source>
        <translation>端末のデータベースが使用中です。</translation>
    </message>
    <message>
        <source>The local database could not be written.</source>
        <translation>端末のデータベースに書き込めませんでした。</translation>
    </message>
    <message>
        <source>The server did not give this terminal a new identity.</source>
        <translation>サーバーがこの端末に新しい識別情報を発行しませんでした。</translation>
    </message>
    <message>
        <source>The server refused the download (HTTP %1).</source>
        <translation>サーバーが受信を拒否しました（HTTP %1）。</translation>
    </message>
    <message>
        <source>Data from the server could not be stored.</source>
        <translation>サーバーのデータを保存できませんでした。</translation>
    </message>
    <message>
        <source>A connection is already running. Try again in a moment.</source>
        <translation>すでに接続中です。しばらくしてからお試しください。</translation>
    </message>
    <message>
        <source>The CA certificate file is not a PEM certificate.</source>
        <translation>CA証明書ファイルがPEM形式の証明書ではありません。</translation>
    </message>
    <message>
        <source>The terminal could not create its key.</source>
        <translation>端末の鍵を作成できませんでした。</translation>
    </message>
    <message>
        <source>The server refused the code. Ask for a new one.</source>
        <translation>サーバーがコードを拒否しました。新しいコードを発行してもらってください。</translation>
    </message>
    <message>
        <source>The terminal could not store its key.</source>
        <translation>端末の鍵を保存できませんでした。</translation>
    </message>
    <message>
        <source>This terminal is connected.</source>
        <translation>この端末は接続されました。</translation>
    </message>
    <message>
        <source>The server address must start with https://.</source>
        <translation>サーバーアドレスは https:// で始めてください。</translation>
    </message>
    <message>
        <source>The enrollment code has 32 characters (0-9, a-f).</source>
        <translation>登録コードは 32 文字（0-9、a-f）です。</translation>
    </message>
    <message>
        <source>The server does not enroll terminals yet. Call your supervisor.</source>
        <translation>サーバーはまだ端末を登録できません。責任者に連絡してください。</translation>
    </message>
    <message>
        <source>The server refused the request (HTTP %1).</source>
        <translation>サーバーが要求を拒否しました（HTTP %1）。</translation>
    </message>
</context>
<context>
    <name>Terminal</name>
    <message>
        <source>Choose the server&apos;s CA certificate file (PEM).</source>
        <translation>サーバーのCA証明書ファイル（PEM）を選んでください。</translation>
    </message>
    <message>
        <source>The server address must start with https://.</source>
        <translation>サーバーアドレスは https:// で始めてください。</translation>
    </message>
    <message>
        <source>Sync is switched off (--no-sync).</source>
        <translation>同期はオフになっています（--no-sync）。</translation>
    </message>
</context>
</TS>
