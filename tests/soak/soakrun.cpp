#include "tests/soak/soakrun.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <pqxx/pqxx>

#include "client/storage/localdatabase.h"
#include "client/storage/orderrepository.h"
#include "client/storage/outboxrepository.h"
#include "client/storage/records.h"
#include "client/storage/syncstaterepository.h"
#include "client/storage/transactionguard.h"
#include "client/sync/syncclient.h"
#include "common/protocol/protocol.h"
#include "tests/e2e/e2ehelpers.h"
#include "tests/e2e/pgdatabase.h"
#include "tests/fault/faultproxy.h"

namespace Soak {
namespace {

namespace Protocol = Common::Protocol;
using TestSupport::FaultCounters;
using TestSupport::FaultDirection;
using TestSupport::FaultMode;
using TestSupport::FaultPlan;
using TestSupport::FaultProxy;
using TestSupport::ServerProcess;

constexpr int s_servers = 2;
const QString s_operator = QStringLiteral("OP-1"); // seeded by E2e::seedWorld
const std::array<const char *, 2> s_skus{"S1", "S2"};
const std::array<const char *, 3> s_locations{"A-1", "A-2", "DOCK"};
const char *const s_ghostSku = "S-GHOST"; // unknown to the server: the op must come back rejected

const std::array<const char *, 7> s_modeNames{"pass", "delay", "drop", "cut", "reset", "blackhole", "flap"};

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// One op created on a terminal and committed locally: the ground truth the checker compares
// the server and the outbox with.
struct CreatedOp
{
    QString opId;
    int terminal = 0;
    QString type;
    Protocol::Payload payload;
    bool mustReject = false;
    bool rolledBack = false; // created after the backup its terminal was later restored from
};

// A simulated terminal: the real engine objects over its SQLite file. A "kill" copies the files
// as they are on disk now (what SIGKILL leaves: the database and its WAL; committed
// transactions are durable with synchronous=FULL), drops the objects without letting them finish
// and later reopens the copy.
struct Terminal
{
    int index = 0;
    QString folder;
    int generation = 0;
    std::unique_ptr<LocalDatabase> database;
    std::unique_ptr<SyncClient> sync;
    QString deviceId;
    bool alive() const { return sync != nullptr; }
    qint64 reviveAtMs = 0;
    QString backupFolder;       // a copy of its files taken earlier ("last night's backup")
    std::size_t backupMark = 0; // m_created.size() when the backup was taken
    int roundsOk = 0;
};

class SoakRun
{
public:
    SoakRun(const Options &options, const std::function<void(const QString &)> &log)
        : m_options(options)
        , m_log(log)
        , m_random(options.seed)
    {}

    Report run()
    {
        say(QStringLiteral("soak: seed=%1 seconds=%2 terminals=%3 servers=%4 (std::mt19937_64)")
                .arg(m_options.seed)
                .arg(m_options.seconds)
                .arg(m_options.terminals)
                .arg(s_servers));
        QElapsedTimer total;
        total.start();
        if (setUp()) {
            QElapsedTimer phase;
            phase.start();
            chaos();
            m_chaosMs = phase.restart();
            const bool healed = heal();
            m_healMs = phase.elapsed();
            if (healed)
                check();
            if (healed && m_report.ok())
                selfTest();
        }
        m_totalMs = total.elapsed();
        summarize();
        tearDown();
        return m_report;
    }

private:
    // ---------------------------------------------------------------- helpers
    void say(const QString &line) const
    {
        if (m_log)
            m_log(line);
    }
    void violation(const QString &text)
    {
        if (!m_quiet && m_report.violations.size() < 200)
            say(QStringLiteral("VIOLATION: ") + text);
        m_report.violations << text;
    }
    int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(m_random); }
    bool chance(double probability) { return std::bernoulli_distribution(probability)(m_random); }
    qint64 now() const { return m_clock.elapsed(); }
    // Runs the Qt event loop (the engines, their network replies and timers) for `ms`.
    static void pump(int ms)
    {
        QEventLoop loop;
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        loop.exec();
    }
    template <typename Predicate> bool pumpUntil(Predicate predicate, int timeoutMs)
    {
        QElapsedTimer waited;
        waited.start();
        while (!predicate()) {
            if (waited.elapsed() > timeoutMs)
                return false;
            pump(50);
        }
        return true;
    }
    QString proxyUrl(int server) const
    {
        return QStringLiteral("https://127.0.0.1:%1").arg(m_proxies[std::size_t(server)]->port());
    }
    int liveServer()
    {
        std::vector<int> live;
        for (int index = 0; index < s_servers; ++index)
            if (m_servers[std::size_t(index)]->isRunning())
                live.push_back(index);
        return live.empty() ? -1 : live[std::size_t(uniform(0, int(live.size()) - 1))];
    }
    // Keep-alive connections idle for 1 s are closed, so the engines open new connections (which
    // the proxies' plans apply to) all the time; a small pool makes 503 + Retry-After part of it.
    static QStringList serverSettings()
    {
        return {QStringLiteral("--set"), QStringLiteral("idle_timeout_seconds=1"), QStringLiteral("--set"),
                QStringLiteral("database_pool_size=4")};
    }
    static SyncClient::Settings engineSettings()
    {
        SyncClient::Settings settings;
        settings.maxBatchOps = 25; // many rounds, many chances to be cut mid-batch
        settings.pullPageLimit = 200;
        settings.requestTimeoutMs = 6000; // a black hole is noticed
        settings.idlePollMs = 1500;
        settings.minBackoffMs = 300;
        settings.maxBackoffMs = 4000;
        return settings;
    }

