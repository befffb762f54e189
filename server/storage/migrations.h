#pragma once
#include <string_view>
#include <vector>

// Versioned schema migrations, as ordered SQL in the source (no files at run time), one list per
// dialect with the same version numbers and the same tables, keys and rules: SQLite (STRICT
// tables, triggers) and PostgreSQL (bigint/boolean, PL/pgSQL append-only triggers, the change-log
// version sequence). Each store applies every migration above `schema_version` when it opens,
// each in its own transaction; PostgreSQL does it under pg_advisory_lock so two servers starting
// at once apply each migration once. Never edit a released migration: append a new one to both.
namespace Server::Storage {

struct Migration
{
    int version = 0;
    std::string_view sql;
};

const std::vector<Migration> &sqliteMigrations();
const std::vector<Migration> &postgresMigrations();

} // namespace Server::Storage
