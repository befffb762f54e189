// Storage faults of the terminal (issue 7 "Nothing lost"), on real SQLite files:
// - the disk fills up (SQLite's size limit, PRAGMA max_page_count, stands in for a full flash):
//   the action is refused with the workflow's translated message, nothing already confirmed is
//   lost, no seq is burnt, and work resumes once space is back;
// - a damaged database (header or a page overwritten, the file cut short, not SQLite at all) is
//   detected when the terminal starts, with a translated message naming the file, and the file
//   is left as it was (never used, never "repaired" by writing into it).
// Randomness (which page, which bytes) comes from one seed (SOKO_FAULT_SEED, else random), printed.
#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QTranslator>

#include "client/scanning/scanrouter.h"
#include "client/workflows/pickingworkflow.h"
#include "client/workflows/session.h"
#include "tests/support/fakescansource.h"
#include "tests/support/pickingrig.h"
#include "tests/fault/faultseed.h"
#include "tests/support/terminalfixture.h"

namespace {

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

// A terminal database of several hundred pages: the sample warehouse and 3,000 more SKUs.
bool buildDatabase(const QString &folder, qint64 *pageSize, qint64 *pageCount)
{
    LocalDatabase database(QStringLiteral("build"));
    if (!TestSupport::openDatabase(database, folder) || !TestSupport::importSample(database))
        return false;
    QList<SkuRecord> skus;
    for (int index = 0; index < 3000; ++index) {
        SkuRecord sku;
        sku.code = QStringLiteral("FILL-%1").arg(index, 5, 10, QLatin1Char('0'));
        sku.name = QStringLiteral("Filler item with a longer name to use some space %1").arg(index);
        skus.append(sku);
    }
    TransactionGuard transaction(database);
    if (!transaction.isActive() || !SkuRepository(database).upsertMany(transaction, skus) || !transaction.commit())
        return false;
    *pageSize = TestSupport::scalar(database, QStringLiteral("PRAGMA page_size"));
    *pageCount = TestSupport::scalar(database, QStringLiteral("PRAGMA page_count"));
    return *pageSize > 0 && *pageCount > 50;
}

} // namespace