    // ---------------------------------------------------------------- set-up
    bool setUp()
    {
        m_clock.start();
        if (!m_root.isValid())
            return violation(QStringLiteral("setup: no temporary folder")), false;
        QString why;
        if (!m_database.create(&why))
            return violation(QStringLiteral("setup: ") + why), false;
        for (int index = 0; index < s_servers; ++index)
            m_servers.push_back(std::make_unique<ServerProcess>());
        m_servers[0]->setDatabase(m_database.url());
        if (!E2e::seedWorld(*m_servers[0], &m_adminToken) || !m_servers[1]->copyDataFolderFrom(*m_servers[0]))
            return violation(QStringLiteral("setup: cannot seed the servers")), false;
        for (auto &server : m_servers)
            if (!server->start(serverSettings()))
                return violation(QStringLiteral("setup: a soko-server did not start")), false;
        for (int index = 0; index < s_servers; ++index) {
            auto proxy =
                std::make_unique<FaultProxy>("127.0.0.1", m_servers[std::size_t(index)]->devicesPort(), m_random());
            if (auto started = proxy->start(); !started)
                return violation(QStringLiteral("setup: proxy: ") + QString::fromStdString(started.error().message)),
                       false;
            m_devicesPorts.push_back(m_servers[std::size_t(index)]->devicesPort());
            m_proxies.push_back(std::move(proxy));
        }
        QFile ca(m_servers[0]->serverCaPath());
        if (!ca.open(QIODevice::ReadOnly))
            return violation(QStringLiteral("setup: cannot read the server CA")), false;
        const QByteArray caPem = ca.readAll();
        for (int index = 0; index < m_options.terminals; ++index) {
            Terminal terminal;
            terminal.index = index;
            terminal.folder = m_root.filePath(QStringLiteral("t%1-g0").arg(index));
            QDir().mkpath(terminal.folder);
            m_terminals.push_back(std::move(terminal));
            Terminal &current = m_terminals.back();
            if (!open(current))
                return false;
            const int server = index % s_servers;
            const QString code = m_servers[std::size_t(server)]->enrollmentCode(QStringLiteral("TKY1"),
                                                                                QStringLiteral("soak-%1").arg(index));
            bool finished = false, enrolled = false;
            QString message;
            const QMetaObject::Connection connection =
                QObject::connect(current.sync.get(), &SyncClient::enrollmentFinished, current.sync.get(),
                                 [&](bool ok, const QString &text) {
                                     finished = true;
                                     enrolled = ok;
                                     message = text;
                                 });
            current.sync->enroll(
                QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_servers[std::size_t(server)]->apiPort())),
                QUrl(proxyUrl(server)), code, caPem);
            const bool answered = pumpUntil([&] { return finished; }, 90000);
            QObject::disconnect(connection);
            if (!answered || !enrolled)
                return violation(QStringLiteral("setup: terminal %1 did not enroll: %2").arg(index).arg(message)),
                       false;
            current.deviceId = SyncStateRepository(*current.database).value(SyncStateRepository::DeviceId);
            current.sync->start();
        }
        say(QStringLiteral("soak: %1 terminals enrolled, 2 servers on PostgreSQL, proxies on ports %2 and %3 (%4 s)")
                .arg(m_options.terminals)
                .arg(m_proxies[0]->port())
                .arg(m_proxies[1]->port())
                .arg(double(now()) / 1000.0, 0, 'f', 1));
        return true;
    }

    bool open(Terminal &terminal)
    {
        terminal.database = std::make_unique<LocalDatabase>(
            QStringLiteral("soak-t%1-g%2").arg(terminal.index).arg(terminal.generation));
        if (auto opened = terminal.database->open(terminal.folder + QStringLiteral("/terminal.sqlite")); !opened)
            return violation(QStringLiteral("terminal %1: cannot open its database: %2")
                                 .arg(terminal.index)
                                 .arg(QString::fromStdString(opened.error().message))),
                   false;
        if (!SyncStateRepository(*terminal.database).ensureIdentity())
            return violation(QStringLiteral("terminal %1: no identity").arg(terminal.index)), false;
        terminal.sync = std::make_unique<SyncClient>(*terminal.database, terminal.folder);
        terminal.sync->setSettings(engineSettings());
        QObject::connect(terminal.sync.get(), &SyncClient::roundFinished, terminal.sync.get(),
                         [this, index = terminal.index](bool ok) {
                             if (ok)
                                 ++m_terminals[std::size_t(index)].roundsOk;
                         });
        return true;
    }

    // ---------------------------------------------------------------- terminal work
    // Appends one op (and its local change) in one SQLite transaction, as the workflows do.
    bool appendOp(Terminal &terminal, const Protocol::Payload &payload, bool mustReject,
                  const std::function<bool(TransactionGuard &, const QString &)> &local = {})
    {
        TransactionGuard transaction(*terminal.database);
        if (!transaction.isActive()) {
            ++m_localErrors;
            return false;
        }
        const QString type = fromView(Protocol::operationTypeName(Protocol::payloadType(payload)));
        auto op =
            OutboxRepository(*terminal.database)
                .append(transaction, type, QByteArray::fromStdString(Protocol::encodePayload(payload)), s_operator);
        if (!op || (local && !local(transaction, op->opId)) || !transaction.commit()) {
            ++m_localErrors;
            return false;
        }
        m_created.push_back(CreatedOp{op->opId, terminal.index, type, payload, mustReject});
        ++m_createdByType[type];
        return true;
    }

    void receive(Terminal &terminal)
    {
        Protocol::ReceivePayload payload;
        const bool ghost = chance(0.02);
        payload.sku = ghost ? s_ghostSku : s_skus[std::size_t(uniform(0, 1))];
        payload.location = s_locations[std::size_t(uniform(0, 2))];
        payload.quantity = uniform(1, 20);
        payload.reference = "PO-" + std::to_string(uniform(1000, 9999));
        appendOp(terminal, payload, ghost);
    }

    void move(Terminal &terminal)
    {
        Protocol::MovePayload payload;
        payload.sku = s_skus[std::size_t(uniform(0, 1))];
        const int from = uniform(0, 2);
        payload.from = s_locations[std::size_t(from)];
        payload.to = s_locations[std::size_t((from + uniform(1, 2)) % 3)];
        payload.quantity = uniform(1, 3);
        appendOp(terminal, payload, false);
    }

    // A cycle count of a bin the terminal has replicated: expected = what it shows.
    void countBin(Terminal &terminal)
    {
        std::vector<std::pair<QString, std::pair<QString, qint64>>> bins;
        {
            QSqlQuery query(terminal.database->database());
            if (query.exec(QStringLiteral(
                    "SELECT sku_code, location_code, quantity FROM stock WHERE lot = '' AND quantity >= 0")))
                while (query.next())
                    bins.push_back(
                        {query.value(0).toString(), {query.value(1).toString(), query.value(2).toLongLong()}});
        }
        if (bins.empty())
            return receive(terminal);
        const auto &bin = bins[std::size_t(uniform(0, int(bins.size()) - 1))];
        Protocol::CountPayload payload;
        payload.sku = bin.first.toStdString();
        payload.location = bin.second.first.toStdString();
        payload.expected = bin.second.second;
        payload.counted = std::max<qint64>(0, bin.second.second + uniform(-2, 2));
        appendOp(terminal, payload, false);
    }

    // Picks 1…3 of an open line of a released/picking order, with the local pick record and the
    // local order state in the same transaction (as PickingWorkflow::writePick does).
    void pick(Terminal &terminal)
    {
        OrderRepository orders(*terminal.database);
        auto open = orders.orders({QStringLiteral("released"), QStringLiteral("picking")});
        if (!open || open->isEmpty())
            return receive(terminal);
        // Mostly "its own" orders (a picker's pick list); sometimes anyone's (two pickers on one order).
        QList<OrderRecord> candidates;
        for (const OrderRecord &order : *open)
            if (order.id % m_options.terminals == terminal.index)
                candidates << order;
        if (candidates.isEmpty() || chance(0.2))
            candidates = *open;
        const OrderRecord order = candidates[qsizetype(uniform(0, int(candidates.size()) - 1))];
        auto lines = orders.pickList(order.id);
        if (!lines)
            return;
        QList<OrderLineRecord> openLines;
        for (const OrderLineRecord &line : *lines)
            if (!line.isDone())
                openLines << line;
        if (openLines.isEmpty())
            return;
        const OrderLineRecord line = openLines[qsizetype(uniform(0, int(openLines.size()) - 1))];
        const qint64 quantity = uniform(1, int(std::min<qint64>(3, line.remaining())));
        Protocol::PickPayload payload;
        payload.orderId = order.id;
        payload.orderNumber = order.orderNumber.toStdString();
        payload.line = line.lineNumber;
        payload.sku = line.skuCode.toStdString();
        payload.location = line.locationCode.isEmpty() ? std::string("A-1") : line.locationCode.toStdString();
        payload.quantity = quantity;
        const bool lastLine = openLines.size() == 1 && quantity >= line.remaining();
        appendOp(terminal, payload, false, [&](TransactionGuard &transaction, const QString &opId) {
            PickRecord record;
            record.orderId = order.id;
            record.lineNumber = line.lineNumber;
            record.quantity = quantity;
            record.opId = opId;
            if (!orders.recordPick(transaction, record))
                return false;
            const QString state = lastLine ? QStringLiteral("picked") : QStringLiteral("picking");
            return state == order.state || orders.setState(transaction, order.id, state).has_value();
        });
    }

    // 1…3 actions; `notify` false = committed but the engine is not told (a kill right after).
    void work(Terminal &terminal, bool notify)
    {
        const int actions = uniform(1, 3);
        for (int action = 0; action < actions; ++action) {
            const int roll = uniform(0, 99);
            if (roll < 35)
                pick(terminal);
            else if (roll < 65)
                receive(terminal);
            else if (roll < 85)
                move(terminal);
            else
                countBin(terminal);
        }
        if (notify)
            terminal.sync->notifyLocalChange();
    }

    // ---------------------------------------------------------------- faults
    void changePlan()
    {
        const int server = uniform(0, s_servers - 1);
        FaultPlan plan;
        const int mode = chance(0.3) ? 0 : uniform(1, 6);
        plan.mode = FaultMode(mode);
        plan.direction = chance(0.5) ? FaultDirection::ClientToServer : FaultDirection::ServerToClient;
        plan.afterBytes = uniform(0, 6000);
        plan.delayMs = uniform(5, 250);
        plan.jitterMs = uniform(0, 150);
        plan.blackHoleMs = uniform(200, 8000);
        plan.flapPeriodMs = uniform(200, 2500);
        plan.percent = uniform(10, 100);
        if (auto set = m_proxies[std::size_t(server)]->setPlan(plan); !set)
            return violation(QStringLiteral("proxy refused a plan: ") + QString::fromStdString(set.error().message));
        ++m_plans[std::size_t(mode)];
    }

    void killServer()
    {
        const int server = liveServer();
        // One server stays up; the other can die any time (also in the middle of a push).
        if (server < 0 || !m_servers[std::size_t(1 - server)]->isRunning())
            return;
        m_servers[std::size_t(server)]->kill();
        ++m_serverKills;
        m_serverReviveAt[std::size_t(server)] = now() + uniform(300, 4000);
    }

    void reviveServers(bool now_)
    {
        for (int server = 0; server < s_servers; ++server) {
            ServerProcess &process = *m_servers[std::size_t(server)];
            if (process.isRunning() || (!now_ && now() < m_serverReviveAt[std::size_t(server)]))
                continue;
            // Same devices port: its proxy keeps forwarding there.
            if (process.start(serverSettings() +
                              QStringList{QStringLiteral("--devices-listen"),
                                          QStringLiteral("127.0.0.1:%1").arg(m_devicesPorts[std::size_t(server)])}))
                ++m_serverRestarts;
            else if (++m_restartFailures > 5)
                violation(QStringLiteral("soko-server %1 does not restart on its port").arg(server));
        }
    }

    // Copies what is on disk now (the database and its WAL: no event loop runs between here and
    // the copy, so no transaction is half-written).
    void copyFiles(const Terminal &terminal, const QString &from, const QString &to)
    {
        QDir().mkpath(to);
        for (const char *name : {"terminal.sqlite", "terminal.sqlite-wal", "device.key"}) {
            const QString source = from + QLatin1Char('/') + QLatin1String(name);
            if (QFile::exists(source) && !QFile::copy(source, to + QLatin1Char('/') + QLatin1String(name)))
                violation(QStringLiteral("terminal %1: cannot copy %2").arg(terminal.index).arg(QLatin1String(name)));
        }
    }

    void backUp(Terminal &terminal)
    {
        if (!terminal.backupFolder.isEmpty())
            QDir(terminal.backupFolder).removeRecursively();
        terminal.backupFolder = m_root.filePath(
            QStringLiteral("t%1-backup-g%2-%3").arg(terminal.index).arg(terminal.generation).arg(now()));
        copyFiles(terminal, terminal.folder, terminal.backupFolder);
        terminal.backupMark = m_created.size();
        ++m_backups;
    }

    // `restore`: the terminal comes back from its older backup instead (the ops created since are
    // gone from it; the server must refuse its reused seqs as a fork and apply the new ops once).
    void killTerminal(Terminal &terminal, const char *how, bool restore = false)
    {
        const QString next =
            m_root.filePath(QStringLiteral("t%1-g%2").arg(terminal.index).arg(terminal.generation + 1));
        if (restore && !terminal.backupFolder.isEmpty()) {
            copyFiles(terminal, terminal.backupFolder, next);
            QDir(terminal.backupFolder).removeRecursively();
            terminal.backupFolder.clear();
            for (std::size_t index = terminal.backupMark; index < m_created.size(); ++index)
                if (m_created[index].terminal == terminal.index) {
                    m_created[index].rolledBack = true;
                    ++m_rolledBack;
                }
        } else {
            copyFiles(terminal, terminal.folder, next);
        }
        terminal.sync.reset(); // aborts what is in flight: the answer is lost
        terminal.database.reset();
        QDir(terminal.folder).removeRecursively();
        terminal.folder = next;
        ++terminal.generation;
        terminal.reviveAtMs = now() + uniform(0, 3000);
        ++m_terminalKills[QLatin1String(how)];
    }

    void reviveTerminals(bool now_)
    {
        for (Terminal &terminal : m_terminals)
            if (!terminal.alive() && (now_ || now() >= terminal.reviveAtMs) && open(terminal))
                terminal.sync->start();
    }

    // A load balancer sending the terminal's next requests to the other server.
    void switchServer(Terminal &terminal)
    {
        const int target = uniform(0, s_servers - 1);
        TransactionGuard transaction(*terminal.database);
        if (!transaction.isActive() ||
            !SyncStateRepository(*terminal.database)
                 .setValue(transaction, SyncStateRepository::ServerUrl, proxyUrl(target)) ||
            !transaction.commit()) {
            ++m_localErrors;
            return;
        }
        ++m_switches;
    }

    // Orders come from the OMS (api listener of a live server, not through the proxies):
    // imported, then allocated and released when there is stock for them.
    void createOrder()
    {
        const int server = liveServer();
        if (server < 0)
            return;
        QJsonArray lines;
        const int count = uniform(1, 3);
        for (int line = 0; line < count; ++line)
            lines.append(QJsonObject{{QStringLiteral("sku"), QLatin1String(s_skus[std::size_t(line % 2)])},
                                     {QStringLiteral("quantity"), uniform(1, 5)}});
        const QJsonObject order{{QStringLiteral("store"), QStringLiteral("soak")},
                                {QStringLiteral("order_number"), QStringLiteral("SOAK-%1").arg(++m_orderNumber)},
                                {QStringLiteral("customer"), QStringLiteral("Yamada")},
                                {QStringLiteral("address"), QStringLiteral("Tokyo")},
                                {QStringLiteral("lines"), lines}};
        const ServerProcess &process = *m_servers[std::size_t(server)];
        const auto created =
            process.api("POST", "/api/v1/orders", m_adminToken, QJsonDocument(order).toJson(QJsonDocument::Compact));
        if (created.status != 201)
            return;
        ++m_ordersCreated;
        const QByteArray id = QByteArray::number(qint64(created.json().value(QStringLiteral("id")).toDouble()));
        if (process.api("POST", "/api/v1/orders/" + id + "/allocate", m_adminToken).status == 200 &&
            process.api("POST", "/api/v1/orders/" + id + "/release", m_adminToken).status == 200)
            ++m_ordersReleased;
    }

    // ---------------------------------------------------------------- phases
    void chaos()
    {
        QElapsedTimer chaosClock;
        chaosClock.start();
        const qint64 end = qint64(m_options.seconds) * 1000;
        auto next = [&](int meanMs) {
            return now() + qint64(std::exponential_distribution<double>(1.0 / meanMs)(m_random));
        };
        // The first server kill falls in the first half of every run, however short.
        qint64 nextPlan = next(2000), nextServerKill = now() + uniform(int(end / 5), int(end / 2)),
               nextTerminalKill = next(8000), nextSwitch = next(5000), nextOrder = 0, nextBackup = next(6000);
        // And one restore from backup in the middle third of every run (the fork path), however short.
        qint64 forcedRestore = now() + uniform(int(end / 3), int(end * 2 / 3));
        qint64 lastReport = 0;
        while (chaosClock.elapsed() < end) {
            reviveServers(false);
            reviveTerminals(false);
            std::vector<Terminal *> alive;
            for (Terminal &terminal : m_terminals)
                if (terminal.alive())
                    alive.push_back(&terminal);
            auto anyAlive = [&]() -> Terminal * {
                return alive.empty() ? nullptr : alive[std::size_t(uniform(0, int(alive.size()) - 1))];
            };
            if (Terminal *terminal = anyAlive(); terminal && chance(0.6))
                work(*terminal, true);
            if (now() >= nextOrder) {
                nextOrder = next(1500);
                createOrder();
            }
            if (now() >= nextPlan) {
                nextPlan = next(2000);
                changePlan();
            }
            if (now() >= nextSwitch) {
                nextSwitch = next(5000);
                if (Terminal *terminal = anyAlive())
                    switchServer(*terminal);
            }
            if (now() >= nextBackup) {
                nextBackup = next(6000);
                if (Terminal *terminal = anyAlive())
                    backUp(*terminal);
            }
            if (now() >= forcedRestore) {
                for (Terminal &terminal : m_terminals)
                    if (terminal.alive() && !terminal.backupFolder.isEmpty() && now() >= forcedRestore) {
                        killTerminal(terminal, "restored from an older backup", true);
                        forcedRestore = std::numeric_limits<qint64>::max();
                    }
            }
            if (now() >= nextServerKill) {
                nextServerKill = next(20000);
                killServer();
            }
            if (now() >= nextTerminalKill) {
                nextTerminalKill = next(8000);
                if (Terminal *terminal = anyAlive()) {
                    const int how = uniform(0, 3);
                    if (how == 3 && !terminal->backupFolder.isEmpty()) {
                        killTerminal(*terminal, "restored from an older backup", true);
                    } else if (how == 0) {
                        work(*terminal, false);
                        killTerminal(*terminal, "after commit, before push");
                    } else if (terminal->sync->isBusy()) {
                        killTerminal(*terminal, "request in flight");
                    } else {
                        killTerminal(*terminal, "idle");
                    }
                }
            }
            if (chaosClock.elapsed() - lastReport >= 15000) {
                lastReport = chaosClock.elapsed();
                int pending = 0;
                for (Terminal &terminal : m_terminals)
                    if (terminal.alive())
                        pending += OutboxRepository(*terminal.database).pendingCount();
                say(QStringLiteral("soak: t=%1 s ops created %2, pending on live terminals %3, server kills %4, "
                                   "terminal kills %5")
                        .arg(lastReport / 1000)
                        .arg(m_created.size())
                        .arg(pending)
                        .arg(m_serverKills)
                        .arg(terminalKills()));
            }
            pump(uniform(10, 120));
        }
    }

    // Heals the network, restarts and reopens everything, syncs to quiescence, then one more
    // round per terminal that starts after every outbox is empty (the final pull).
    bool heal()
    {
        for (auto &proxy : m_proxies)
            (void)proxy->setPlan(FaultPlan{});
        reviveServers(true);
        reviveTerminals(true);
        const int budgetMs = m_options.healSeconds * 1000;
        QElapsedTimer healing;
        healing.start();
        auto pendingTotal = [&] {
            int pending = 0;
            for (Terminal &terminal : m_terminals)
                pending += OutboxRepository(*terminal.database).pendingCount();
            return pending;
        };
        bool empty = false;
        while (healing.elapsed() < budgetMs) {
            reviveServers(true);
            if (pendingTotal() == 0) {
                empty = true;
                break;
            }
            for (Terminal &terminal : m_terminals)
                if (!terminal.sync->isBusy())
                    terminal.sync->syncNow();
            pump(500);
        }
        if (!empty) {
            violation(QStringLiteral("quiescence: %1 ops still pending after %2 s of healed network")
                          .arg(pendingTotal())
                          .arg(m_options.healSeconds));
            for (Terminal &terminal : m_terminals)
                if (const int pending = OutboxRepository(*terminal.database).pendingCount())
                    say(QStringLiteral("  terminal %1: %2 pending, last error: %3")
                            .arg(terminal.index)
                            .arg(pending)
                            .arg(terminal.sync->lastErrorText()));
            return false;
        }
        // The final round: wait for the engines to be idle, then one round each that must succeed.
        for (Terminal &terminal : m_terminals) {
            if (!pumpUntil([&] { return !terminal.sync->isBusy(); }, 30000))
                return violation(QStringLiteral("quiescence: terminal %1 stays busy").arg(terminal.index)), false;
            const int before = terminal.roundsOk;
            for (int attempt = 0; attempt < 5 && terminal.roundsOk == before; ++attempt) {
                terminal.sync->syncNow();
                pumpUntil([&] { return terminal.roundsOk > before || !terminal.sync->isBusy(); }, 30000);
                pumpUntil([&] { return terminal.roundsOk > before; }, 2000);
            }
            if (terminal.roundsOk == before)
                return violation(QStringLiteral("quiescence: terminal %1 cannot finish a round: %2")
                                     .arg(terminal.index)
                                     .arg(terminal.sync->lastErrorText())),
                       false;
        }
        say(QStringLiteral("soak: quiescent after %1 s of healing").arg(double(healing.elapsed()) / 1000.0, 0, 'f', 1));
        return true;
    }

    // ---------------------------------------------------------------- the invariant checker
    static qint64 expectedMovements(const CreatedOp &op)
    {
        return std::visit(
            [](const auto &p) -> qint64 {
                using P = std::decay_t<decltype(p)>;
                if constexpr (std::is_same_v<P, Protocol::ReceivePayload>)
                    return 1;
                else if constexpr (std::is_same_v<P, Protocol::MovePayload>)
                    return 2;
                else if constexpr (std::is_same_v<P, Protocol::PickPayload>)
                    return p.quantity > 0 ? 1 : 0;
                else if constexpr (std::is_same_v<P, Protocol::CountPayload>)
                    return p.counted != p.expected ? 1 : 0;
                else
                    return 0;
            },
            op.payload);
    }

    using BinKey = std::tuple<std::string, std::string, std::string>; // sku, location, lot

    // The balance change an applied op makes, from its payload alone.
    static void addEffect(const CreatedOp &op, std::map<BinKey, qint64> &balances,
                          std::map<std::pair<qint64, qint64>, qint64> &picked)
    {
        std::visit(
            [&](const auto &p) {
                using P = std::decay_t<decltype(p)>;
                if constexpr (std::is_same_v<P, Protocol::ReceivePayload>) {
                    balances[{p.sku, p.location, p.lot.value_or("")}] += p.quantity;
                } else if constexpr (std::is_same_v<P, Protocol::MovePayload>) {
                    balances[{p.sku, p.from, p.lot.value_or("")}] -= p.quantity;
                    balances[{p.sku, p.to, p.lot.value_or("")}] += p.quantity;
                } else if constexpr (std::is_same_v<P, Protocol::PickPayload>) {
                    balances[{p.sku, p.location, p.lot.value_or("")}] -= p.quantity;
                    picked[{p.orderId, p.line}] += p.quantity;
                } else if constexpr (std::is_same_v<P, Protocol::CountPayload>) {
                    balances[{p.sku, p.location, p.lot.value_or("")}] += p.counted - p.expected;
                }
            },
            op.payload);
    }

    void check()
    {
        try {
            pqxx::connection connection(m_database.urlString());
            pqxx::nontransaction session(connection);
            checkOps(session);
            checkLedger(session);
            checkConvergence(session);
        } catch (const std::exception &error) {
            violation(QStringLiteral("checker: PostgreSQL: %1").arg(QString::fromLocal8Bit(error.what())));
        }
    }

    // (1) every op created on a terminal is in its outbox, applied on the server exactly once
    // (applied or conflict) or visibly rejected (rejections row + rejected on the terminal), with
    // exactly the ledger rows its type makes; nothing on the server that no terminal created.
    void checkOps(pqxx::nontransaction &session)
    {
        // An op re-pushed on a later incarnation (after a fork or epoch change) gets a second
        // applied_ops row carrying the stored result (server/sync "known from an earlier
        // incarnation: same answer, not applied twice"): rows per incarnation must be 1, the
        // answers equal, and the effects (ledger rows, conflict and rejection records) single.
        struct ServerOp
        {
            int rows = 0;
            std::set<std::pair<std::string, qint64>> incarnations; // (device, incarnation)
            std::set<std::string> outcomes;
            std::string outcome;
            std::string reason;
        };
        std::map<std::string, ServerOp> server;
        for (const auto &row : session.exec("SELECT op_id, outcome, result, device_id, incarnation FROM applied_ops")) {
            ServerOp &op = server[row[0].as<std::string>()];
            ++op.rows;
            op.incarnations.insert({row[3].as<std::string>(), row[4].as<qint64>()});
            op.outcomes.insert(row[1].as<std::string>());
            op.outcome = row[1].as<std::string>();
            op.reason = row[2].as<std::string>();
        }
        std::map<std::string, qint64> movements, rejections, conflicts;
        for (const auto &row : session.exec("SELECT op_id, count(*) FROM conflicts WHERE op_id <> '' GROUP BY op_id"))
            conflicts[row[0].as<std::string>()] = row[1].as<qint64>();
        for (const auto &row :
             session.exec("SELECT op_id, count(*) FROM stock_movements WHERE op_id <> '' GROUP BY op_id"))
            movements[row[0].as<std::string>()] = row[1].as<qint64>();
        for (const auto &row : session.exec("SELECT op_id, count(*) FROM rejections GROUP BY op_id"))
            rejections[row[0].as<std::string>()] = row[1].as<qint64>();
        m_forks = session.exec("SELECT count(*) FROM conflicts WHERE reason = 'device_fork'")[0][0].as<qint64>();
        m_reincarnated = session.exec("SELECT count(*) FROM devices WHERE incarnation > 1")[0][0].as<qint64>();

        std::vector<std::map<QString, OutboxEntry>> outboxes(m_terminals.size());
        for (Terminal &terminal : m_terminals) {
            auto all = OutboxRepository(*terminal.database).all();
            if (!all) {
                violation(QStringLiteral("terminal %1: cannot read its outbox").arg(terminal.index));
                continue;
            }
            for (const OutboxEntry &entry : *all)
                outboxes[std::size_t(terminal.index)][entry.opId] = entry;
        }
        std::set<std::string> created;
        for (const CreatedOp &op : m_created) {
            const std::string id = op.opId.toStdString();
            created.insert(id);
            const QString name = QStringLiteral("op %1 (%2, terminal %3)").arg(op.opId, op.type).arg(op.terminal);
            const auto local = outboxes[std::size_t(op.terminal)].find(op.opId);
            if (op.rolledBack) {
                // Gone with the restore: the server has it once (pushed before) or never.
                if (local != outboxes[std::size_t(op.terminal)].end())
                    violation(name + QStringLiteral(": rolled back by a restore but still in the outbox"));
                if (!server.count(id)) {
                    ++m_rolledBackUnsent;
                    continue;
                }
            } else if (local == outboxes[std::size_t(op.terminal)].end()) {
                ++m_lost;
                violation(name + QStringLiteral(": LOST on the terminal (committed, gone from its outbox)"));
                continue;
            }
            const auto found = server.find(id);
            if (found == server.end()) {
                ++m_lost;
                violation(name + QStringLiteral(": LOST, never applied on the server (terminal state %1)")
                                     .arg(outboxStateName(local->second.state)));
                continue;
            }
            const ServerOp &applied = found->second;
            m_rerecorded += qint64(applied.incarnations.size()) - 1;
            if (applied.rows > int(applied.incarnations.size())) {
                m_duplicates += applied.rows - qint64(applied.incarnations.size());
                violation(name + QStringLiteral(": DUPLICATE, %1 applied_ops rows in %2 incarnation(s)")
                                     .arg(applied.rows)
                                     .arg(applied.incarnations.size()));
            }
            if (applied.outcomes.size() > 1)
                violation(name + QStringLiteral(": the server answered it differently on different incarnations"));
            for (const auto *records : {&conflicts, &rejections})
                if (records->count(id) && records->at(id) > 1) {
                    m_duplicates += records->at(id) - 1;
                    violation(name + QStringLiteral(": DUPLICATE, %1 %2 records")
                                         .arg(records->at(id))
                                         .arg(records == &conflicts ? QStringLiteral("conflict")
                                                                    : QStringLiteral("rejection")));
                }
            const qint64 rows = movements.count(id) ? movements.at(id) : 0;
            if (applied.outcome == "rejected") {
                ++m_rejected;
                if (op.mustReject)
                    ++m_rejectedExpected;
                else
                    m_unexpectedRejections << name + QStringLiteral(": ") + QString::fromStdString(applied.reason);
                if (!rejections.count(id))
                    violation(name + QStringLiteral(": rejected without a rejection record (not visible)"));
                if (!op.rolledBack && local->second.state != OutboxState::Rejected)
                    violation(name + QStringLiteral(": rejected on the server but %1 on the terminal")
                                         .arg(outboxStateName(local->second.state)));
                if (rows != 0)
                    violation(name + QStringLiteral(": rejected but has %1 ledger rows").arg(rows));
                continue;
            }
            if (op.mustReject)
                violation(name + QStringLiteral(": an unknown SKU was %1, not rejected")
                                     .arg(QString::fromStdString(applied.outcome)));
            (applied.outcome == "conflict" ? m_conflicts : m_applied) += 1;
            const OutboxState want = applied.outcome == "conflict" ? OutboxState::Conflict : OutboxState::Acked;
            if (!op.rolledBack && local->second.state != want)
                violation(name +
                          QStringLiteral(": %1 on the server but %2 on the terminal")
                              .arg(QString::fromStdString(applied.outcome), outboxStateName(local->second.state)));
            if (rows != expectedMovements(op)) {
                if (rows > expectedMovements(op))
                    m_duplicates += rows - expectedMovements(op);
                violation(name + QStringLiteral(": %1 ledger rows, expected %2").arg(rows).arg(expectedMovements(op)));
            }
            addEffect(op, m_expectedBalances, m_expectedPicked);
        }
        for (const auto &[id, op] : server)
            if (!created.count(id))
                violation(QStringLiteral("op %1 is on the server (%2) but no terminal created it")
                              .arg(QString::fromStdString(id), QString::fromStdString(op.outcome)));
        for (const auto &[id, rows] : movements)
            if (!created.count(id))
                violation(QStringLiteral("%1 ledger rows name op %2 that no terminal created")
                              .arg(rows)
                              .arg(QString::fromStdString(id)));
    }

    // (2) every balance is the sum of its ledger rows (and every ledger bin has a balance), and
    // equals what the terminals' applied ops add up to; every order line's picked too.
    void checkLedger(pqxx::nontransaction &session)
    {
        const qint64 wrong =
            session
                .exec("SELECT count(*) FROM stock_balances b WHERE quantity <> (SELECT "
                      "coalesce(sum(quantity_delta), 0) FROM stock_movements m WHERE m.warehouse = "
                      "b.warehouse AND m.sku = b.sku AND m.location = b.location AND m.lot = b.lot)")[0][0]
                .as<qint64>();
        if (wrong != 0)
            violation(QStringLiteral("ledger: %1 balances differ from the sum of their movements").arg(wrong));
        const qint64 missing = session
                                   .exec("SELECT count(*) FROM (SELECT DISTINCT warehouse, sku, location, lot FROM "
                                         "stock_movements) m WHERE NOT EXISTS (SELECT 1 FROM stock_balances b WHERE "
                                         "m.warehouse = b.warehouse AND m.sku = b.sku AND m.location = b.location AND "
                                         "m.lot = b.lot)")[0][0]
                                   .as<qint64>();
        if (missing != 0)
            violation(QStringLiteral("ledger: %1 ledger bins have no balance row").arg(missing));
        std::map<BinKey, qint64> balances;
        for (const auto &row : session.exec("SELECT sku, location, lot, quantity FROM stock_balances WHERE warehouse = "
                                            "'TKY1'"))
            balances[{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()}] =
                row[3].as<qint64>();
        m_serverBins = qint64(balances.size());
        for (const auto &[key, quantity] : m_expectedBalances) {
            const qint64 actual = balances.count(key) ? balances.at(key) : 0;
            if (actual != quantity)
                violation(QStringLiteral("ledger: %1@%2 is %3 on the server, the applied ops add up to %4")
                              .arg(QString::fromStdString(std::get<0>(key)), QString::fromStdString(std::get<1>(key)))
                              .arg(actual)
                              .arg(quantity));
        }
        for (const auto &[key, quantity] : balances)
            if (!m_expectedBalances.count(key) && quantity != 0)
                violation(QStringLiteral("ledger: %1@%2 is %3 but no applied op touched it")
                              .arg(QString::fromStdString(std::get<0>(key)), QString::fromStdString(std::get<1>(key)))
                              .arg(quantity));
        for (const auto &row : session.exec("SELECT order_id, line, picked FROM order_lines")) {
            const std::pair<qint64, qint64> key{row[0].as<qint64>(), row[1].as<qint64>()};
            const qint64 expected = m_expectedPicked.count(key) ? m_expectedPicked.at(key) : 0;
            if (row[2].as<qint64>() != expected)
                violation(QStringLiteral("order %1 line %2: picked %3 on the server, the applied picks add up to %4")
                              .arg(key.first)
                              .arg(key.second)
                              .arg(row[2].as<qint64>())
                              .arg(expected));
        }
    }

    // (3) after the final pull every terminal shows the server's stock and orders.
    void checkConvergence(pqxx::nontransaction &session)
    {
        std::map<BinKey, qint64> stock;
        for (const auto &row : session.exec("SELECT sku, location, lot, quantity FROM stock_balances WHERE warehouse = "
                                            "'TKY1'"))
            stock[{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()}] = row[3].as<qint64>();
        std::map<qint64, std::string> orders;
        for (const auto &row : session.exec("SELECT id, state FROM orders WHERE warehouse = 'TKY1'"))
            orders[row[0].as<qint64>()] = row[1].as<std::string>();
        std::map<std::pair<qint64, qint64>, std::pair<qint64, qint64>> lines; // → quantity, picked
        for (const auto &row : session.exec("SELECT l.order_id, l.line, l.quantity, l.picked FROM order_lines l JOIN "
                                            "orders o ON o.id = l.order_id "
                                            "WHERE o.warehouse = 'TKY1'"))
            lines[{row[0].as<qint64>(), row[1].as<qint64>()}] = {row[2].as<qint64>(), row[3].as<qint64>()};
        m_serverOrders = qint64(orders.size());

        for (Terminal &terminal : m_terminals) {
            const QString who = QStringLiteral("terminal %1").arg(terminal.index);
            int differences = 0;
            auto differ = [&](const QString &text) {
                if (++differences <= 5)
                    violation(who + QStringLiteral(" does not converge: ") + text);
            };
            std::map<BinKey, qint64> local;
            {
                QSqlQuery query(terminal.database->database());
                query.exec(QStringLiteral("SELECT sku_code, location_code, lot, quantity FROM stock"));
                while (query.next())
                    local[{query.value(0).toString().toStdString(), query.value(1).toString().toStdString(),
                           query.value(2).toString().toStdString()}] = query.value(3).toLongLong();
            }
            for (const auto &[key, quantity] : stock)
                if (!local.count(key) || local.at(key) != quantity)
                    differ(QStringLiteral("stock %1@%2 server %3, terminal %4")
                               .arg(QString::fromStdString(std::get<0>(key)), QString::fromStdString(std::get<1>(key)))
                               .arg(quantity)
                               .arg(local.count(key) ? QString::number(local.at(key)) : QStringLiteral("missing")));
            for (const auto &[key, quantity] : local)
                if (!stock.count(key))
                    differ(QStringLiteral("stock %1@%2 = %3 only on the terminal")
                               .arg(QString::fromStdString(std::get<0>(key)), QString::fromStdString(std::get<1>(key)))
                               .arg(quantity));
            std::map<qint64, std::string> localOrders;
            {
                QSqlQuery query(terminal.database->database());
                query.exec(QStringLiteral("SELECT id, state FROM orders"));
                while (query.next())
                    localOrders[query.value(0).toLongLong()] = query.value(1).toString().toStdString();
            }
            for (const auto &[id, state] : orders)
                if (!localOrders.count(id) || localOrders.at(id) != state)
                    differ(QStringLiteral("order %1 is %2 on the server, %3 on the terminal")
                               .arg(id)
                               .arg(QString::fromStdString(state), localOrders.count(id)
                                                                       ? QString::fromStdString(localOrders.at(id))
                                                                       : QStringLiteral("missing")));
            for (const auto &[id, state] : localOrders)
                if (!orders.count(id))
                    differ(QStringLiteral("order %1 (%2) only on the terminal")
                               .arg(id)
                               .arg(QString::fromStdString(state)));
            {
                QSqlQuery query(terminal.database->database());
                query.exec(QStringLiteral("SELECT order_id, line_number, quantity, picked, shorted FROM order_lines"));
                while (query.next()) {
                    const std::pair<qint64, qint64> key{query.value(0).toLongLong(), query.value(1).toLongLong()};
                    const auto found = lines.find(key);
                    if (found == lines.end()) {
                        differ(QStringLiteral("order %1 line %2 only on the terminal").arg(key.first).arg(key.second));
                        continue;
                    }
                    // The terminal caps picked at what the line still allows (quantity − shorted).
                    const qint64 want =
                        std::min(found->second.second, found->second.first - query.value(4).toLongLong());
                    if (query.value(2).toLongLong() != found->second.first || query.value(3).toLongLong() != want)
                        differ(QStringLiteral("order %1 line %2: quantity/picked %3/%4 on the terminal, %5/%6 on the "
                                              "server")
                                   .arg(key.first)
                                   .arg(key.second)
                                   .arg(query.value(2).toLongLong())
                                   .arg(query.value(3).toLongLong())
                                   .arg(found->second.first)
                                   .arg(found->second.second));
                }
            }
            if (differences > 5)
                violation(who + QStringLiteral(": %1 more differences").arg(differences - 5));
        }
    }

    // Proves the checker can fail: plants a duplicated ledger row on the server, removes one op
    // from a terminal's outbox and adds a stock row to another terminal, re-runs the checker
    // (silently) and requires each planted fault to be reported. Runs after the real verdict.
    void selfTest()
    {
        const CreatedOp *receipt = nullptr;
        const CreatedOp *droppedOp = nullptr;
        for (const CreatedOp &op : m_created) {
            if (op.type == QLatin1String("receive") && !op.mustReject && !op.rolledBack && !receipt)
                receipt = &op;
            if (!op.rolledBack)
                droppedOp = &op;
        }
        if (!receipt || !droppedOp || droppedOp == receipt)
            return say(QStringLiteral("soak: checker self-test skipped (too few ops)"));
        const CreatedOp &dropped = *droppedOp;
        Terminal &diverged = m_terminals[std::size_t(1 % m_terminals.size())];
        try {
            pqxx::connection connection(m_database.urlString());
            pqxx::nontransaction session(connection);
            session.exec_params(
                "INSERT INTO stock_movements (warehouse, sku, location, lot, quantity_delta, reason, "
                "op_id, created_at) SELECT warehouse, sku, location, lot, quantity_delta, reason, op_id, "
                "created_at FROM stock_movements WHERE op_id = $1 LIMIT 1",
                receipt->opId.toStdString());
        } catch (const std::exception &error) {
            return violation(
                QStringLiteral("checker self-test: cannot plant: %1").arg(QString::fromLocal8Bit(error.what())));
        }
        {
            QSqlQuery remove(m_terminals[std::size_t(dropped.terminal)].database->database());
            remove.prepare(QStringLiteral("DELETE FROM outbox WHERE op_id = ?"));
            remove.addBindValue(dropped.opId);
            QSqlQuery add(diverged.database->database());
            if (!remove.exec() || !add.exec(QStringLiteral("INSERT INTO stock VALUES ('S-PLANTED', 'A-1', '', 1)")))
                return violation(QStringLiteral("checker self-test: cannot plant in a terminal database"));
        }
        // Re-run the checker on fresh tallies, keep the real figures.
        const Report real = m_report;
        const auto tallies =
            std::make_tuple(m_applied, m_conflicts, m_rejected, m_rejectedExpected, m_duplicates, m_lost,
                            m_unexpectedRejections, m_serverBins, m_serverOrders, m_rolledBackUnsent, m_rerecorded);
        m_report.violations.clear();
        m_expectedBalances.clear();
        m_expectedPicked.clear();
        m_quiet = true;
        check();
        m_quiet = false;
        const QStringList found = m_report.violations;
        m_report = real;
        std::tie(m_applied, m_conflicts, m_rejected, m_rejectedExpected, m_duplicates, m_lost, m_unexpectedRejections,
                 m_serverBins, m_serverOrders, m_rolledBackUnsent, m_rerecorded) = tallies;
        auto detected = [&](const QString &a, const QString &b) {
            return std::any_of(found.begin(), found.end(),
                               [&](const QString &line) { return line.contains(a) && line.contains(b); });
        };
        const bool duplicate = detected(receipt->opId, QStringLiteral("ledger rows, expected 1"));
        const bool lost = detected(dropped.opId, QStringLiteral("LOST on the terminal"));
        const bool converged =
            detected(QStringLiteral("terminal %1 does not converge").arg(diverged.index), QStringLiteral("S-PLANTED"));
        say(QStringLiteral("soak: checker self-test: planted a duplicated ledger row, an op lost from an outbox and a "
                           "diverged terminal; detected %1/3 (%2 violations reported)")
                .arg(int(duplicate) + int(lost) + int(converged))
                .arg(found.size()));
        if (!duplicate || !lost || !converged)
            violation(QStringLiteral("checker self-test: a planted fault went unnoticed (duplicate %1, lost %2, "
                                     "divergence %3)")
                          .arg(int(duplicate))
                          .arg(int(lost))
                          .arg(int(converged)));
    }

    // ---------------------------------------------------------------- report
    int terminalKills() const
    {
        int kills = 0;
        for (const auto &[how, count] : m_terminalKills)
            kills += count;
        return kills;
    }

    void summarize()
    {
        QStringList types;
        for (const auto &[type, count] : m_createdByType)
            types << QStringLiteral("%1 %2").arg(type).arg(count);
        QStringList plans;
        for (std::size_t mode = 0; mode < s_modeNames.size(); ++mode)
            plans << QStringLiteral("%1 %2").arg(QLatin1String(s_modeNames[mode])).arg(m_plans[mode]);
        FaultCounters sum;
        for (const auto &proxy : m_proxies) {
            const FaultCounters counters = proxy->counters();
            sum.connections += counters.connections;
            sum.drops += counters.drops;
            sum.cuts += counters.cuts;
            sum.resets += counters.resets;
            sum.blackHoles += counters.blackHoles;
            sum.delayedConnections += counters.delayedConnections;
            sum.upstreamFailures += counters.upstreamFailures;
        }
        QStringList kills;
        for (const auto &[how, count] : m_terminalKills)
            kills << QStringLiteral("%1 %2").arg(how).arg(count);
        const QStringList figures{
            QStringLiteral("terminals: %1, servers: 2 (PostgreSQL), seed: %2")
                .arg(m_options.terminals)
                .arg(m_options.seed),
            QStringLiteral("ops created: %1 (%2)").arg(m_created.size()).arg(types.join(QStringLiteral(", "))),
            QStringLiteral("applied: %1, applied with conflict: %2, rejected: %3 (%4 expected ghost-SKU receipts, %5 "
                           "others), gone with a restore before reaching the server: %8 (sum %9 of %10 created); "
                           "duplicates: %6, lost: %7")
                .arg(m_applied)
                .arg(m_conflicts)
                .arg(m_rejected)
                .arg(m_rejectedExpected)
                .arg(m_unexpectedRejections.size())
                .arg(m_duplicates)
                .arg(m_lost)
                .arg(m_rolledBackUnsent)
                .arg(m_applied + m_conflicts + m_rejected + m_rolledBackUnsent)
                .arg(m_created.size()),
            QStringLiteral("orders: %1 created, %2 released; server bins %3, orders in scope %4")
                .arg(m_ordersCreated)
                .arg(m_ordersReleased)
                .arg(m_serverBins)
                .arg(m_serverOrders),
            QStringLiteral("proxy plans set: %1").arg(plans.join(QStringLiteral(", "))),
            QStringLiteral("proxy faults: connections %1, drops %2, cuts %3, resets %4, black holes %5, delayed %6, "
                           "upstream refused %7")
                .arg(sum.connections)
                .arg(sum.drops)
                .arg(sum.cuts)
                .arg(sum.resets)
                .arg(sum.blackHoles)
                .arg(sum.delayedConnections)
                .arg(sum.upstreamFailures),
            QStringLiteral(
                "server kills (SIGKILL): %1, restarts %2; load-balancer switches %3; terminal kills: %4 (%5); "
                "local write failures %6")
                .arg(m_serverKills)
                .arg(m_serverRestarts)
                .arg(m_switches)
                .arg(terminalKills())
                .arg(kills.join(QStringLiteral(", ")))
                .arg(m_localErrors),
            QStringLiteral("restores from backup: %1 backups taken, %2 ops rolled back by restores (%3 had reached the "
                           "server before, applied once; %4 never had: gone with the restore); forks refused %5, "
                           "devices on a new incarnation %6, ops re-pushed on a later incarnation and answered "
                           "from the stored result %7")
                .arg(m_backups)
                .arg(m_rolledBack)
                .arg(m_rolledBack - m_rolledBackUnsent)
                .arg(m_rolledBackUnsent)
                .arg(m_forks)
                .arg(m_reincarnated)
                .arg(m_rerecorded),
            QStringLiteral("seconds: chaos %1, heal+quiescence %2, total %3")
                .arg(double(m_chaosMs) / 1000.0, 0, 'f', 1)
                .arg(double(m_healMs) / 1000.0, 0, 'f', 1)
                .arg(double(m_totalMs) / 1000.0, 0, 'f', 1),
        };
        for (const QString &line : figures)
            say(QStringLiteral("soak: ") + line);
        for (const QString &line : m_unexpectedRejections.mid(0, 10))
            say(QStringLiteral("soak: note: visible rejection of a valid-looking op: ") + line);
        m_report.figures = figures;
        if (m_report.ok()) {
            say(QStringLiteral("soak: PASS — every op applied exactly once or visibly rejected, ledger = balances, "
                               "every terminal converged"));
        } else {
            m_root.setAutoRemove(m_terminals.empty()); // keep the evidence once there is some
            for (int index = 0; index < int(m_servers.size()); ++index)
                QFile::copy(m_servers[std::size_t(index)]->rootPath() + QStringLiteral("/server.log"),
                            m_root.filePath(QStringLiteral("server%1.log").arg(index)));
            say(QStringLiteral("soak: FAIL — %1 violation(s), seed %2; terminal databases and server logs kept in %3")
                    .arg(m_report.violations.size())
                    .arg(m_options.seed)
                    .arg(m_root.path()));
            say(QStringLiteral("soak: reproduce with: %1").arg(m_options.reproduceCommand));
        }
    }

    void tearDown()
    {
        for (Terminal &terminal : m_terminals) {
            terminal.sync.reset();
            terminal.database.reset();
        }
        for (auto &proxy : m_proxies)
            proxy->stop();
        for (auto &server : m_servers)
            if (server->isRunning() && !server->stop())
                server->kill();
    }

    Options m_options;
    std::function<void(const QString &)> m_log;
    std::mt19937_64 m_random;
    QElapsedTimer m_clock;
    Report m_report;
    QTemporaryDir m_root;
    E2e::PgDatabase m_database; // dropped last, after the servers stopped
    std::vector<std::unique_ptr<ServerProcess>> m_servers;
    std::vector<quint16> m_devicesPorts;
    std::array<qint64, s_servers> m_serverReviveAt{};
    std::vector<std::unique_ptr<FaultProxy>> m_proxies;
    std::vector<Terminal> m_terminals;
    QString m_adminToken;

    std::vector<CreatedOp> m_created;
    std::map<QString, int> m_createdByType;
    std::map<BinKey, qint64> m_expectedBalances;
    std::map<std::pair<qint64, qint64>, qint64> m_expectedPicked;
    std::array<int, 7> m_plans{};
    std::map<QString, int> m_terminalKills;
    int m_backups = 0, m_rolledBack = 0, m_rolledBackUnsent = 0; // qint64: m_forks, m_reincarnated
    int m_serverKills = 0, m_serverRestarts = 0, m_restartFailures = 0, m_switches = 0, m_localErrors = 0;
    int m_orderNumber = 0, m_ordersCreated = 0, m_ordersReleased = 0;
    qint64 m_applied = 0, m_conflicts = 0, m_rejected = 0, m_rejectedExpected = 0, m_duplicates = 0, m_lost = 0;
    qint64 m_serverBins = 0, m_serverOrders = 0, m_forks = 0, m_reincarnated = 0, m_rerecorded = 0;
    QStringList m_unexpectedRejections;
    bool m_quiet = false; // the checker's self-test re-runs it without printing
    qint64 m_chaosMs = 0, m_healMs = 0, m_totalMs = 0;
};

} // namespace

Report run(const Options &options, const std::function<void(const QString &)> &log)
{
    SoakRun soak(options, log);
    return soak.run();
}

} // namespace Soak
