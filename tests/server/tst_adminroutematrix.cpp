#include <QDir>
#include <QFile>
#include <QTest>

#include <map>
#include <set>
#include <tuple>

#include "server/admin/adminapplication.h"
#include "server/admin/listenerrouter.h"
#include "server/api/apiapplication.h"
#include "server/oms/adminservice.h"
#include "tests/server/serverfixture.h"

// REQUIREMENTS.md R21: every route of ApiApplication and AdminApplication, requested on every
// listener by every caller class, must give the outcome written in the checked-in
// tests/server/routematrix.tsv. A route added (or a policy changed) without updating the file
// fails here; the actual matrix is written to routematrix.actual.tsv in the working directory so
// the difference can be reviewed and the file updated deliberately.
using namespace TestSupport;
using namespace Server::Admin;
using Server::Net::HttpRequest;
using Server::Net::HttpResponse;
using Server::Net::Listener;

namespace {

enum class Caller { U, D, K, Ks, Av, Aa };
constexpr Caller callers[] = {Caller::U, Caller::D, Caller::K, Caller::Ks, Caller::Av, Caller::Aa};
constexpr Listener listeners[] = {Listener::Devices, Listener::Api, Listener::Admin};

using Key = std::tuple<std::string, std::string, std::string>; // method, pattern, listener
using Outcomes = std::vector<std::string>;                     // one per caller, in `callers` order

std::string concrete(std::string pattern)
{
    for (const auto &[placeholder, value] : {std::pair{"{id}", "1"}, std::pair{"{key}", "k"}}) {
        for (auto at = pattern.find(placeholder); at != std::string::npos; at = pattern.find(placeholder))
            pattern.replace(at, std::string_view(placeholder).size(), value);
    }
    return pattern;
}

std::string lineOf(const Key &key, const Outcomes &outcomes)
{
    std::string line = std::get<0>(key) + "\t" + std::get<1>(key) + "\t" + std::get<2>(key);
    for (const std::string &outcome : outcomes)
        line += "\t" + outcome;
    return line;
}

} // namespace

class TestAdminRouteMatrix : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerWorld> m_world;
    std::unique_ptr<Server::Api::ApiApplication> m_api;
    std::unique_ptr<AdminApplication> m_admin;
    Server::Net::Application m_composed;
    std::string m_adminKey, m_storeKey;

    HttpRequest requestFor(Caller caller, Listener listener, const std::string &method, const std::string &path) const
    {
        HttpRequest request;
        request.listener = listener;
        request.requestId = "00000000-0000-4000-8000-000000000021";
        request.method = method;
        request.path = path;
        request.target = path;
        request.headers.emplace_back("host", "localhost");
        request.peer.address = "127.0.0.1";
        switch (caller) {
        case Caller::U:
            break;
        case Caller::D:
            // What the transport reports for a verified certificate of the active device dev1.
            request.peer.certificateSerial = "0A01";
            request.peer.certificateDeviceId = dev1;
            break;
        case Caller::K:
            request.headers.emplace_back("authorization", "Bearer " + m_adminKey);
            break;
        case Caller::Ks:
            request.headers.emplace_back("authorization", "Bearer " + m_storeKey);
            break;
        case Caller::Av:
            request.headers.emplace_back("cookie", "__Host-sid=viewer");
            break;
        case Caller::Aa:
            request.headers.emplace_back("cookie", "__Host-sid=admin");
            break;
        }
        return request;
    }

    std::string outcome(Caller caller, Listener listener, const std::string &method, const std::string &path)
    {
        const auto limits = m_composed.limits(listener, method, path);
        if (!limits.known)
            return "absent";
        if (std::find(limits.allowedMethods.begin(), limits.allowedMethods.end(), method) ==
            limits.allowedMethods.end())
            return "405";
        const HttpResponse response = m_composed.handle(requestFor(caller, listener, method, path));
        if (response.status == 401 || response.status == 403 || response.status == 405)
            return std::to_string(response.status);
        if (response.status == 302) {
            for (const auto &[name, value] : response.headers)
                if (name == "Location" && value.starts_with("/admin/login"))
                    return "login";
        }
        if (response.status >= 500)
            return "error-" + std::to_string(response.status); // never expected: shows up in the diff
        return "pass";
    }

    std::map<Key, Outcomes> actualMatrix()
    {
        std::set<std::pair<std::string, std::string>> routes; // method, pattern
        for (const auto &route : m_api->routes())
            routes.emplace(route.method, route.pattern);
        for (const auto &route : m_admin->routes())
            routes.emplace(route.method, route.pattern);
        std::map<Key, Outcomes> matrix;
        for (const auto &[method, pattern] : routes) {
            for (const Listener listener : listeners) {
                Outcomes outcomes;
                for (const Caller caller : callers)
                    outcomes.push_back(outcome(caller, listener, method, concrete(pattern)));
                matrix[{method, pattern, std::string(Server::Net::listenerName(listener))}] = outcomes;
            }
        }
        return matrix;
    }

