// soko-terminal responsiveness on a big local database: 100,000 SKUs and 10,000 open order lines
// (2,000 released orders × 5 lines) in terminal.sqlite, the real composition root (Terminal) and
// window, offscreen. Measures
//   - start-up: Terminal::start() on that database until the first frame is rendered (grab),
//   - wedge scan → UI updated: the scanner's key events (sendEvent through WedgeScanSource, as a
//     USB scanner's keystrokes arrive) until the workflow has run, SQLite has committed (item
//     scans write a pick and its outbox op) and the window has repainted (repaint + events),
//     over ≥ 1,000 scans: pick slips, bin labels and JANs, p50/p99/max,
//   - resident memory (VmRSS, VmHWM).
// Writes bench/results/terminal.json.
//
// Usage: terminal_scan_bench [scans=1200] [output=<source>/bench/results/terminal.json]
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QTemporaryDir>
#include <QWidget>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "client/app/mainwindow.h"
#include "client/app/options.h"
#include "client/app/terminal.h"
#include "client/storage/localdatabase.h"
#include "client/storage/locationrepository.h"
#include "client/storage/operatorrepository.h"
#include "client/storage/orderrepository.h"
#include "client/storage/skurepository.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"
#include "client/views/loginpage.h"
#include "client/workflows/pickingworkflow.h"
#include "common/barcode/gtin.h"

namespace {

constexpr int s_skuCount = 100000;
constexpr int s_orderCount = 2000;
constexpr int s_linesPerOrder = 5;
constexpr int s_locationCount = 500;

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "terminal_scan_bench: %s failed\n", what);
        std::exit(1);
    }
}

// A valid GTIN-14 for SKU number `index` (company prefix 4912345, check digit computed).
QString gtinFor(int index)
{
    const std::string body = "0491" + QStringLiteral("%1").arg(index, 9, 10, QLatin1Char('0')).toStdString();
    int sum = 0;
    for (std::size_t i = 0; i < body.size(); ++i)
        sum += (body[body.size() - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    return QString::fromStdString(body) + QChar(u'0' + (10 - sum % 10) % 10);
}

QString skuCode(int index)
{
    return QStringLiteral("SKU-%1").arg(index, 6, 10, QLatin1Char('0'));
}

QString locationCode(int index)
{
    return QStringLiteral("A-%1-%2-1")
        .arg(index / 50 + 1, 2, 10, QLatin1Char('0'))
        .arg(index % 50 + 1, 2, 10, QLatin1Char('0'));
}

void fill(const QString &folder)
{
    LocalDatabase database(QStringLiteral("bench-fill"));
    check(bool(database.open(folder + QStringLiteral("/terminal.sqlite"))), "open");
    check(bool(SyncStateRepository(database).ensureIdentity()), "identity");
    TransactionGuard transaction(database);
    check(transaction.isActive(), "begin");
    QList<SkuRecord> skus;
    skus.reserve(s_skuCount);
    for (int i = 0; i < s_skuCount; ++i)
        skus.append(
            SkuRecord{skuCode(i), QStringLiteral("Item %1").arg(i), QStringLiteral("piece"), false, {gtinFor(i)}});
    check(bool(SkuRepository(database).upsertMany(transaction, skus)), "skus");
    QList<LocationRecord> locations;
    for (int i = 0; i < s_locationCount; ++i)
        locations.append(LocationRecord{locationCode(i), QStringLiteral("TKY1"), QStringLiteral("ambient"), i});
    check(bool(LocationRepository(database).upsertMany(transaction, locations)), "locations");
    OperatorRecord picker{QStringLiteral("OP-0001"), QStringLiteral("Bench Picker"), QStringLiteral("OP-0001"),
                          OperatorRepository::hashPin(QStringLiteral("2468")), true};
    check(bool(OperatorRepository(database).upsertMany(transaction, {picker})), "operator");
    OrderRepository orders(database);
    for (int o = 0; o < s_orderCount; ++o) {
        OrderImport import;
        import.order.id = 100000 + o;
        import.order.store = QStringLiteral("shop");
        import.order.orderNumber = QStringLiteral("SO-%1").arg(100000 + o);
        import.order.customer = QStringLiteral("Customer %1").arg(o);
        import.order.warehouse = QStringLiteral("TKY1");
        import.order.state = QStringLiteral("released");
        for (int l = 0; l < s_linesPerOrder; ++l) {
            OrderLineRecord line;
            line.lineNumber = l + 1;
            const int sku = (o * 37 + l * 7919) % s_skuCount;
            line.skuCode = skuCode(sku);
            line.locationCode = locationCode((o + l * 13) % s_locationCount);
            line.quantity = 1;
            import.lines.append(line);
        }
        check(bool(orders.upsert(transaction, import)), "order");
    }
    check(bool(transaction.commit()), "commit");
}

qint64 statusKilobytes(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field))).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

