#include "storage/migrations.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace ningju::storage {
namespace {

// Any fixed number will do, as long as nothing else in the database uses it for pg_advisory_xact_lock; this one
// is "ningju" in ASCII. It is database-wide, so migrations of different schemas in one database take turns.
constexpr std::string_view kPostgresLock = "SELECT pg_advisory_xact_lock(110425646163573)";

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

// "0001_foundation.sql" -> {1, "foundation"}; false when the name does not follow the pattern.
bool ParseFileName(std::string_view file, int* version, std::string* name) {
  constexpr std::string_view kSuffix = ".sql";
  if (file.size() < 4 + 1 + 1 + kSuffix.size()) return false;
  if (file.substr(file.size() - kSuffix.size()) != kSuffix) return false;
  for (int i = 0; i < 4; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(file[i]))) return false;
  }
  if (file[4] != '_') return false;
  const std::string_view base = file.substr(5, file.size() - 5 - kSuffix.size());
  if (!std::all_of(base.begin(), base.end(), IsNameChar)) return false;
  *version = std::stoi(std::string(file.substr(0, 4)));
  *name = std::string(base);
  return true;
}

// An unknown {{token}} left after rendering is a typo that would otherwise surface as a confusing syntax error.
std::string FindUnknownToken(const std::string& rendered) {
  size_t pos = 0;
  while ((pos = rendered.find("{{", pos)) != std::string::npos) {
    const size_t close = rendered.find("}}", pos + 2);
    if (close == std::string::npos) return "";
    const std::string_view inner = std::string_view(rendered).substr(pos + 2, close - pos - 2);
    if (!inner.empty() && inner.size() <= 32 && std::all_of(inner.begin(), inner.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        })) {
      return "{{" + std::string(inner) + "}}";
    }
    pos += 2;
  }
  return "";
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Each {{name}}...{{/name}} block: its text kept when `keep`, dropped otherwise, the markers removed either way. A
// block left unclosed keeps its opening marker, which FindUnknownToken then reports.
void RenderBlocks(std::string& text, std::string_view name, bool keep) {
  const std::string open = "{{" + std::string(name) + "}}", close = "{{/" + std::string(name) + "}}";
  size_t pos = 0;
  while ((pos = text.find(open, pos)) != std::string::npos) {
    const size_t end = text.find(close, pos + open.size());
    if (end == std::string::npos) return;
    if (keep) {
      text.erase(end, close.size());
      text.erase(pos, open.size());
    } else {
      text.erase(pos, end + close.size() - pos);
    }
  }
}

Status LockForMigrations(Connection& conn) {
  // SQLite needs nothing more: the runner's BEGIN IMMEDIATE already holds the one write lock.
  if (conn.dialect() != Dialect::kPostgres) return OkStatus();
  return conn.Execute(kPostgresLock).status();
}

struct AppliedMigration {
  std::string name;
  std::string checksum;
};

Status CheckApplied(const AppliedMigration& applied, const Migration& migration) {
  const std::string checksum = MigrationChecksum(migration.sql);
  if (applied.checksum != checksum) {
    return FailedPreconditionError(
        Msg("migration {} was changed after it was applied (checksum in the database {}, in the file {}); migrations "
            "are append-only: restore the file and add a new migration",
            MigrationFileName(migration), applied.checksum, checksum));
  }
  return OkStatus();
}

Status ValidateInput(const std::vector<Migration>& migrations, Dialect dialect) {
  int previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= 0) return InvalidArgumentError(Msg("migration {} has version 0", MigrationFileName(m)));
    if (m.version <= previous) {
      return InvalidArgumentError(Msg("migrations are not sorted by version or repeat one: {}", MigrationFileName(m)));
    }
    previous = m.version;
    const std::string token = FindUnknownToken(RenderMigration(m.sql, dialect));
    if (!token.empty()) {
      return InvalidArgumentError(Msg("migration {} uses the unknown token {}", MigrationFileName(m), token));
    }
  }
  return OkStatus();
}

}  // namespace

std::string MigrationFileName(const Migration& migration) {
  char version[16];
  std::snprintf(version, sizeof(version), "%04d", migration.version);
  return std::string(version) + "_" + migration.name + ".sql";
}