class TestFaultStorage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { qInfo("fault seed %llu (replay with SOKO_FAULT_SEED=%llu)", faultSeed(), faultSeed()); }

    void diskFullRefusesTheActionAndLosesNothing()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        LocalDatabase database(QStringLiteral("full"));
        QVERIFY(TestSupport::openDatabase(database, folder.path()));
        QVERIFY(TestSupport::importSample(database));
        TestSupport::PickingRig rig(database);
        auto &[orders, skus, outbox, session, picking, router, source] = rig;
        QVERIFY(picking.startOrder(1001));
        source.inject(QStringLiteral("A-01-01-1"));
        for (int i = 0; i < 3; ++i)
            source.inject(QStringLiteral("4901780188352")); // apple ×3: the line is done and written
        QCOMPARE(orders.pickRecords(1001)->size(), 1);

        // The flash fills up: the database may not grow beyond its current pages + 4.
        const qint64 pages = TestSupport::scalar(database, QStringLiteral("PRAGMA page_count"));
        QVERIFY(pages > 0);
        QCOMPARE(TestSupport::scalar(database, QStringLiteral("PRAGMA max_page_count = %1").arg(pages + 4)), pages + 4);
        // Other work takes the last free pages, big ops first, then ever smaller ones, until even
        // the smallest write is refused: the disk is full.
        int confirmed = 1; // the apple pick
        Common::Error refusal;
        for (const int size : {1500, 300, 40, 1}) {
            for (int attempt = 0; attempt < 400; ++attempt) {
                TransactionGuard transaction(database);
                QVERIFY(transaction.isActive());
                auto op = outbox.append(transaction, QStringLiteral("count"),
                                        QJsonObject{{QStringLiteral("note"), QString(size, QLatin1Char('x'))}},
                                        QStringLiteral("op-1"));
                auto committed = op ? transaction.commit() : Common::Result<void>(tl::unexpected(op.error()));
                if (!committed) {
                    refusal = committed.error();
                    break;
                }
                ++confirmed;
            }
        }
        QCOMPARE(refusal.code, Common::ErrorCode::Storage);
        QVERIFY2(QString::fromStdString(refusal.message).contains(QLatin1String("full")), refusal.message.c_str());
        QVERIFY(confirmed > 1);

        // The operator's next action is refused with a clear (translated) message; nothing changes.
        QSignalSpy refused(&picking, &PickingWorkflow::refused);
        source.inject(QStringLiteral("A-01-02-1"));
        source.inject(QStringLiteral("(01)09501101530003(10)L1"));
        source.inject(QStringLiteral("(01)09501101530003(10)L1")); // rice ×2: the write is refused
        QVERIFY(!refused.isEmpty());
        // Not "try again" (a full disk stays full): what happened and whom to call.
        QCOMPARE(refused.last().at(0).toString(),
                 PickingWorkflow::tr("The terminal's storage is full: the pick was not saved. Everything confirmed "
                                     "before is kept. Call your supervisor."));
        QCOMPARE(orders.pickRecords(1001)->size(), 1);
        QCOMPARE(int(outbox.all()->size()), confirmed);
        QSqlQuery check(database.database());
        QVERIFY(check.exec(QStringLiteral("PRAGMA integrity_check")) && check.next());
        QCOMPARE(check.value(0).toString(), QStringLiteral("ok"));

        // Space comes back (a new connection has no limit): everything confirmed is there, the
        // refused pick can be done again and takes the next seq (none was burnt).
        database.close();
        LocalDatabase reopened(QStringLiteral("reopened"));
        QVERIFY(TestSupport::openDatabase(reopened, folder.path()));
        TestSupport::PickingRig again(reopened);
        QCOMPARE(int(again.outbox.all()->size()), confirmed);
        QVERIFY(again.picking.startOrder(1001));
        again.source.inject(QStringLiteral("A-01-02-1"));
        again.source.inject(QStringLiteral("(01)09501101530003(10)L1"));
        again.source.inject(QStringLiteral("(01)09501101530003(10)L1"));
        const auto all = again.outbox.all();
        QCOMPARE(int(all->size()), confirmed + 1);
        for (int i = 0; i < all->size(); ++i)
            QCOMPARE(all->at(i).seq, i + 1);
        QCOMPARE(again.orders.pickRecords(1001)->size(), 2);
        qInfo("faults storage-full: 1 disk-full (max_page_count %lld), %d writes confirmed before it, "
              "1 pick refused, 0 lost, no seq burnt",
              pages + 4, confirmed);
    }

    void damagedDatabaseIsDetectedAtStart_data()
    {
        QTest::addColumn<QString>("damage");
        for (const char *damage : {"header overwritten", "page overwritten", "cut to half", "cut inside the header",
                                   "not a database", "first page overwritten"})
            QTest::newRow(damage) << QString::fromLatin1(damage);
    }

    void damagedDatabaseIsDetectedAtStart()
    {
        QFETCH(QString, damage);
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        qint64 pageSize = 0, pageCount = 0;
        QVERIFY(buildDatabase(folder.path(), &pageSize, &pageCount));
        const QString path = folder.path() + QStringLiteral("/terminal.sqlite");
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal"))); // checkpointed at close: the file is all
        QRandomGenerator random(faultSeed() ^ qHash(damage));
        auto garbage = [&](qint64 size) {
            QByteArray bytes(size, Qt::Uninitialized);
            for (char &byte : bytes)
                byte = char(random.bounded(256));
            return bytes;
        };
        QString where;
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            if (damage == QLatin1String("header overwritten")) {
                QVERIFY(file.seek(0) && file.write(garbage(16)) == 16);
                where = QStringLiteral("bytes 0-15");
            } else if (damage == QLatin1String("page overwritten") ||
                       damage == QLatin1String("first page overwritten")) {
                const qint64 page = damage.startsWith(QLatin1String("first")) ? 1 : 2 + random.bounded(pageCount - 1);
                const qint64 from =
                    (page - 1) * pageSize + (page == 1 ? 100 : 0); // page 1: keep the 100-byte file header
                QVERIFY(file.seek(from) && file.write(garbage(page * pageSize - from)) == page * pageSize - from);
                where = QStringLiteral("page %1 of %2").arg(page).arg(pageCount);
            } else if (damage == QLatin1String("cut to half")) {
                QVERIFY(file.resize(pageCount / 2 * pageSize));
                where = QStringLiteral("%1 of %2 pages kept").arg(pageCount / 2).arg(pageCount);
            } else if (damage == QLatin1String("cut inside the header")) {
                QVERIFY(file.resize(60));
                where = QStringLiteral("60 bytes kept");
            } else {
                QVERIFY(file.resize(0) && file.write(QByteArray("order,sku,quantity\n").repeated(400)) > 0);
                where = QStringLiteral("text file");
            }
        }
        const QByteArray before = fileHash(path);
        LocalDatabase database(QStringLiteral("damaged"));
        auto opened = database.open(path);
        QVERIFY2(!opened, qPrintable(damage + QStringLiteral(" was not detected")));
        QCOMPARE(opened.error().code, Common::ErrorCode::Storage);
        const QString message = QString::fromStdString(opened.error().message);
        // LocalDatabase::tr(): the operator's message, in Japanese on a Japanese terminal.
        QVERIFY2(message.contains(QLatin1String("damaged")) && message.contains(path), qPrintable(message));
        QVERIFY(!database.isOpen());
        QCOMPARE(fileHash(path), before); // refused, not used: not a byte written
        qInfo("faults storage-damage: 1 (%s at %s) detected at start: %s", qPrintable(damage), qPrintable(where),
              qPrintable(message.left(160)));
    }

    // The operator reads it in Japanese on a Japanese terminal (translations/soko_ja.ts, built
    // into soko_ja.qm by the soko-terminal_lrelease target).
    void damagedDatabaseMessageIsTranslated()
    {
        QTemporaryDir folder;
        const QString path = folder.path() + QStringLiteral("/terminal.sqlite");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(QByteArray(40, 'x')) == 40);
        file.close();
        QTranslator japanese;
        QVERIFY(japanese.load(qEnvironmentVariable("SOKO_BUILD_DIR") + QStringLiteral("/client/soko_ja.qm")));
        QCoreApplication::installTranslator(&japanese);
        LocalDatabase database(QStringLiteral("japanese"));
        auto opened = database.open(path);
        QCoreApplication::removeTranslator(&japanese);
        QVERIFY(!opened);
        const QString message = QString::fromStdString(opened.error().message);
        QVERIFY2(message.contains(QStringLiteral("壊れています")) &&
                     message.contains(QStringLiteral("途中で切れています")),
                 qPrintable(message));
    }

    // The control: an intact database after the same build opens, passes the check, keeps its data.
    void intactDatabaseOpens()
    {
        QTemporaryDir folder;
        qint64 pageSize = 0, pageCount = 0;
        QVERIFY(buildDatabase(folder.path(), &pageSize, &pageCount));
        LocalDatabase database(QStringLiteral("intact"));
        QVERIFY(TestSupport::openDatabase(database, folder.path()));
        QCOMPARE(TestSupport::scalar(database, QStringLiteral("SELECT COUNT(*) FROM skus")), qint64(3003));
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    TestFaultStorage test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_faultstorage.moc"
