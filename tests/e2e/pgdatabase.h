#pragma once
#include <QString>
#include <QTest>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <pqxx/pqxx>

// A fresh PostgreSQL database for one end-to-end test case, created through
// SOKO_TEST_PG_ADMIN_URL, owned by the role of SOKO_TEST_PG_URL, dropped (WITH FORCE) when the
// object goes away. `./scripts/dev.sh test` exports both variables (scripts/pg.sh); without them
// create() fails with the reason, and the test FAILS (never skips).
namespace E2e {

class PgDatabase final
{
public:
    PgDatabase() = default;
    PgDatabase(const PgDatabase &) = delete;
    PgDatabase &operator=(const PgDatabase &) = delete;
    ~PgDatabase() { drop(); }

    // Errors: a message naming what is missing or failed.
    bool create(QString *why)
    {
        const char *url = std::getenv("SOKO_TEST_PG_URL");
        const char *admin = std::getenv("SOKO_TEST_PG_ADMIN_URL");
        if (!url || !*url || !admin || !*admin) {
            *why = QStringLiteral("SOKO_TEST_PG_URL / SOKO_TEST_PG_ADMIN_URL are not set: run through "
                                  "./scripts/dev.sh test, or `source scripts/pg.sh; pg_throwaway_start` first");
            return false;
        }
        const std::string base = url;
        std::random_device random;
        char name[40];
        std::snprintf(name, sizeof name, "soko_e2e_%08x%08x", random(), random());
        // postgresql://user:password@host:port/database?… → the same with database = name.
        const auto scheme = base.find("://");
        const auto at = base.find('@');
        const auto slash = base.find('/', at == std::string::npos ? scheme + 3 : at);
        if (scheme == std::string::npos || slash == std::string::npos) {
            *why = QStringLiteral("SOKO_TEST_PG_URL is not a postgresql:// URI with a database");
            return false;
        }
        const auto userEnd = base.find_first_of(":@", scheme + 3);
        m_user = base.substr(scheme + 3, userEnd - scheme - 3);
        const auto query = base.find('?', slash);
        m_url = base.substr(0, slash + 1) + name + (query == std::string::npos ? "" : base.substr(query));
        m_password = at != std::string::npos && userEnd < at ? base.substr(userEnd + 1, at - userEnd - 1) : "";
        m_admin = admin;
        try {
            pqxx::connection connection(m_admin);
            pqxx::nontransaction session(connection);
            session.exec("CREATE DATABASE " + connection.quote_name(name) + " OWNER " +
                         connection.quote_name(m_user));
            m_name = name;
        } catch (const std::exception &error) {
            *why = QStringLiteral("cannot create a test database: %1").arg(QString::fromLocal8Bit(error.what()));
            return false;
        }
        return true;
    }

    void drop()
    {
        if (m_name.empty())
            return;
        try {
            pqxx::connection connection(m_admin);
            pqxx::nontransaction session(connection);
            session.exec("DROP DATABASE IF EXISTS " + connection.quote_name(m_name) + " WITH (FORCE)");
        } catch (const std::exception &error) {
            qWarning("cannot drop test database %s: %s", m_name.c_str(), error.what());
        }
        m_name.clear();
    }

    QString url() const { return QString::fromStdString(m_url); }
    const std::string &urlString() const { return m_url; }
    const std::string &password() const { return m_password; } // to prove it never appears in output
    const std::string &user() const { return m_user; }

    // One integer from the database (a fresh connection; -1 and a warning on error).
    template <typename... Args> qint64 scalar(const std::string &sql, Args &&...args) const
    {
        try {
            pqxx::connection connection(m_url);
            pqxx::nontransaction session(connection);
            const pqxx::result rows = session.exec_params(sql, std::forward<Args>(args)...);
            return rows.empty() || rows[0][0].is_null() ? 0 : rows[0][0].as<qint64>();
        } catch (const std::exception &error) {
            qWarning("%s: %s", sql.c_str(), error.what());
            return -1;
        }
    }

private:
    std::string m_admin;
    std::string m_url;
    std::string m_name;
    std::string m_user;
    std::string m_password;
};

} // namespace E2e
