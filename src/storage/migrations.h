// Versioned schema migrations: the same schema on SQLite and PostgreSQL from one set of files.
//
// Migrations live in `migrations/NNNN_name.sql` (four-digit version, applied in order, each once, each in its own
// transaction), recorded in the table `schema_migrations(version, name, checksum, applied_at)`. The checksum is the
// lower-case hex SHA-256 of the file's bytes before rendering (what `sha256sum` prints), so one file has one checksum
// on both backends. A file whose checksum changed after it was applied is an error: migrations are append-only.
// The files are compiled into the binary (EmbeddedMigrations) from the repository's migrations/ folder.
//
// The files are written in the shared dialect with these tokens, replaced per backend before running:
//   {{id}}        INTEGER PRIMARY KEY AUTOINCREMENT  |  BIGSERIAL PRIMARY KEY
//   {{blob}}      BLOB                               |  BYTEA
//   {{now}}       (CAST(strftime('%s', 'now') AS INTEGER))  |  (CAST(FLOOR(EXTRACT(EPOCH FROM now())) AS BIGINT))
//                 integer seconds since the epoch, UTC, parenthesized so it can follow DEFAULT
// Everything else (BIGINT, TEXT, REAL/DOUBLE PRECISION avoided, CHECK, REFERENCES, indexes) is common SQL.
// A file must not contain BEGIN/COMMIT (the runner owns the transaction), nor statements PostgreSQL refuses inside
// a transaction (CREATE INDEX CONCURRENTLY, VACUUM).
#ifndef NINGJU_STORAGE_MIGRATIONS_H_
#define NINGJU_STORAGE_MIGRATIONS_H_

#include <string>
#include <vector>

#include "common/status.h"
#include "storage/database.h"

namespace ningju::storage {

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;  // with tokens
};

// Reads every NNNN_name.sql file of `dir`, sorted by version. Duplicate versions, version 0 and a .sql file not
// named NNNN_name.sql (name: letters, digits, '_', '-') are kInvalidArgument; other files are ignored; a missing
// directory is kNotFound.
StatusOr<std::vector<Migration>> LoadMigrations(const std::string& dir);

// The repository's migrations/*.sql as they were at build time, sorted by version (empty when there are none).
std::vector<Migration> EmbeddedMigrations();

// "0001_foundation.sql": the file a migration came from, for messages.
std::string MigrationFileName(const Migration& migration);

// The lower-case hex SHA-256 of `sql`: the checksum recorded in schema_migrations.
std::string MigrationChecksum(const std::string& sql);

// Replaces the dialect tokens ({{id}}, {{blob}}, {{now}}) and keeps only the own dialect's blocks: text between
// {{sqlite}} and {{/sqlite}} runs on SQLite only, between {{postgres}} and {{/postgres}} on PostgreSQL only (for what
// the two spell differently: triggers, full-text indexes).
std::string RenderMigration(const std::string& sql, Dialect dialect);

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this call
  int current_version = 0;
};

// Applies the migrations not yet applied, in order. Safe to call at every start, from several processes at once
// (PostgreSQL takes an advisory lock; SQLite's write lock serializes). Before applying anything it checks what the
// database already holds, and refuses with kFailedPrecondition (naming the file) when an applied migration's
// checksum differs, an applied version is unknown to `migrations` (a database newer than this program), or a
// migration not yet applied is older than the newest applied one (it would run out of order: renumber it).
// `migrations` must be sorted by version without duplicates (kInvalidArgument otherwise).
StatusOr<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations);

}  // namespace ningju::storage

#endif  // NINGJU_STORAGE_MIGRATIONS_H_