// The scanner's keystrokes: one press/release per character and Enter, into the focus widget.
void wedge(QWidget &window, const QString &text)
{
    QWidget *target = QApplication::focusWidget() ? QApplication::focusWidget() : &window;
    auto type = [target](int key, const QString &keyText) {
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, keyText);
        QApplication::sendEvent(target, &press);
        QKeyEvent release(QEvent::KeyRelease, key, Qt::NoModifier, keyText);
        QApplication::sendEvent(target, &release);
    };
    for (const QChar character : text)
        type(int(character.toUpper().unicode()), QString(character));
    type(Qt::Key_Return, QStringLiteral("\r"));
}

double percentile(std::vector<double> values, double fraction)
{
    std::sort(values.begin(), values.end());
    const std::size_t index = std::min(values.size() - 1, std::size_t(fraction * double(values.size() - 1) + 0.5));
    return values[index];
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication application(argc, argv);
    const QStringList arguments = QApplication::arguments();
    const int scanTarget = std::max(1000, arguments.value(1, QStringLiteral("1200")).toInt());
    const QString output = arguments.value(2, QStringLiteral(SOKO_SOURCE_DIR "/bench/results/terminal.json"));

    QTemporaryDir folder;
    check(folder.isValid(), "temporary folder");
    QElapsedTimer fillTimer;
    fillTimer.start();
    fill(folder.path());
    const qint64 fillMs = fillTimer.elapsed();

    TerminalOptions options;
    options.dataDirectory = folder.path();
    options.noSync = true;
    options.muted = true;
    QElapsedTimer startTimer;
    startTimer.start();
    Terminal terminal(options);
    check(bool(terminal.start()), "Terminal::start");
    (void)terminal.window().grab(); // the first frame, rendered
    QApplication::processEvents();
    const qint64 startupMs = startTimer.elapsed();
    const qint64 rssAfterStart = statusKilobytes("VmRSS:");

    MainWindow &window = terminal.window();
    wedge(window, QStringLiteral("OP-0001"));
    window.loginPage()->submitPin(QStringLiteral("2468"));
    check(window.page() == MainWindow::Page::Orders, "login");

    std::vector<double> scanMs;
    scanMs.reserve(std::size_t(scanTarget) + 16);
    auto timedScan = [&](const QString &text) {
        QElapsedTimer timer;
        timer.start();
        wedge(window, text);
        window.repaint();
        QApplication::processEvents();
        scanMs.push_back(double(timer.nsecsElapsed()) / 1e6);
    };
    PickingWorkflow &picking = terminal.picking();
    int order = 0;
    while (int(scanMs.size()) < scanTarget && order < s_orderCount) {
        window.showPage(MainWindow::Page::Orders);
        timedScan(QStringLiteral("SO-%1").arg(100000 + order++)); // pick slip: opens the order
        check(window.page() == MainWindow::Page::Picking, "open order");
        while (picking.step() != PickingWorkflow::Step::OrderDone) {
            const OrderLineRecord line = *picking.currentLine();
            if (picking.step() == PickingWorkflow::Step::ScanLocation)
                timedScan(line.locationCode);
            const int sku = line.skuCode.mid(4).toInt();
            timedScan(gtinFor(sku)); // quantity 1: the line confirms (SQLite commit) on this scan
        }
    }
    const qint64 rss = statusKilobytes("VmRSS:");
    const qint64 peak = statusKilobytes("VmHWM:");

    QJsonObject result{
        {QStringLiteral("benchmark"), QStringLiteral("terminal_scan_bench")},
        {QStringLiteral("skus"), s_skuCount},
        {QStringLiteral("open_order_lines"), s_orderCount * s_linesPerOrder},
        {QStringLiteral("scans"), int(scanMs.size())},
        {QStringLiteral("orders_picked"), order},
        {QStringLiteral("scan_to_ui_ms"),
         QJsonObject{{QStringLiteral("p50"), percentile(scanMs, 0.50)},
                     {QStringLiteral("p99"), percentile(scanMs, 0.99)},
                     {QStringLiteral("max"), *std::max_element(scanMs.begin(), scanMs.end())}}},
        {QStringLiteral("startup_ms"), startupMs},
        {QStringLiteral("database_fill_ms"), fillMs},
        {QStringLiteral("rss_after_start_mib"), double(rssAfterStart) / 1024.0},
        {QStringLiteral("rss_after_scans_mib"), double(rss) / 1024.0},
        {QStringLiteral("peak_rss_mib"), double(peak) / 1024.0},
        {QStringLiteral("qpa"), QApplication::platformName()},
#ifdef NDEBUG
        {QStringLiteral("build"), QStringLiteral("optimised (NDEBUG)")},
#else
        {QStringLiteral("build"), QStringLiteral("debug")},
#endif
    };
    const QByteArray json = QJsonDocument(result).toJson(QJsonDocument::Indented);
    QFile file(output);
    check(file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(json) == json.size(), "write results");
    std::fwrite(json.constData(), 1, std::size_t(json.size()), stdout);
    return 0;
}
