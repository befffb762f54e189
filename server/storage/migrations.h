#pragma once
#include <string_view>
#include <vector>

// Versioned schema migrations for the SQLite store, as ordered SQL in the source (no files at run
// time). SqliteStore applies every migration above `schema_version` at open, each in its own
// transaction. Never edit a released migration: append a new one.
namespace Server::Storage {

struct Migration
{
    int version = 0;
    std::string_view sql;
};

const std::vector<Migration> &sqliteMigrations();

} // namespace Server::Storage
