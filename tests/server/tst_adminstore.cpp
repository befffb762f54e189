#include <QTest>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include <sqlite3.h>

#include "server/app/commands.h"
#include "server/app/datafolder.h"
#include "server/storage/ids.h"
#include "server/storage/migrations.h"
#include "tests/server/serverfixture.h"

// The storage of the back office's identities (REQUIREMENTS.md R04, R05, R07–R13, R15–R20, R27)
// on both backends, and the setup password of `soko-server init` / `admin-setup-token`.

using namespace TestSupport;
using namespace Server::Storage;

namespace {

constexpr const char *s_phc =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y";

AdminUserRecord user(const std::string &name, AdminRole role = AdminRole::Admin)
{
    AdminUserRecord record;
    record.username = name;
    record.displayName = name + " display";
    record.email = name + "@example.com";
    record.role = role;
    record.passwordHash = s_phc;
    return record;
}

std::string insertUser(Store &store, const std::string &name, AdminRole role = AdminRole::Admin)
{
    auto id = store.insertAdminUser(user(name, role));
    if (!id)
        qFatal("insert %s: %s", name.c_str(), id.error().message.c_str());
    return *id;
}

// A distinct SHA-256 hex per label, as server/auth would hand over.
std::string hashOf(const std::string &label)
{
    return sha256Hex("token:" + label);
}

Common::ErrorCode codeOf(const Common::Error &error)
{
    return error.code;
}

// A value of the raw database, to see what is really stored (as a person with a DB shell would).
std::string rawText(const std::string &location, const std::string &sql)
{
#ifdef SOKO_HAVE_POSTGRESQL
    if (isPostgresLocation(location)) {
        pqxx::connection connection(location);
        pqxx::nontransaction session(connection);
        const auto rows = session.exec(sql);
        return rows.empty() || rows[0][0].is_null() ? std::string() : rows[0][0].as<std::string>();
    }
#endif
    sqlite3 *db = nullptr;
    sqlite3_open(location.c_str(), &db);
    sqlite3_stmt *statement = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0))
        out = reinterpret_cast<const char *>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return out;
}

// Runs `attempt(store)` on `threads` threads at once, each with its own lease of `pool` (on
// PostgreSQL its own connection: a second server would be no different), and returns how many
// returned true. Failures are counted in `errors`.
template <typename Attempt> int raceOnce(StorePool &pool, int threads, Attempt attempt, std::atomic<int> &errors)
{
    std::vector<StoreLease> leases;
    for (int i = 0; i < threads; ++i) {
        auto lease = pool.acquire();
        if (!lease)
            qFatal("acquire: %s", lease.error().message.c_str());
        leases.push_back(std::move(*lease));
    }
    std::atomic<int> ready{0};
    std::atomic<int> winners{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i)
        workers.emplace_back([&, i] {
            ++ready;
            while (ready.load() < threads)
                std::this_thread::yield(); // all start together
            auto won = attempt(*leases[static_cast<std::size_t>(i)]);
            if (!won)
                ++errors;
            else if (*won)
                ++winners;
        });
    for (auto &worker : workers)
        worker.join();
    return winners.load();
}

// Captures std::cout while a CLI command runs.
struct CapturedOutput
{
    std::ostringstream text;
    std::streambuf *saved = std::cout.rdbuf(text.rdbuf());
    ~CapturedOutput() { std::cout.rdbuf(saved); }
};

std::string setupPasswordIn(const std::string &output)
{
    const std::string label = "setup password: ";
    const auto at = output.find(label);
    if (at == std::string::npos)
        return {};
    return output.substr(at + label.size(), output.find('\n', at) - at - label.size());
}

} // namespace

class TestAdminStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }
    void init() { SOKO_CHECK_BACKEND(); }

    void migrationVersionTwoOnBothDialects()
    {
        ServerWorld world;
        QVERIFY(*world.store->schemaVersion() >= 2);
        bool sqliteHasTwo = false, postgresHasTwo = false;
        for (const Migration &migration : sqliteMigrations())
            sqliteHasTwo =
                sqliteHasTwo || (migration.version == 2 && migration.sql.find("admin_users") != std::string_view::npos);
        for (const Migration &migration : postgresMigrations())
            postgresHasTwo =
                postgresHasTwo || (migration.version == 2 && migration.sql.find("bytea") != std::string_view::npos);
        QVERIFY(sqliteHasTwo);
        QVERIFY(postgresHasTwo);
        QCOMPARE(rawText(world.database.location(), "SELECT count(*) FROM admin_users"), std::string("0"));
    }

    void insertAndReadUser()
    {
        ServerWorld world;
        Store &store = *world.store;
        AdminUserRecord alice = user("Alice");
        alice.role = AdminRole::BackOffice;
        alice.mustChangePassword = true;
        auto id = store.insertAdminUser(alice);
        QVERIFY2(id, id ? "" : id.error().message.c_str());
        QCOMPARE(id->size(), std::size_t(36)); // a UUID was assigned

        auto read = store.adminUser(*id);
        QVERIFY(read && *read);
        const AdminUserRecord &got = **read;
        QCOMPARE(got.id, *id);
        QCOMPARE(got.username, std::string("Alice"));
        QCOMPARE(got.displayName, std::string("Alice display"));
        QCOMPARE(got.email, std::string("Alice@example.com"));
        QVERIFY(got.role == AdminRole::BackOffice);
        QVERIFY(got.status == AdminStatus::Active);
        QCOMPARE(got.passwordHash, std::string(s_phc));
        QVERIFY(got.mustChangePassword);
        QVERIFY(!got.totpSeed);
        QVERIFY(!got.totpEnabled);
        QCOMPARE(got.totpLastStep, std::int64_t(-1));
        QVERIFY(!got.mfaLockedUntil);
        QCOMPARE(got.createdAt.size(), std::size_t(24));
        QVERIFY(got.createdAt.back() == 'Z');
        QCOMPARE(got.updatedAt, got.createdAt);
        QCOMPARE(got.passwordChangedAt, got.createdAt);
        QVERIFY(!*store.adminUser("no-such-id"));

        // The caller's id is kept.
        AdminUserRecord withId = user("bob");
        withId.id = "u1";
        QCOMPARE(*store.insertAdminUser(withId), std::string("u1"));
        AdminUserRecord clash = user("carol");
        clash.id = "u1";
        auto sameId = store.insertAdminUser(clash);
        QVERIFY(!sameId && codeOf(sameId.error()) == Common::ErrorCode::Conflict);
    }

    void usernamesMatchIgnoringCase_data()
    {
        QTest::addColumn<QString>("lookup");
        QTest::addColumn<bool>("found");
        QTest::newRow("as written") << QStringLiteral("Alice") << true;
        QTest::newRow("lower") << QStringLiteral("alice") << true;
        QTest::newRow("upper") << QStringLiteral("ALICE") << true;
        QTest::newRow("mixed") << QStringLiteral("aLiCe") << true;
        QTest::newRow("trailing space") << QStringLiteral("alice ") << false;
        QTest::newRow("other name") << QStringLiteral("alicia") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("non-ASCII") << QStringLiteral("alicé") << false;
        QTest::newRow("SQL") << QStringLiteral("alice' OR '1'='1") << false;
        QTest::newRow("very long") << QString(100000, QLatin1Char('a')) << false;
    }
    void usernamesMatchIgnoringCase()
    {
        QFETCH(QString, lookup);
        QFETCH(bool, found);
        ServerWorld world;
        const std::string id = insertUser(*world.store, "Alice");
        auto byName = world.store->adminUserByName(lookup.toStdString());
        QVERIFY2(byName, "unknown and malformed names are no error (R04)");
        QCOMPARE(byName->has_value(), found);
        if (found)
            QCOMPARE((*byName)->id, id);
    }

    void duplicateUsernameInAnyCaseIsConflict_data()
    {
        QTest::addColumn<QString>("second");
        QTest::newRow("same") << QStringLiteral("Alice");
        QTest::newRow("lower") << QStringLiteral("alice");
        QTest::newRow("upper") << QStringLiteral("ALICE");
    }
    void duplicateUsernameInAnyCaseIsConflict()
    {
        QFETCH(QString, second);
        ServerWorld world;
        insertUser(*world.store, "Alice");
        auto again = world.store->insertAdminUser(user(second.toStdString()));
        QVERIFY(!again);
        QVERIFY(codeOf(again.error()) == Common::ErrorCode::Conflict);
        QCOMPARE(world.store->adminUsers()->size(), std::size_t(1));
    }

    void invalidUsersAreRefused_data()
    {
        QTest::addColumn<QString>("username");
        QTest::addColumn<QString>("passwordHash");
        QTest::addColumn<int>("seedBytes"); // -1 = none
        QTest::addColumn<bool>("totpEnabled");
        const QString phc = QString::fromLatin1(s_phc);
        QTest::newRow("empty name") << QString() << phc << -1 << false;
        QTest::newRow("space in name") << QStringLiteral("al ice") << phc << -1 << false;
        QTest::newRow("65 characters") << QString(65, QLatin1Char('a')) << phc << -1 << false;
        QTest::newRow("non-ASCII") << QStringLiteral("山田") << phc << -1 << false;
        QTest::newRow("control character") << QStringLiteral("ali\nce") << phc << -1 << false;
        QTest::newRow("no password hash") << QStringLiteral("alice") << QString() << -1 << false;
        QTest::newRow("password hash too long")
            << QStringLiteral("alice") << QString(513, QLatin1Char('x')) << -1 << false;
        QTest::newRow("enabled without seed") << QStringLiteral("alice") << phc << -1 << true;
        QTest::newRow("empty seed") << QStringLiteral("alice") << phc << 0 << false;
        QTest::newRow("seed too long") << QStringLiteral("alice") << phc << 1025 << false;
    }
    void invalidUsersAreRefused()
    {
        QFETCH(QString, username);
        QFETCH(QString, passwordHash);
        QFETCH(int, seedBytes);
        QFETCH(bool, totpEnabled);
        ServerWorld world;
        AdminUserRecord record = user("x");
        record.username = username.toStdString();
        record.passwordHash = passwordHash.toStdString();
        if (seedBytes >= 0)
            record.totpSeed = Bytes(static_cast<std::size_t>(seedBytes), 7);
        record.totpEnabled = totpEnabled;
        auto inserted = world.store->insertAdminUser(record);
        QVERIFY(!inserted);
        QVERIFY(codeOf(inserted.error()) == Common::ErrorCode::InvalidInput);
        QVERIFY(world.store->adminUsers()->empty());
        // The 64-character limit itself is fine.
        record = user(std::string(64, 'a'));
        QVERIFY(world.store->insertAdminUser(record));
    }

    void usersAreListedByName()
    {
        ServerWorld world;
        for (const char *name : {"carol", "Bob", "alice", "Dave"})
            insertUser(*world.store, name);
        auto all = world.store->adminUsers();
        QVERIFY(all);
        std::vector<std::string> names;
        for (const auto &one : *all)
            names.push_back(one.username);
        QCOMPARE(names, (std::vector<std::string>{"alice", "Bob", "carol", "Dave"}));
    }

    void settersChangeOneThing()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string id = insertUser(store, "alice");
        const AdminUserRecord before = **store.adminUser(id);

        QVERIFY(store.setAdminPassword(id, "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$new", PasswordState::MustChange));
        AdminUserRecord after = **store.adminUser(id);
        QCOMPARE(after.passwordHash, std::string("$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$new"));
        QVERIFY(after.mustChangePassword);
        QVERIFY(after.passwordChangedAt >= before.passwordChangedAt);
        QVERIFY(store.setAdminPassword(id, s_phc, PasswordState::Current));
        QVERIFY(!(**store.adminUser(id)).mustChangePassword);

        QVERIFY(store.setAdminRole(id, AdminRole::Viewer));
        QVERIFY((**store.adminUser(id)).role == AdminRole::Viewer);
        QVERIFY(store.setAdminStatus(id, AdminStatus::Disabled));
        QVERIFY((**store.adminUser(id)).status == AdminStatus::Disabled);
        QVERIFY(store.setMfaLockedUntil(id, std::string("2026-11-29T22:00:00Z")));
        QCOMPARE(*(**store.adminUser(id)).mfaLockedUntil, std::string("2026-11-29T22:00:00.000Z")); // normalised
        QVERIFY(store.setMfaLockedUntil(id, std::nullopt));
        QVERIFY(!(**store.adminUser(id)).mfaLockedUntil);
        after = **store.adminUser(id);
        QCOMPARE(after.username, before.username);
        QCOMPARE(after.createdAt, before.createdAt);
        QVERIFY(after.updatedAt >= before.updatedAt);

        // Unknown users and bad values.
        auto missing = store.setAdminPassword("nobody", s_phc, PasswordState::Current);
        QVERIFY(!missing && codeOf(missing.error()) == Common::ErrorCode::NotFound);
        missing = store.setAdminRole("nobody", AdminRole::Admin);
        QVERIFY(!missing && codeOf(missing.error()) == Common::ErrorCode::NotFound);
        missing = store.setAdminStatus("nobody", AdminStatus::Active);
        QVERIFY(!missing && codeOf(missing.error()) == Common::ErrorCode::NotFound);
        missing = store.setMfaLockedUntil("nobody", std::nullopt);
        QVERIFY(!missing && codeOf(missing.error()) == Common::ErrorCode::NotFound);
        auto bad = store.setAdminPassword(id, "", PasswordState::Current);
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.setMfaLockedUntil(id, std::string("tomorrow"));
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
    }

    void countAdminsByRoleAndStatus()
    {
        ServerWorld world;
        Store &store = *world.store;
        QCOMPARE(*store.countAdmins(AdminRole::Admin, StatusFilter::Any), std::int64_t(0));
        const std::string a = insertUser(store, "a1");
        insertUser(store, "a2");
        insertUser(store, "v1", AdminRole::Viewer);
        insertUser(store, "s1", AdminRole::Supervisor);
        QVERIFY(store.setAdminStatus(a, AdminStatus::Disabled));
        QCOMPARE(*store.countAdmins(AdminRole::Admin, StatusFilter::Any), std::int64_t(2));
        QCOMPARE(*store.countAdmins(AdminRole::Admin, StatusFilter::ActiveOnly), std::int64_t(1));
        QCOMPARE(*store.countAdmins(AdminRole::Viewer, StatusFilter::ActiveOnly), std::int64_t(1));
        QCOMPARE(*store.countAdmins(AdminRole::BackOffice, StatusFilter::Any), std::int64_t(0));
    }

    void totpSeedIsStoredAsSealedBytes()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string id = insertUser(store, "alice");
        // Every byte value, including 0x00 (not a C string) and bytes that are not UTF-8.
        Bytes sealed;
        for (int i = 0; i < 256; ++i)
            sealed.push_back(static_cast<std::uint8_t>(255 - i));
        QVERIFY(store.setAdminTotp(id, sealed, TotpState::Enrolling));
        AdminUserRecord read = **store.adminUser(id);
        QVERIFY(read.totpSeed);
        QVERIFY(*read.totpSeed == sealed);
        QVERIFY(!read.totpEnabled);
        QCOMPARE(read.totpLastStep, std::int64_t(-1));
        // A blob column, not text (R10: a database dump shows an opaque blob).
        const std::string type =
            rawText(world.database.location(), isPostgres() ? "SELECT pg_typeof(totp_seed)::text FROM admin_users"
                                                            : "SELECT typeof(totp_seed) FROM admin_users");
        QCOMPARE(type, std::string(isPostgres() ? "bytea" : "blob"));

        QVERIFY(store.setAdminTotp(id, sealed, TotpState::Enabled));
        QVERIFY((**store.adminUser(id)).totpEnabled);
        QVERIFY(store.setAdminTotp(id, std::nullopt, TotpState::Enrolling)); // removed (MFA reset, R12)
        read = **store.adminUser(id);
        QVERIFY(!read.totpSeed);
        QVERIFY(!read.totpEnabled);

        auto bad = store.setAdminTotp(id, std::nullopt, TotpState::Enabled);
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.setAdminTotp(id, Bytes(1025, 1), TotpState::Enrolling);
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.setAdminTotp("nobody", sealed, TotpState::Enabled);
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::NotFound);

        // Inserted with a seed from the start.
        AdminUserRecord enrolled = user("bob");
        enrolled.totpSeed = Bytes{0, 1, 2};
        enrolled.totpEnabled = true;
        const std::string bob = *store.insertAdminUser(enrolled);
        QVERIFY(*(**store.adminUser(bob)).totpSeed == (Bytes{0, 1, 2}));
    }

    void totpStepIsAcceptedOnce()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string id = insertUser(store, "alice");
        QVERIFY(store.setAdminTotp(id, Bytes{1, 2, 3}, TotpState::Enabled));
        const std::int64_t step = 59430000; // floor(1782900000 / 30)
        QCOMPARE(*store.advanceTotpStep(id, step), true);
        QCOMPARE(*store.advanceTotpStep(id, step), false);     // the same code again: replay
        QCOMPARE(*store.advanceTotpStep(id, step - 1), false); // an older step (T−1 after T)
        QCOMPARE((**store.adminUser(id)).totpLastStep, step);
        QCOMPARE(*store.advanceTotpStep(id, step + 1), true);
        QCOMPARE(*store.advanceTotpStep("nobody", step + 5), false);
        // A new seed starts over.
        QVERIFY(store.setAdminTotp(id, Bytes{4, 5, 6}, TotpState::Enabled));
        QCOMPARE((**store.adminUser(id)).totpLastStep, std::int64_t(-1));
        QCOMPARE(*store.advanceTotpStep(id, 0), true);
    }

    void concurrentTotpStepHasOneWinner()
    {
        ServerWorld world;
        const std::string id = insertUser(*world.store, "alice");
        QVERIFY(world.store->setAdminTotp(id, Bytes{1}, TotpState::Enabled));
        auto pool = world.openPool(false, 8);
        std::atomic<int> errors{0};
        for (std::int64_t step = 1000; step < 1020; ++step) {
            const int winners = raceOnce(
                *pool, 6, [&](Store &store) { return store.advanceTotpStep(id, step); }, errors);
            QCOMPARE(winners, 1);
        }
        QCOMPARE(errors.load(), 0);
        QCOMPARE((**world.store->adminUser(id)).totpLastStep, std::int64_t(1019));
    }

    void sessionsRoundTrip()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string alice = insertUser(store, "alice");
        AdminSessionRecord session;
        session.tokenHash = hashOf("s1");
        session.userId = alice;
        session.stage = AdminSessionStage::PreAuth;
        session.ip = "10.8.0.12";
        session.userAgent = std::string(300, 'x');
        QVERIFY(store.insertAdminSession(session));
        auto read = store.adminSession(session.tokenHash);
        QVERIFY(read && *read);
        QCOMPARE((*read)->userId, alice);
        QVERIFY((*read)->stage == AdminSessionStage::PreAuth);
        QCOMPARE((*read)->ip, std::string("10.8.0.12"));
        QCOMPARE((*read)->userAgent, std::string(256, 'x'));
        QCOMPARE((*read)->createdAt.size(), std::size_t(24));
        QCOMPARE((*read)->lastSeenAt, (*read)->createdAt);
        QVERIFY(!(*read)->totpVerifiedAt);
        QCOMPARE((*read)->totpFailures, std::int64_t(0));
        QVERIFY(!*store.adminSession(hashOf("other")));

        // A full session (after TOTP) with its own times; a user agent cut at a UTF-8 boundary.
        AdminSessionRecord full = session;
        full.tokenHash = hashOf("s2");
        full.stage = AdminSessionStage::Full;
        full.createdAt = "2026-11-29T20:00:00.000Z";
        full.lastSeenAt = "2026-11-29T20:05:00Z";
        full.totpVerifiedAt = "2026-11-29T20:00:00Z";
        std::string agent = "a";
        for (int i = 0; i < 200; ++i)
            agent += "\xc3\xa9"; // é
        full.userAgent = agent;
        QVERIFY(store.insertAdminSession(full));
        const AdminSessionRecord got = **store.adminSession(full.tokenHash);
        QVERIFY(got.stage == AdminSessionStage::Full);
        QCOMPARE(got.lastSeenAt, std::string("2026-11-29T20:05:00.000Z"));
        QCOMPARE(*got.totpVerifiedAt, std::string("2026-11-29T20:00:00.000Z"));
        QCOMPARE(got.userAgent.size(), std::size_t(255)); // "a" + 127 × é, not half a character
        QCOMPARE(got.userAgent, agent.substr(0, 255));
    }

    void sessionsRefuseBadInput_data()
    {
        QTest::addColumn<QString>("tokenHash");
        QTest::addColumn<QString>("userId");
        QTest::addColumn<QString>("ip");
        QTest::addColumn<int>("code");
        const QString good = QString::fromStdString(hashOf("good"));
        const int invalid = static_cast<int>(Common::ErrorCode::InvalidInput);
        const int conflict = static_cast<int>(Common::ErrorCode::Conflict);
        QTest::newRow("raw token, not a hash")
            << QStringLiteral("dGhpcyBpcyB0aGUgdG9rZW4") << QString() << QString() << invalid;
        QTest::newRow("upper-case hex") << good.toUpper() << QString() << QString() << invalid;
        QTest::newRow("63 characters") << good.left(63) << QString() << QString() << invalid;
        QTest::newRow("ip too long") << good << QString() << QString(65, QLatin1Char('1')) << invalid;
        QTest::newRow("unknown user") << good << QStringLiteral("nobody") << QString() << conflict;
        QTest::newRow("hash exists") << QString::fromStdString(hashOf("first")) << QString() << QString() << conflict;
    }
    void sessionsRefuseBadInput()
    {
        QFETCH(QString, tokenHash);
        QFETCH(QString, userId);
        QFETCH(QString, ip);
        QFETCH(int, code);
        ServerWorld world;
        const std::string alice = insertUser(*world.store, "alice");
        AdminSessionRecord first;
        first.tokenHash = hashOf("first");
        first.userId = alice;
        QVERIFY(world.store->insertAdminSession(first));
        AdminSessionRecord session;
        session.tokenHash = tokenHash.toStdString();
        session.userId = userId.isEmpty() ? alice : userId.toStdString();
        session.ip = ip.isEmpty() ? std::string("127.0.0.1") : ip.toStdString();
        auto inserted = world.store->insertAdminSession(session);
        QVERIFY(!inserted);
        QCOMPARE(static_cast<int>(inserted.error().code), code);
        QCOMPARE(world.store->adminSessionsOfUser(alice)->size(), std::size_t(1));
    }

    void sessionTouchVerifyAndFailures()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string alice = insertUser(store, "alice");
        AdminSessionRecord session;
        session.tokenHash = hashOf("s");
        session.userId = alice;
        session.createdAt = "2026-11-29T20:00:00.000Z";
        QVERIFY(store.insertAdminSession(session));

        QVERIFY(store.touchAdminSession(session.tokenHash, "2026-11-29T20:10:00.000Z"));
        QCOMPARE((**store.adminSession(session.tokenHash)).lastSeenAt, std::string("2026-11-29T20:10:00.000Z"));
        QVERIFY(store.touchAdminSession(session.tokenHash, "2026-11-29T20:05:00.000Z")); // a late request
        QCOMPARE((**store.adminSession(session.tokenHash)).lastSeenAt, std::string("2026-11-29T20:10:00.000Z"));

        QCOMPARE(*store.incrementSessionTotpFailures(session.tokenHash), std::int64_t(1));
        QCOMPARE(*store.incrementSessionTotpFailures(session.tokenHash), std::int64_t(2));
        QCOMPARE(*store.incrementSessionTotpFailures(session.tokenHash), std::int64_t(3));
        QVERIFY(store.setSessionTotpVerified(session.tokenHash, "2026-11-29T20:11:00Z"));
        AdminSessionRecord read = **store.adminSession(session.tokenHash);
        QCOMPARE(*read.totpVerifiedAt, std::string("2026-11-29T20:11:00.000Z"));
        QCOMPARE(read.totpFailures, std::int64_t(0));
        QVERIFY(read.stage == AdminSessionStage::PreAuth); // the stage never changes in place (R16)

        const std::string missing = hashOf("missing");
        auto touched = store.touchAdminSession(missing, "2026-11-29T20:10:00.000Z");
        QVERIFY(!touched && codeOf(touched.error()) == Common::ErrorCode::NotFound);
        auto verified = store.setSessionTotpVerified(missing, "2026-11-29T20:10:00.000Z");
        QVERIFY(!verified && codeOf(verified.error()) == Common::ErrorCode::NotFound);
        auto failed = store.incrementSessionTotpFailures(missing);
        QVERIFY(!failed && codeOf(failed.error()) == Common::ErrorCode::NotFound);
        touched = store.touchAdminSession(session.tokenHash, "yesterday");
        QVERIFY(!touched && codeOf(touched.error()) == Common::ErrorCode::InvalidInput);
    }

    void sessionDeletion()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string alice = insertUser(store, "alice");
        const std::string bob = insertUser(store, "bob");
        const char *times[] = {"2026-11-29T20:00:00.000Z", "2026-11-29T20:01:00.000Z", "2026-11-29T20:02:00.000Z"};
        for (int i = 0; i < 3; ++i) {
            AdminSessionRecord session;
            session.tokenHash = hashOf("alice" + std::to_string(i));
            session.userId = alice;
            session.createdAt = times[2 - i]; // inserted newest first
            QVERIFY(store.insertAdminSession(session));
        }
        AdminSessionRecord bobs;
        bobs.tokenHash = hashOf("bob");
        bobs.userId = bob;
        QVERIFY(store.insertAdminSession(bobs));

        auto listed = store.adminSessionsOfUser(alice);
        QCOMPARE(listed->size(), std::size_t(3));
        QCOMPARE(listed->front().tokenHash, hashOf("alice2")); // oldest first
        QCOMPARE(listed->back().tokenHash, hashOf("alice0"));

        // Password change in session alice1: every other session of alice goes (R19), bob's stays.
        QCOMPARE(*store.deleteAdminSessionsOfUser(alice, hashOf("alice1")), std::int64_t(2));
        listed = store.adminSessionsOfUser(alice);
        QCOMPARE(listed->size(), std::size_t(1));
        QCOMPARE(listed->front().tokenHash, hashOf("alice1"));
        QCOMPARE(store.adminSessionsOfUser(bob)->size(), std::size_t(1));

        QCOMPARE(*store.deleteAdminSession(hashOf("alice1")), true); // logout
        QCOMPARE(*store.deleteAdminSession(hashOf("alice1")), false);
        QVERIFY(!*store.adminSession(hashOf("alice1")));
        QCOMPARE(*store.deleteAdminSessionsOfUser(bob, ""), std::int64_t(1));
        QVERIFY(store.adminSessionsOfUser(bob)->empty());
    }

    void expiredSessionsGo()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string alice = insertUser(store, "alice");
        const std::string now = "2026-11-29T22:00:00.000Z";
        struct Row
        {
            const char *name;
            const char *createdAt;
            const char *lastSeenAt;
        };
        const Row rows[] = {
            {"idle", "2026-11-29T21:00:00.000Z", "2026-11-29T21:44:59.999Z"},     // 15 min + 1 ms idle
            {"absolute", "2026-11-29T09:59:59.000Z", "2026-11-29T21:59:00.000Z"}, // active, but > 12 h old
            {"fresh", "2026-11-29T10:00:00.000Z", "2026-11-29T21:45:00.000Z"},    // exactly at both limits
        };
        for (const Row &row : rows) {
            AdminSessionRecord session;
            session.tokenHash = hashOf(row.name);
            session.userId = alice;
            session.createdAt = row.createdAt;
            session.lastSeenAt = row.lastSeenAt;
            QVERIFY(store.insertAdminSession(session));
        }
        const std::string idleCutoff = *shiftIsoTime(now, -15 * 60);
        const std::string absoluteCutoff = *shiftIsoTime(now, -12 * 3600);
        QCOMPARE(*store.deleteExpiredAdminSessions(idleCutoff, absoluteCutoff), std::int64_t(2));
        auto left = store.adminSessionsOfUser(alice);
        QCOMPARE(left->size(), std::size_t(1));
        QCOMPARE(left->front().tokenHash, hashOf("fresh"));
        QCOMPARE(*store.deleteExpiredAdminSessions(idleCutoff, absoluteCutoff), std::int64_t(0));
    }

    void recoveryCodesAreSingleUse()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string alice = insertUser(store, "alice");
        const std::string bob = insertUser(store, "bob");
        std::vector<std::string> first;
        for (int i = 0; i < 10; ++i)
            first.push_back(hashOf("code-a" + std::to_string(i)));
        QVERIFY(store.replaceRecoveryCodes(alice, first));
        QCOMPARE(*store.unusedRecoveryCodeCount(alice), std::int64_t(10));
        QCOMPARE(*store.useRecoveryCode(alice, first[0]), true);
        QCOMPARE(*store.useRecoveryCode(alice, first[0]), false); // second use
        QCOMPARE(*store.unusedRecoveryCodeCount(alice), std::int64_t(9));
        QCOMPARE(*store.useRecoveryCode(bob, first[1]), false); // another user's code
        QCOMPARE(*store.useRecoveryCode(alice, hashOf("never")), false);
        QCOMPARE(*store.useRecoveryCode(alice, "not a hash"), false);
        QCOMPARE(*store.unusedRecoveryCodeCount(bob), std::int64_t(0));

        // Regeneration voids the whole old set, used or not.
        std::vector<std::string> second;
        for (int i = 0; i < 10; ++i)
            second.push_back(hashOf("code-b" + std::to_string(i)));
        QVERIFY(store.replaceRecoveryCodes(alice, second));
        QCOMPARE(*store.unusedRecoveryCodeCount(alice), std::int64_t(10));
        QCOMPARE(*store.useRecoveryCode(alice, first[1]), false);
        QCOMPARE(*store.useRecoveryCode(alice, second[1]), true);

        // A refused set changes nothing: the current set stays whole.
        std::vector<std::string> duplicate{hashOf("d"), hashOf("d")};
        auto refused = store.replaceRecoveryCodes(alice, duplicate);
        QVERIFY(!refused && codeOf(refused.error()) == Common::ErrorCode::Conflict);
        QCOMPARE(*store.unusedRecoveryCodeCount(alice), std::int64_t(9));
        refused = store.replaceRecoveryCodes(alice, {hashOf("x"), "ABCDEF"});
        QVERIFY(!refused && codeOf(refused.error()) == Common::ErrorCode::InvalidInput);
        refused = store.replaceRecoveryCodes(alice, std::vector<std::string>(33, hashOf("y")));
        QVERIFY(!refused && codeOf(refused.error()) == Common::ErrorCode::InvalidInput);
        refused = store.replaceRecoveryCodes("nobody", {hashOf("z")});
        QVERIFY(!refused && codeOf(refused.error()) == Common::ErrorCode::Conflict);
        QCOMPARE(*store.unusedRecoveryCodeCount(alice), std::int64_t(9));

        // Inside a caller's transaction that rolls back, the old set survives too.
        {
            Transaction transaction(store);
            QVERIFY(transaction.started());
            QVERIFY(store.replaceRecoveryCodes(alice, {}));
            QCOMPARE(*store.unusedRecoveryCodeCount(alice), std::int64_t(0));
        }
        QCOMPARE(*store.unusedRecoveryCodeCount(alice), std::int64_t(9));
        // The database holds hashes only.
        QCOMPARE(rawText(world.database.location(), "SELECT min(length(code_hash)) FROM admin_recovery_codes"),
                 std::string("64"));
    }

    void concurrentRecoveryCodeUseHasOneWinner()
    {
        ServerWorld world;
        const std::string alice = insertUser(*world.store, "alice");
        std::vector<std::string> codes;
        for (int i = 0; i < 10; ++i)
            codes.push_back(hashOf("race" + std::to_string(i)));
        QVERIFY(world.store->replaceRecoveryCodes(alice, codes));
        auto pool = world.openPool(false, 8);
        std::atomic<int> errors{0};
        for (const std::string &code : codes)
            QCOMPARE(raceOnce(
                         *pool, 6, [&](Store &store) { return store.useRecoveryCode(alice, code); }, errors),
                     1);
        QCOMPARE(errors.load(), 0);
        QCOMPARE(*world.store->unusedRecoveryCodeCount(alice), std::int64_t(0));
    }

    void loginThrottleWindow()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string key = "user:" + adminUsernameKey("Mallory"); // a name no user has
        QVERIFY(!*store.loginThrottle(key));
        const std::string start = "2026-11-29T20:00:00.000Z";
        auto at = [&](std::int64_t seconds) { return *shiftIsoTime(start, seconds); };

        auto state = store.recordLoginFailure(key, start);
        QVERIFY(state);
        QCOMPARE(state->key, key);
        QCOMPARE(state->failures, std::int64_t(1));
        QCOMPARE(state->windowStart, start);
        QCOMPARE(state->lastFailureAt, start);
        QVERIFY(!state->lockedUntil);
        QCOMPARE(store.recordLoginFailure(key, at(600))->failures, std::int64_t(2));
        state = store.recordLoginFailure(key, at(3599)); // still inside the hour
        QCOMPARE(state->failures, std::int64_t(3));
        QCOMPARE(state->windowStart, start);
        QCOMPARE(state->lastFailureAt, at(3599));

        QVERIFY(store.lockLoginThrottle(key, at(3700)));
        QVERIFY(store.lockLoginThrottle(key, at(3650))); // a shorter back-off never shortens the lock
        QCOMPARE(*(**store.loginThrottle(key)).lockedUntil, at(3700));

        state = store.recordLoginFailure(key, at(3600 + 3599)); // window of `start` is over
        QCOMPARE(state->failures, std::int64_t(1));
        QCOMPARE(state->windowStart, at(3600 + 3599));
        QCOMPARE(*state->lockedUntil, at(3700));
        state = store.recordLoginFailure(key, "2026-11-29T22:00:00Z"); // seconds only: normalised
        QCOMPARE(state->failures, std::int64_t(2));
        QCOMPARE(state->lastFailureAt, std::string("2026-11-29T22:00:00.000Z"));

        // Keys are independent; a success forgets one.
        QCOMPARE(store.recordLoginFailure("ip:10.8.0.12", start)->failures, std::int64_t(1));
        QVERIFY(store.resetLoginThrottle(key));
        QVERIFY(!*store.loginThrottle(key));
        QVERIFY(store.resetLoginThrottle(key)); // twice is fine
        QCOMPARE((**store.loginThrottle("ip:10.8.0.12")).failures, std::int64_t(1));
        auto missing = store.lockLoginThrottle(key, at(10));
        QVERIFY(!missing && codeOf(missing.error()) == Common::ErrorCode::NotFound);

        // Old keys are forgotten; locked ones kept until the lock is over too.
        QVERIFY(store.recordLoginFailure("user:old", start));
        QVERIFY(store.recordLoginFailure("user:locked", start));
        QVERIFY(store.lockLoginThrottle("user:locked", at(7200)));
        QVERIFY(store.recordLoginFailure("user:recent", at(5000)));
        QCOMPARE(*store.deleteStaleLoginThrottles(at(3600)), std::int64_t(2)); // ip:… and user:old
        QVERIFY(*store.loginThrottle("user:locked"));
        QVERIFY(*store.loginThrottle("user:recent"));
        QVERIFY(!*store.loginThrottle("user:old"));
    }

    void loginThrottleRefusesBadInput()
    {
        ServerWorld world;
        Store &store = *world.store;
        auto bad = store.recordLoginFailure(std::string(257, 'k'), "2026-11-29T20:00:00Z");
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.recordLoginFailure("", "2026-11-29T20:00:00Z");
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.recordLoginFailure("user:a", "2026-11-29 20:00:00");
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        auto read = store.loginThrottle(std::string(1000000, 'k'));
        QVERIFY(!read && codeOf(read.error()) == Common::ErrorCode::InvalidInput);
        QVERIFY(store.recordLoginFailure(std::string(256, 'k'), "2026-11-29T20:00:00Z"));
    }

    void concurrentLoginFailuresAllCount()
    {
        ServerWorld world;
        auto pool = world.openPool(false, 8);
        std::atomic<int> errors{0};
        constexpr int rounds = 20;
        for (int round = 0; round < rounds; ++round)
            raceOnce(
                *pool, 6,
                [&](Store &store) -> Result<bool> {
                    return store.recordLoginFailure("user:target", utcNowIso()).map([](auto) { return true; });
                },
                errors);
        QCOMPARE(errors.load(), 0);
        QCOMPARE((**world.store->loginThrottle("user:target")).failures, std::int64_t(rounds * 6));
    }

    void notificationsNewestFirst()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string alice = insertUser(store, "alice");
        const std::string bob = insertUser(store, "bob");
        const auto first = store.insertNotification(alice, "password_changed", R"({"by":"self"})");
        QVERIFY(first);
        QVERIFY(store.insertNotification(alice, "role_changed", R"({"from":"viewer","to":"admin"})"));
        QVERIFY(store.insertNotification(alice, "totp_reuse", ""));
        QVERIFY(store.insertNotification(bob, "mfa_reset", "{}"));
        auto list = store.notifications(alice, 2);
        QVERIFY(list);
        QCOMPARE(list->size(), std::size_t(2));
        QCOMPARE(list->at(0).kind, std::string("totp_reuse"));
        QCOMPARE(list->at(0).details, std::string("{}"));
        QCOMPARE(list->at(0).userId, alice);
        QCOMPARE(list->at(1).kind, std::string("role_changed"));
        QCOMPARE(list->at(1).details, std::string(R"({"from":"viewer","to":"admin"})"));
        QCOMPARE(list->at(1).createdAt.size(), std::size_t(24));
        list = store.notifications(alice, 10);
        QCOMPARE(list->size(), std::size_t(3));
        QCOMPARE(list->back().id, *first);
        QCOMPARE(store.notifications(bob, 10)->size(), std::size_t(1));
        QVERIFY(store.notifications(alice, -1)->empty()); // never "no limit" (SQLite reads LIMIT -1 so)

        auto bad = store.insertNotification("nobody", "x", "{}");
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::Conflict);
        bad = store.insertNotification(alice, "", "{}");
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.insertNotification(alice, std::string(65, 'k'), "{}");
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.insertNotification(alice, "x", std::string(4097, ' '));
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
    }

    void approvalsNeedFourEyes()
    {
        ServerWorld world;
        Store &store = *world.store;
        const std::string alice = insertUser(store, "alice");
        const std::string bob = insertUser(store, "bob");
        const std::string carol = insertUser(store, "carol");
        ApprovalRecord request;
        request.action = "grant_admin";
        request.target = carol;
        request.details = R"({"role":"admin"})";
        request.requestedBy = alice;
        auto id = store.insertApproval(request);
        QVERIFY2(id, id ? "" : id.error().message.c_str());
        ApprovalRecord other = request;
        other.action = "pii_export";
        other.details.clear();
        const std::int64_t second = *store.insertApproval(other);

        auto pending = store.pendingApprovals();
        QCOMPARE(pending->size(), std::size_t(2));
        QCOMPARE(pending->front().id, *id);
        QCOMPARE(pending->back().details, std::string("{}"));
        const ApprovalRecord stored = **store.approval(*id);
        QCOMPARE(stored.action, std::string("grant_admin"));
        QCOMPARE(stored.target, carol);
        QCOMPARE(stored.requestedBy, alice);
        QCOMPARE(stored.requestedAt.size(), std::size_t(24));
        QVERIFY(stored.decision == ApprovalDecision::Pending);
        QVERIFY(!stored.decidedBy && !stored.decidedAt);

        auto own = store.decideApproval(*id, alice, ApprovalDecision::Approved); // same admin: R27 → 403
        QVERIFY(!own && codeOf(own.error()) == Common::ErrorCode::Forbidden);
        QVERIFY((**store.approval(*id)).decision == ApprovalDecision::Pending);
        QCOMPARE(*store.decideApproval(*id, bob, ApprovalDecision::Approved), true);
        QCOMPARE(*store.decideApproval(*id, carol, ApprovalDecision::Rejected), false); // decided twice
        QCOMPARE(*store.decideApproval(*id, alice, ApprovalDecision::Rejected), false);
        const ApprovalRecord decided = **store.approval(*id);
        QVERIFY(decided.decision == ApprovalDecision::Approved);
        QCOMPARE(*decided.decidedBy, bob);
        QCOMPARE(decided.decidedAt->size(), std::size_t(24));
        QCOMPARE(store.pendingApprovals()->size(), std::size_t(1));

        auto bad = store.decideApproval(second, bob, ApprovalDecision::Pending);
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
        bad = store.decideApproval(second, "nobody", ApprovalDecision::Approved);
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::Conflict);
        bad = store.decideApproval(99999, bob, ApprovalDecision::Approved);
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::NotFound);
        QCOMPARE(*store.decideApproval(second, carol, ApprovalDecision::Rejected), true);
        QVERIFY(store.pendingApprovals()->empty());
        QVERIFY(!*store.approval(99999));

        ApprovalRecord invalid = request;
        invalid.action.clear();
        auto refused = store.insertApproval(invalid);
        QVERIFY(!refused && codeOf(refused.error()) == Common::ErrorCode::InvalidInput);
        invalid = request;
        invalid.requestedBy = "nobody";
        refused = store.insertApproval(invalid);
        QVERIFY(!refused && codeOf(refused.error()) == Common::ErrorCode::Conflict);
    }

    void concurrentApprovalHasOneDecider()
    {
        ServerWorld world;
        const std::string requester = insertUser(*world.store, "requester");
        std::vector<std::string> deciders;
        for (int i = 0; i < 6; ++i)
            deciders.push_back(insertUser(*world.store, "decider" + std::to_string(i)));
        auto pool = world.openPool(false, 8);
        std::atomic<int> errors{0};
        for (int round = 0; round < 10; ++round) {
            ApprovalRecord request;
            request.action = "stock_adjustment";
            request.target = "S1";
            request.requestedBy = requester;
            const std::int64_t id = *world.store->insertApproval(request);
            std::atomic<int> next{0};
            const int winners = raceOnce(
                *pool, 6,
                [&](Store &store) {
                    return store.decideApproval(id, deciders[static_cast<std::size_t>(next++)],
                                                ApprovalDecision::Approved);
                },
                errors);
            QCOMPARE(winners, 1);
        }
        QCOMPARE(errors.load(), 0);
    }

    void setupTokenIsConsumedOnce()
    {
        ServerWorld world;
        Store &store = *world.store;
        QVERIFY(!*store.setupTokenHash());
        const std::string digest = setupTokenDigest("ABCDEFGHIJKLMNOPQRSTUVWX");
        QVERIFY(store.setSetupTokenHash(setupTokenDigest("OLDOLDOLDOLDOLDOLDOLDOLD")));
        QVERIFY(store.setSetupTokenHash(digest)); // the newer one replaces it
        QCOMPARE(**store.setupTokenHash(), digest);
        QCOMPARE(*store.consumeSetupToken(setupTokenDigest("OLDOLDOLDOLDOLDOLDOLDOLD")), false);
        QCOMPARE(*store.consumeSetupToken("garbage"), false);

        // Consumed together with the first admin's creation: a rollback keeps the token.
        {
            Transaction transaction(store);
            QVERIFY(transaction.started());
            QCOMPARE(*store.consumeSetupToken(digest), true);
            QVERIFY(store.insertAdminUser(user("first")));
        }
        QCOMPARE(**store.setupTokenHash(), digest);
        QVERIFY(!*store.adminUserByName("first"));

        QCOMPARE(*store.consumeSetupToken(setupTokenDigest("abcd efgh-ijkl mnop qrst uvwx")), true);
        QCOMPARE(*store.consumeSetupToken(digest), false); // then gone: POST /setup answers 404
        QVERIFY(!*store.setupTokenHash());
        auto bad = store.setSetupTokenHash("ABCDEFGHIJKLMNOPQRSTUVWX"); // never the password itself
        QVERIFY(!bad && codeOf(bad.error()) == Common::ErrorCode::InvalidInput);
    }

    void concurrentSetupTokenHasOneWinner()
    {
        ServerWorld world;
        auto pool = world.openPool(false, 8);
        std::atomic<int> errors{0};
        for (int round = 0; round < 10; ++round) {
            const std::string digest = setupTokenDigest("TOKEN" + std::to_string(round));
            QVERIFY(world.store->setSetupTokenHash(digest));
            QCOMPARE(raceOnce(
                         *pool, 6, [&](Store &store) { return store.consumeSetupToken(digest); }, errors),
                     1);
        }
        QCOMPARE(errors.load(), 0);
    }

    void setupTokenDigestAndRandomness()
    {
        // SHA-256("ABC") (FIPS 180-4), after upper-casing and dropping spaces and dashes.
        const std::string abc = "b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78";
        QCOMPARE(setupTokenDigest("ABC"), abc);
        QCOMPARE(setupTokenDigest("a-b c"), abc);
        QVERIFY(isSha256Hex(setupTokenDigest("")));
        std::set<std::string> seen;
        for (int i = 0; i < 1000; ++i) {
            auto password = randomBase32(24);
            QVERIFY(password);
            QCOMPARE(password->size(), std::size_t(24));
            QVERIFY(password->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == std::string::npos);
            seen.insert(*password);
        }
        QCOMPARE(seen.size(), std::size_t(1000));
        // Every one of the 32 symbols turns up in every position sooner or later (no stuck bits).
        std::set<char> last;
        for (const std::string &password : seen)
            last.insert(password.back());
        QCOMPARE(last.size(), std::size_t(32));
    }

    void isoTimeShift_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<qint64>("seconds");
        QTest::addColumn<QString>("expected"); // empty = refused
        QTest::newRow("minus an hour") << QStringLiteral("2026-11-29T21:40:00.123Z") << qint64(-3600)
                                       << QStringLiteral("2026-11-29T20:40:00.123Z");
        QTest::newRow("no milliseconds") << QStringLiteral("2026-03-01T00:00:00Z") << qint64(-1)
                                         << QStringLiteral("2026-02-28T23:59:59.000Z");
        QTest::newRow("leap day") << QStringLiteral("2024-03-01T00:00:00.000Z") << qint64(-86400)
                                  << QStringLiteral("2024-02-29T00:00:00.000Z");
        QTest::newRow("year end") << QStringLiteral("2026-12-31T23:59:59.999Z") << qint64(1)
                                  << QStringLiteral("2027-01-01T00:00:00.999Z");
        QTest::newRow("after 2038") << QStringLiteral("2038-01-19T03:14:07Z") << qint64(12 * 3600)
                                    << QStringLiteral("2038-01-19T15:14:07.000Z");
        QTest::newRow("space for T") << QStringLiteral("2026-11-29 21:40:00Z") << qint64(0) << QString();
        QTest::newRow("no Z") << QStringLiteral("2026-11-29T21:40:00.000") << qint64(0) << QString();
        QTest::newRow("month 13") << QStringLiteral("2026-13-01T00:00:00Z") << qint64(0) << QString();
        QTest::newRow("February 30") << QStringLiteral("2026-02-30T00:00:00Z") << qint64(0) << QString();
        QTest::newRow("hour 24") << QStringLiteral("2026-11-29T24:00:00Z") << qint64(0) << QString();
        QTest::newRow("offset") << QStringLiteral("2026-11-29T21:40:00+09:00") << qint64(0) << QString();
        QTest::newRow("empty") << QString() << qint64(0) << QString();
    }
    void isoTimeShift()
    {
        QFETCH(QString, from);
        QFETCH(qint64, seconds);
        QFETCH(QString, expected);
        const auto shifted = Server::Storage::shiftIsoTime(from.toStdString(), seconds);
        if (expected.isEmpty()) {
            QVERIFY(!shifted);
            QVERIFY(!checkedIsoTime(from.toStdString()));
        } else {
            QVERIFY(shifted);
            QCOMPARE(QString::fromStdString(*shifted), expected);
        }
    }

    void initPrintsSetupPasswordOnce()
    {
        TestDatabase database;
        QTemporaryDir folders;
        Server::App::InitOptions options;
        options.dataFolder = folders.filePath(QStringLiteral("one")).toStdString();
        options.hostnames = {"localhost"};
        options.actor = "cli:test";
        if (isPostgres())
            options.database = database.location();
        auto first = Server::App::initDataFolder(options);
        QVERIFY2(first, first ? "" : first.error().message.c_str());
        QVERIFY(first->setupPassword);
        const std::string password = *first->setupPassword;
        QCOMPARE(password.size(), std::size_t(24));

        const std::string location =
            isPostgres() ? database.location() : (std::filesystem::path(options.dataFolder) / "soko.db").string();
        auto pool = openStorePool(location, {});
        QVERIFY(pool);
        auto store = (*pool)->acquire();
        QVERIFY(store);
        // Only the digest is stored, and the issue is audited without the secret.
        QCOMPARE(**(*store)->setupTokenHash(), setupTokenDigest(password));
        QVERIFY(rawText(location, "SELECT value FROM server_meta WHERE key = 'admin_setup_token'").find(password) ==
                std::string::npos);
        auto audit = (*store)->audit(0, 100);
        QVERIFY(audit);
        bool audited = false;
        for (const AuditRecord &row : *audit) {
            QVERIFY(row.details.find(password) == std::string::npos);
            audited = audited || (row.event == "authn_token_created" && row.target == "admin_setup");
        }
        QVERIFY(audited);

        if (!isPostgres())
            return; // the rest needs a database shared by two data folders
        // A second init on the same database without an admin: a new password replaces the old.
        options.dataFolder = folders.filePath(QStringLiteral("two")).toStdString();
        auto second = Server::App::initDataFolder(options);
        QVERIFY(second && second->setupPassword);
        QVERIFY(*second->setupPassword != password);
        QCOMPARE(**(*store)->setupTokenHash(), setupTokenDigest(*second->setupPassword));
        // With an active admin, a third init prints nothing new and leaves the database alone.
        QCOMPARE(*(*store)->consumeSetupToken(setupTokenDigest(*second->setupPassword)), true);
        insertUser(**store, "root-admin");
        options.dataFolder = folders.filePath(QStringLiteral("three")).toStdString();
        auto third = Server::App::initDataFolder(options);
        QVERIFY(third);
        QVERIFY(!third->setupPassword);
        QVERIFY(!*(*store)->setupTokenHash());
    }

    void adminSetupTokenCommand()
    {
        TestDatabase database;
        QTemporaryDir folders;
        Server::App::InitOptions options;
        options.dataFolder = folders.filePath(QStringLiteral("data")).toStdString();
        options.hostnames = {"localhost"};
        options.actor = "cli:test";
        if (isPostgres())
            options.database = database.location();
        auto initialised = Server::App::initDataFolder(options);
        QVERIFY(initialised && initialised->setupPassword);
        const std::string lost = *initialised->setupPassword;
        const std::vector<std::string> arguments{"admin-setup-token", "--data", options.dataFolder};

        std::string output;
        int exitCode = 0;
        {
            CapturedOutput captured;
            exitCode = Server::App::runCommand(arguments);
            output = captured.text.str();
        }
        QCOMPARE(exitCode, 0);
        const std::string fresh = setupPasswordIn(output);
        QCOMPARE(fresh.size(), std::size_t(24));
        QVERIFY(fresh != lost);
        QVERIFY(output.find("https://127.0.0.1:8445/admin/setup") != std::string::npos);

        const std::string location =
            isPostgres() ? database.location() : (std::filesystem::path(options.dataFolder) / "soko.db").string();
        {
            auto pool = openStorePool(location, {});
            QVERIFY(pool);
            auto store = (*pool)->acquire();
            QVERIFY(store);
            QCOMPARE(*(*store)->consumeSetupToken(setupTokenDigest(lost)), false); // the lost one is void
            QCOMPARE(**(*store)->setupTokenHash(), setupTokenDigest(fresh));
            // A disabled admin does not count; an active one closes the way.
            const std::string disabled = insertUser(**store, "gone");
            QVERIFY((*store)->setAdminStatus(disabled, AdminStatus::Disabled));
            insertUser(**store, "keeper");
        }
        {
            CapturedOutput captured;
            exitCode = Server::App::runCommand(arguments);
            output = captured.text.str();
        }
        QCOMPARE(exitCode, 1);
        QVERIFY(setupPasswordIn(output).empty());
        auto pool = openStorePool(location, {});
        auto store = (*pool)->acquire();
        QCOMPARE(**(*store)->setupTokenHash(), setupTokenDigest(fresh)); // unchanged
    }

    // `admin-user`: the operator on the host is the second pair of eyes while fewer than two
    // active administrators exist (the single-admin install could otherwise never get a second
    // admin, nor reset its only admin's MFA); refused once the pages can do it with four eyes.
    void adminUserCommand()
    {
        TestDatabase database;
        QTemporaryDir folders;
        Server::App::InitOptions options;
        options.dataFolder = folders.filePath(QStringLiteral("data")).toStdString();
        options.hostnames = {"localhost"};
        options.actor = "cli:test";
        if (isPostgres())
            options.database = database.location();
        QVERIFY(Server::App::initDataFolder(options));
        const std::string location =
            isPostgres() ? database.location() : (std::filesystem::path(options.dataFolder) / "soko.db").string();
        std::string solo;
        std::string pat;
        {
            auto pool = openStorePool(location, {});
            QVERIFY(pool);
            auto store = (*pool)->acquire();
            solo = insertUser(**store, "solo");
            pat = insertUser(**store, "pat", AdminRole::Viewer);
            QVERIFY((*store)->setAdminTotp(solo, Bytes(40, 7), TotpState::Enabled));
            AdminSessionRecord session;
            session.tokenHash = hashOf("solo-session");
            session.userId = solo;
            session.stage = AdminSessionStage::Full;
            session.ip = "192.0.2.1";
            QVERIFY((*store)->insertAdminSession(session));
        }
        const auto run = [&](std::vector<std::string> arguments, std::string *output = nullptr) {
            CapturedOutput captured;
            const int exitCode = Server::App::runCommand(arguments);
            if (output)
                *output = captured.text.str();
            return exitCode;
        };
        const auto args = [&](const char *action, const char *name) {
            return std::vector<std::string>{"admin-user", action, "--data", options.dataFolder, name};
        };
        QCOMPARE(run({"admin-user", "promote", "--data", options.dataFolder, "pat"}), 2);
        QCOMPARE(run({"admin-user", "grant-admin", "--data", options.dataFolder}), 2);
        QCOMPARE(run(args("grant-admin", "nobody")), 1);
        QCOMPARE(run(args("grant-admin", "solo")), 1); // an administrator already

        std::string output;
        QCOMPARE(run(args("grant-admin", "pat"), &output), 0);
        QVERIFY(output.find("'pat' is now an administrator") != std::string::npos);
        auto pool = openStorePool(location, {});
        QVERIFY(pool);
        auto lease = (*pool)->acquire();
        Store &store = **lease;
        QCOMPARE((**store.adminUser(pat)).role, AdminRole::Admin);
        auto head = *store.lastAudit();
        QVERIFY(head);
        QCOMPARE(head->event, std::string("privilege_permissions_changed"));
        QVERIFY(head->actor.starts_with("cli:"));
        QVERIFY2(head->details.find("\"via\":\"command_line\"") != std::string::npos, head->details.c_str());
        const auto announced = *store.alerts(0, 100);
        QVERIFY(std::any_of(announced.begin(), announced.end(), [](const auto &alert) {
            return alert.text.find("pat") != std::string::npos;
        }));

        // Two active administrators now: the pages' four eyes apply, the command refuses.
        const auto auditBefore = head->id;
        QCOMPARE(run(args("reset-mfa", "solo")), 1);
        QCOMPARE((*store.lastAudit())->id, auditBefore);
        QVERIFY((**store.adminUser(solo)).totpEnabled);

        // pat disabled again: solo is alone, and the operator may reset solo's MFA.
        QVERIFY(store.setAdminStatus(pat, AdminStatus::Disabled));
        QCOMPARE(run(args("reset-mfa", "solo"), &output), 0);
        QVERIFY(output.find("MFA of 'solo' reset") != std::string::npos);
        const AdminUserRecord reset = **store.adminUser(solo);
        QVERIFY(!reset.totpEnabled);
        QVERIFY(!reset.totpSeed);
        QVERIFY(store.adminSessionsOfUser(solo)->empty());
        QCOMPARE((*store.lastAudit())->event, std::string("authn_mfa_reset"));
    }
};

QTEST_GUILESS_MAIN(TestAdminStore)
#include "tst_adminstore.moc"
