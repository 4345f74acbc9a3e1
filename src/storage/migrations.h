// Versioned schema migrations: the same schema on SQLite and PostgreSQL from one set of files.
//
// Migrations live in `migrations/NNNN_name.sql` (four-digit version, applied in order, each once, each in its own
// transaction), recorded in the table `schema_migrations(version, name, checksum, applied_at)`. A file whose
// checksum changed after it was applied is an error: migrations are append-only.
//
// The files are written in the shared dialect with these tokens, replaced per backend before running:
//   {{id}}        INTEGER PRIMARY KEY AUTOINCREMENT  |  BIGSERIAL PRIMARY KEY
//   {{blob}}      BLOB                               |  BYTEA
//   {{now}}       (unixepoch-style integer default)  -- integer seconds since the epoch, UTC
// Everything else (BIGINT, TEXT, REAL/DOUBLE PRECISION avoided, CHECK, REFERENCES, indexes) is common SQL.
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

// Reads every NNNN_name.sql file of `dir`, sorted by version. Duplicate versions are an error.
StatusOr<std::vector<Migration>> LoadMigrations(const std::string& dir);

// Replaces the dialect tokens.
std::string RenderMigration(const std::string& sql, Dialect dialect);

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this call
  int current_version = 0;
};

// Applies the migrations not yet applied, in order. Safe to call at every start, from several processes at once
// (PostgreSQL takes an advisory lock; SQLite's write lock serializes).
StatusOr<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations);

}  // namespace ningju::storage

#endif  // NINGJU_STORAGE_MIGRATIONS_H_