private Q_SLOTS:
    void initTestCase_data() { addBackendRows(); }

    void init()
    {
        SOKO_CHECK_BACKEND();
        m_world = std::make_unique<ServerWorld>();
        m_api = std::make_unique<Server::Api::ApiApplication>(*m_world->pool, Server::Api::ApiConfig{});
        AdminConfig config;
        config.sessions = [](const SessionQuery &query) -> Common::Result<std::optional<AdminSession>> {
            const auto now = std::chrono::system_clock::now();
            if (query.token == "viewer")
                return AdminSession{"3", "vera", Role::Viewer, SessionStage::Complete, now, "k3"};
            if (query.token == "admin")
                return AdminSession{"1", "alice", Role::Admin, SessionStage::Complete, now, "k1"};
            return std::optional<AdminSession>();
        };
        config.setupPending = [] { return Common::Result<bool>(true); }; // as `run` wires it today
        m_admin = std::make_unique<AdminApplication>(*m_world->pool, config);
        m_composed = composeByListener(*m_api, *m_admin);
        Server::Oms::AdminService admin(*m_world->store);
        m_adminKey = admin.createApiKey("admin", "matrix", "cli:test")->token;
        m_storeKey = admin.createApiKey("store:shop", "matrix", "cli:test")->token;
    }

    void cleanup()
    {
        m_composed = {};
        m_admin.reset();
        m_api.reset();
        m_world.reset();
    }

    void matrixMatchesCheckedInFile()
    {
        const QString path = QStringLiteral(SOKO_SOURCE_DIR "/tests/server/routematrix.tsv");
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        std::map<Key, Outcomes> expected;
        int lineNumber = 0;
        for (const QByteArray &raw : file.readAll().split('\n')) {
            ++lineNumber;
            const QByteArray line = raw.trimmed();
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            const QList<QByteArray> fields = line.split('\t');
            QVERIFY2(fields.size() == 3 + qsizetype(std::size(callers)),
                     qPrintable(QStringLiteral("routematrix.tsv:%1: expected %2 tab-separated fields")
                                    .arg(lineNumber)
                                    .arg(3 + std::size(callers))));
            const Key key{fields[0].toStdString(), fields[1].toStdString(), fields[2].toStdString()};
            QVERIFY2(!expected.contains(key),
                     qPrintable(QStringLiteral("routematrix.tsv:%1: repeated").arg(lineNumber)));
            Outcomes outcomes;
            for (qsizetype index = 3; index < fields.size(); ++index)
                outcomes.push_back(fields[index].toStdString());
            expected[key] = outcomes;
        }

        const auto actual = actualMatrix();
        QStringList problems;
        for (const auto &[key, outcomes] : actual) {
            const auto found = expected.find(key);
            if (found == expected.end())
                problems << QStringLiteral("route missing from the file: ") +
                                QString::fromStdString(lineOf(key, outcomes));
            else if (found->second != outcomes)
                problems << QStringLiteral("expected ") + QString::fromStdString(lineOf(key, found->second)) +
                                QStringLiteral("\n     got ") + QString::fromStdString(lineOf(key, outcomes));
        }
        for (const auto &[key, outcomes] : expected) {
            if (!actual.contains(key))
                problems << QStringLiteral("no such route any more: ") + QString::fromStdString(lineOf(key, outcomes));
        }
        if (!problems.isEmpty()) {
            QFile out(QDir::current().filePath(QStringLiteral("routematrix.actual.tsv")));
            if (out.open(QIODevice::WriteOnly))
                for (const auto &[key, outcomes] : actual)
                    out.write(QByteArray::fromStdString(lineOf(key, outcomes) + "\n"));
            QFAIL(qPrintable(problems.join(QLatin1Char('\n')) + QStringLiteral("\n(actual matrix: ") + out.fileName() +
                             QStringLiteral(")")));
        }
        QVERIFY(actual.size() >= 3 * (m_api->routes().size() + m_admin->routes().size()) / 2);
    }

    // The file is reviewed by people; these invariants hold whatever it says.
    void invariants()
    {
        const auto actual = actualMatrix();
        for (const auto &route : m_admin->routes()) {
            for (const Listener listener : {Listener::Devices, Listener::Api}) {
                const auto &row =
                    actual.at({route.method, route.pattern, std::string(Server::Net::listenerName(listener))});
                QVERIFY2(std::all_of(row.begin(), row.end(), [](const std::string &o) { return o == "absent"; }),
                         route.pattern.c_str()); // R23
            }
            const auto &row = actual.at({route.method, route.pattern, "admin"});
            if (route.auth != AdminAuth::Session)
                continue;
            // Nobody without an admin session gets in; device certificates and API keys mean nothing here.
            const std::string denied = route.kind == ResponseKind::Html ? "login" : "401";
            for (const std::size_t index : {0, 1, 2, 3})
                QCOMPARE(row[index], denied);
            QCOMPARE(row[4], std::string(roleHas(Role::Viewer, *route.permission) ? "pass" : "403"));
            QCOMPARE(row[5], std::string("pass"));
        }
        for (const auto &route : m_api->routes()) {
            const auto &adminRow = actual.at({route.method, route.pattern, "admin"});
            QVERIFY2(std::all_of(adminRow.begin(), adminRow.end(), [](const std::string &o) { return o == "absent"; }),
                     route.pattern.c_str());
            const auto &row =
                actual.at({route.method, route.pattern, std::string(Server::Net::listenerName(route.listener))});
            if (route.auth == Server::Api::Auth::Device) {
                QCOMPARE(row[1], std::string("pass")); // D
                for (const std::size_t index : {0, 2, 3, 4, 5})
                    QCOMPARE(row[index], std::string("401"));
            }
            if (route.auth == Server::Api::Auth::ApiKey || route.auth == Server::Api::Auth::ApiKeyAdmin) {
                QCOMPARE(row[2], std::string("pass")); // K
                QCOMPARE(row[3], std::string(route.auth == Server::Api::Auth::ApiKey ? "pass" : "403"));
                for (const std::size_t index : {0, 1, 4, 5}) // a device certificate or an admin cookie is no key
                    QCOMPARE(row[index], std::string("401"));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestAdminRouteMatrix)
#include "tst_adminroutematrix.moc"
