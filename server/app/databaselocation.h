#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The `database` setting of soko-server (docs/server.md "PostgreSQL"): a SQLite file path, or a
// libpq connection URI "postgresql://user:password@host:port/database?sslmode=verify-full".
// The URI's password is a secret (REQUIREMENTS.md R40): every message that could contain the
// location goes through withoutDatabaseSecrets() before it is printed or logged.
namespace Server::App {

// True for "postgresql://…" and "postgres://…".
bool isPostgresUrl(std::string_view location);

// The passwords a location carries: the user-info password (as written, and percent-decoded)
// and any `password=` query parameter. Empty for SQLite paths and URIs without one.
std::vector<std::string> databaseSecrets(std::string_view location);

// The location with every password replaced by "***"
// ("postgresql://soko:***@db.internal:5432/soko"). SQLite paths come back unchanged.
std::string redactDatabaseLocation(std::string_view location);

// `message` with the full location replaced by its redacted form and every password of
// `location` (databaseSecrets) replaced by "***", wherever it appears (libpq quotes parts of a
// malformed URI in its errors).
std::string withoutDatabaseSecrets(std::string message, std::string_view location);

// R46 (TLS to PostgreSQL): why `location` may not be used, or nullopt. A postgresql:// URI whose
// host (any of a comma list, or a `host=`/`hostaddr=` parameter) is not loopback (localhost,
// 127.0.0.0/8, ::1) or a Unix socket folder must carry `sslmode=verify-full`: encrypted, the
// server's certificate checked against `sslrootcert` (or ~/.postgresql/root.crt) and its name
// against the host. SQLite paths and loopback URIs pass. What libpq would take from the
// environment counts too: PGHOST (when the URI names no host), PGHOSTADDR, and a `service=` /
// PGSERVICE entry (always treated as another host). The reason never contains the password.
std::optional<std::string> databaseTransportProblem(std::string_view location);

} // namespace Server::App
