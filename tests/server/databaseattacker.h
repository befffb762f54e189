#pragma once
#include <cstdlib>
#include <memory>
#include <string>

#include <sqlite3.h>

#ifdef SOKO_HAVE_POSTGRESQL
#include <pqxx/pqxx>
#endif

#include "tests/server/serverfixture.h"

namespace TestSupport {

// A connection that bypasses soko-server, as an intruder with access to the database would use:
// the SQLite file opened directly, or the PostgreSQL superuser (SOKO_TEST_PG_ADMIN_URL) on the
// test case's database. For the tamper tests of the audit trail (REQUIREMENTS.md R41).
class DatabaseAttacker
{
public:
    explicit DatabaseAttacker(const TestDatabase &database)
    {
#ifdef SOKO_HAVE_POSTGRESQL
        if (isPostgres()) {
            m_pg = std::make_unique<pqxx::connection>(
                urlWithDatabase(std::getenv("SOKO_TEST_PG_ADMIN_URL"), database.name()));
            return;
        }
#endif
        if (sqlite3_open(database.location().c_str(), &m_db) != SQLITE_OK)
            qFatal("cannot open the database file");
    }
    ~DatabaseAttacker()
    {
        sqlite3_close(m_db);
    }
    DatabaseAttacker(const DatabaseAttacker &) = delete;
    DatabaseAttacker &operator=(const DatabaseAttacker &) = delete;

    // What an attacker does first: switch off the append-only triggers of audit and
    // audit_checkpoints (SQLite: drops them; PostgreSQL: disables them).
    void disableTriggers()
    {
        if (isPostgres()) {
            exec("ALTER TABLE audit DISABLE TRIGGER USER");
            exec("ALTER TABLE audit_checkpoints DISABLE TRIGGER USER");
            return;
        }
        for (const char *trigger :
             {"audit_no_update", "audit_no_delete", "audit_checkpoints_no_update", "audit_checkpoints_no_delete"})
            exec(std::string("DROP TRIGGER ") + trigger);
    }

    // Runs `sql` as is (the test writes it; nothing here comes from outside). Fails the test
    // program on an SQLite error; a PostgreSQL error throws pqxx's exception.
    void exec(const std::string &sql)
    {
#ifdef SOKO_HAVE_POSTGRESQL
        if (m_pg) {
            pqxx::nontransaction session(*m_pg);
            session.exec(sql);
            return;
        }
#endif
        char *message = nullptr;
        if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
            const std::string text = message ? message : "error";
            sqlite3_free(message);
            qFatal("attacker SQL failed: %s", text.c_str());
        }
    }

    // `url` (postgresql://user@host:port/db?options) with its database name replaced.
    static std::string urlWithDatabase(const std::string &url, const std::string &database)
    {
        const auto scheme = url.find("://");
        const auto slash = url.find('/', scheme + 3);
        const auto query = url.find('?', slash);
        return url.substr(0, slash + 1) + database + (query == std::string::npos ? "" : url.substr(query));
    }

private:
    sqlite3 *m_db = nullptr;
#ifdef SOKO_HAVE_POSTGRESQL
    std::unique_ptr<pqxx::connection> m_pg;
#endif
};

} // namespace TestSupport