std::string MigrationChecksum(const std::string& sql) {
  // libsodium's SHA-256: the same digest `sha256sum` prints for the file. sodium_init is idempotent.
  if (sodium_init() < 0) return "";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(sql.data()), sql.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

StatusOr<std::vector<Migration>> LoadMigrations(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFoundError(Msg("no migrations directory {}", dir));
  std::vector<Migration> migrations;
  fs::directory_iterator it(dir, ec);
  if (ec) return InternalError(Msg("reading {}: {}", dir, ec.message()));
  for (const fs::directory_entry& entry : it) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;  // a README beside the migrations is fine
    Migration m;
    if (!ParseFileName(file, &m.version, &m.name)) {
      return InvalidArgumentError(Msg("migration file {} in {} is not named NNNN_name.sql", file, dir));
    }
    if (m.version == 0) return InvalidArgumentError(Msg("migration file {} has version 0; start at 0001", file));
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) return InternalError(Msg("reading {}", entry.path().string()));
    m.sql = content.str();
    migrations.push_back(std::move(m));
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      return InvalidArgumentError(Msg("migrations {} and {} in {} have the same version",
                                      MigrationFileName(migrations[i - 1]), MigrationFileName(migrations[i]), dir));
    }
  }
  return migrations;
}

std::string RenderMigration(const std::string& sql, Dialect dialect) {
  std::string out = sql;
  const bool pg = dialect == Dialect::kPostgres;
  RenderBlocks(out, "sqlite", !pg);
  RenderBlocks(out, "postgres", pg);
  ReplaceAll(out, "{{id}}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");
  ReplaceAll(out, "{{blob}}", pg ? "BYTEA" : "BLOB");
  ReplaceAll(out, "{{now}}",
             pg ? "(CAST(FLOOR(EXTRACT(EPOCH FROM now())) AS BIGINT))" : "(CAST(strftime('%s', 'now') AS INTEGER))");
  return out;
}

StatusOr<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations) {
  const Dialect dialect = db.dialect();
  RETURN_IF_ERROR(ValidateInput(migrations, dialect));

  // First, one look at what the database holds, before anything is applied: a changed or unknown migration stops
  // the run with the schema untouched.
  std::map<int, AppliedMigration> applied;
  RETURN_IF_ERROR(db.InTransaction([&](Connection& conn) -> Status {
    applied.clear();  // the transaction may be retried
    RETURN_IF_ERROR(LockForMigrations(conn));
    RETURN_IF_ERROR(conn.Execute(kCreateTable).status());
    ASSIGN_OR_RETURN(Result rows,
                     conn.Execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version"));
    for (const Row& row : rows.rows) {
      applied[static_cast<int>(row.Int(0))] = AppliedMigration{row.Text(1), row.Text(2)};
    }
    return OkStatus();
  }));

  int newest_applied = 0;
  for (const auto& [version, record] : applied) {
    auto it = std::find_if(migrations.begin(), migrations.end(),
                           [version = version](const Migration& m) { return m.version == version; });
    if (it == migrations.end()) {
      Migration unknown{version, record.name, ""};
      return FailedPreconditionError(
          Msg("the database has migration {} applied, which this program does not have (is the database newer than the "
              "program?)",
              MigrationFileName(unknown)));
    }
    RETURN_IF_ERROR(CheckApplied(record, *it));
    newest_applied = std::max(newest_applied, version);
  }
  for (const Migration& m : migrations) {
    // Applying an older file after a newer one would run the schema's history out of order (typically two
    // branches that each added a migration): refuse and have it renumbered.
    if (!applied.contains(m.version) && m.version < newest_applied) {
      return FailedPreconditionError(
          Msg("migration {} is older than migrations already applied; give it a version after {}", MigrationFileName(m),
              newest_applied));
    }
  }

  MigrationReport report;
  const std::string insert = RenderMigration(
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, {{now}})", dialect);
  for (const Migration& m : migrations) {
    if (applied.contains(m.version)) continue;
    bool applied_here = false;
    const Status status = db.InTransaction([&](Connection& conn) -> Status {
      applied_here = false;
      RETURN_IF_ERROR(LockForMigrations(conn));
      // Another process may have applied it since the first look; under the lock, the answer is final.
      ASSIGN_OR_RETURN(
          std::optional<Row> existing,
          conn.QueryOptional("SELECT name, checksum FROM schema_migrations WHERE version = ?", {int64_t{m.version}}));
      if (existing) return CheckApplied(AppliedMigration{existing->Text(0), existing->Text(1)}, m);
      RETURN_IF_ERROR(conn.ExecuteScript(RenderMigration(m.sql, dialect)));
      RETURN_IF_ERROR(conn.Execute(insert, {int64_t{m.version}, m.name, MigrationChecksum(m.sql)}).status());
      applied_here = true;
      return OkStatus();
    });
    if (!status.ok()) return status.WithContext("migration " + MigrationFileName(m));
    if (applied_here) report.applied.push_back(m.version);
  }

  ASSIGN_OR_RETURN(PooledConnection conn, db.Acquire());
  ASSIGN_OR_RETURN(Row current, conn->QueryOne("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  report.current_version = static_cast<int>(current.Int(0));
  return report;
}

}  // namespace ningju::storage
