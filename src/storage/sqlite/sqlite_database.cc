#include "storage/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>

#include "storage/internal/connection_pool.h"
#include "storage/internal/sql_text.h"

namespace ningju::storage {
namespace {

using internal::Excerpt;
using internal::FormatDouble;
using internal::FormatInt;

// Bounds the per-connection statement cache, so SQL built at run time (IN lists of varying length) cannot grow it
// without limit. Evicting everything at once is crude but rare, and keeps the cache a plain map.
constexpr size_t kMaxCachedStatements = 256;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// `code` is an extended result code. The engine's message names the constraint ("UNIQUE constraint failed:
// users.email"), which callers use to tell one violation from another. The SQL goes only into kInternal messages:
// those are bugs, and the other codes may reach a client.
Status MapError(int code, std::string_view message, std::string_view sql = {}) {
  const int primary = code & 0xff;
  std::string text = "sqlite: " + std::string(message);
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) return AlreadyExistsError(text);
  if (primary == SQLITE_CONSTRAINT) return FailedPreconditionError(text);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return AbortedError(text);
  if (!sql.empty()) text += " [in: " + Excerpt(sql) + "]";
  return InternalError(text);
}

Status CheckTextParams(const Params& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const auto* text = std::get_if<std::string>(&params[i]);
    if (text && std::memchr(text->data(), '\0', text->size()) != nullptr) {
      // PostgreSQL cannot store NUL in text; refusing it here too keeps the backends equal.
      return InvalidArgumentError(Msg("text parameter {} contains a NUL byte (use a Blob)", i + 1));
    }
  }
  return OkStatus();
}

// Resets a statement taken from the cache when the execution ends, however it ends, so it can be reused and does
// not keep a read transaction (and WAL pages) pinned.
class StatementReset {
 public:
  explicit StatementReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementReset(const StatementReset&) = delete;
  StatementReset& operator=(const StatementReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  static StatusOr<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool in_memory, int busy_timeout_ms);

  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  StatusOr<Result> Execute(std::string_view sql, const Params& params) override {
    RETURN_IF_ERROR(CheckUsable());
    RETURN_IF_ERROR(CheckTextParams(params));
    return NoteFailure(Run(sql, params));
  }

  Status ExecuteScript(std::string_view sql) override {
    RETURN_IF_ERROR(CheckUsable());
    // PostgreSQL runs a multi-statement script as one implicit transaction; do the same so a script that fails
    // half way leaves nothing behind on either backend.
    const bool own_transaction = !InTransaction();
    if (own_transaction) RETURN_IF_ERROR(Begin());
    std::string script(sql);  // sqlite3_exec wants a NUL-terminated string
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error);
    Status status;
    if (rc != SQLITE_OK) {
      status = MapError(sqlite3_extended_errcode(db_), error != nullptr ? error : sqlite3_errstr(rc));
    }
    sqlite3_free(error);
    if (own_transaction) {
      if (status.ok()) return Commit();
      Rollback().IgnoreError();
      return status;
    }
    return NoteFailure(std::move(status));
  }

  Status Begin() override {
    if (InTransaction()) return FailedPreconditionError("a transaction is already open on this connection");
    failed_ = false;
    return Run("BEGIN IMMEDIATE", {}).status();
  }

  Status Commit() override {
    if (!InTransaction()) return FailedPreconditionError("no transaction to commit");
    if (failed_) {
      Rollback().IgnoreError();
      return FailedPreconditionError("the transaction was rolled back: a statement in it failed");
    }
    Status status = Run("COMMIT", {}).status();
    if (!status.ok() && InTransaction()) failed_ = true;  // still open (busy): only Rollback is left
    return status;
  }

  Status Rollback() override {
    failed_ = false;
    if (!InTransaction()) return OkStatus();  // SQLite may have rolled back by itself after an I/O error
    return Run("ROLLBACK", {}).status();
  }

  bool InTransaction() const override { return sqlite3_get_autocommit(db_) == 0; }
  Dialect dialect() const override { return Dialect::kSqlite; }

  sqlite3* handle() const { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  // PostgreSQL aborts a transaction at its first failed statement while SQLite only undoes the statement. The
  // stricter rule is applied to both: code that passes on SQLite must not rely on carrying on after an error.
  Status CheckUsable() {
    if (!InTransaction()) failed_ = false;
    if (failed_) {
      return FailedPreconditionError("the transaction was aborted by an earlier error; only Rollback is allowed");
    }
    return OkStatus();
  }
  template <typename T>
  T NoteFailure(T result) {
    if (!result.ok() && InTransaction()) failed_ = true;
    return result;
  }

  StatusOr<sqlite3_stmt*> Prepare(std::string_view sql);
  StatusOr<Result> Run(std::string_view sql, const Params& params);
  Status Bind(sqlite3_stmt* stmt, const Params& params);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
  bool failed_ = false;  // a statement failed inside the open transaction
};

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path, bool in_memory,
                                                                   int busy_timeout_ms) {
  sqlite3* db = nullptr;
  // NOMUTEX: a connection is used by one thread at a time (the pool hands it out), so SQLite's own per-connection
  // mutex would only cost. EXRESCODE: extended codes tell a unique violation from other constraints.
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));  // closes `db` on every path below
  if (rc != SQLITE_OK) {
    return UnavailableError(
        Msg("cannot open sqlite database {}: {}", path, (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc))));
  }
  sqlite3_extended_result_codes(db, 1);
  // Before the first pragma: switching to WAL takes a lock another connection of the pool may hold.
  sqlite3_busy_timeout(db, busy_timeout_ms);

  std::string journal_mode;
  char* error = nullptr;
  int prc = sqlite3_exec(
      db, "PRAGMA journal_mode=WAL",
      [](void* out, int n, char** values, char**) {
        if (n > 0 && values[0] != nullptr) *static_cast<std::string*>(out) = values[0];
        return 0;
      },
      &journal_mode, &error);
  if (prc == SQLITE_OK) {
    prc = sqlite3_exec(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL", nullptr, nullptr, &error);
  }
  if (prc != SQLITE_OK) {
    Status status = MapError(sqlite3_extended_errcode(db), error != nullptr ? error : sqlite3_errstr(prc));
    sqlite3_free(error);
    return status.WithContext("setting up " + path);
  }
  // The pool's concurrency (readers beside one writer) and the durability promise rest on WAL; a file system that
  // cannot do it (no shared memory, e.g. some network mounts) must fail loudly rather than half work.
  if (!in_memory && journal_mode != "wal") {
    return FailedPreconditionError(
        Msg("sqlite database {} cannot use WAL journal mode (got '{}')", path, journal_mode));
  }
  return conn;
}

StatusOr<sqlite3_stmt*> SqliteConnection::Prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;

  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return MapError(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_), sql);
  const char* end = sql.data() + sql.size();
  if (tail != nullptr && tail < end) {
    // Anything but whitespace and comments after the first statement would be silently ignored by SQLite (and is an
    // error on PostgreSQL): refuse it.
    sqlite3_stmt* extra = nullptr;
    rc = sqlite3_prepare_v3(db_, tail, static_cast<int>(end - tail), 0, &extra, nullptr);
    if (extra != nullptr || rc != SQLITE_OK) {
      sqlite3_finalize(extra);
      sqlite3_finalize(stmt);
      return InvalidArgumentError(Msg("Execute takes one statement; use ExecuteScript for several: {}", Excerpt(sql)));
    }
  }
  if (stmt == nullptr) return static_cast<sqlite3_stmt*>(nullptr);  // only whitespace or comments

  if (cache_.size() >= kMaxCachedStatements) {
    for (auto& [text, cached] : cache_) sqlite3_finalize(cached);
    cache_.clear();
  }
  cache_.emplace(std::string(sql), stmt);
  return stmt;
}

Status SqliteConnection::Bind(sqlite3_stmt* stmt, const Params& params) {
  const int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size())) {
    return InvalidArgumentError(
        Msg("statement has {} placeholders but {} parameters were given", expected, params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    // SQLITE_STATIC: the parameters outlive the execution, and StatementReset clears the bindings before Run
    // returns, so no copy is needed.
    const int rc = std::visit(
        [&](const auto& value) -> int {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return sqlite3_bind_null(stmt, index);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            return sqlite3_bind_int64(stmt, index, value);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(stmt, index, value);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return sqlite3_bind_text64(stmt, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
          } else {
            // An empty blob must stay a (zero-length) blob, not become NULL as a null data pointer would.
            if (value.bytes.empty()) return sqlite3_bind_zeroblob(stmt, index, 0);
            return sqlite3_bind_blob64(stmt, index, value.bytes.data(), value.bytes.size(), SQLITE_STATIC);
          }
        },
        params[i]);
    if (rc != SQLITE_OK) return MapError(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_));
  }
  return OkStatus();
}

StatusOr<Result> SqliteConnection::Run(std::string_view sql, const Params& params) {
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  Result result;
  if (stmt == nullptr) return result;
  StatementReset reset(stmt);
  RETURN_IF_ERROR(Bind(stmt, params));

  const int columns = sqlite3_column_count(stmt);
  result.columns.reserve(columns);
  for (int c = 0; c < columns; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));

  // total_changes moves only when this statement changed rows; changes() alone would repeat the count of an earlier
  // INSERT/UPDATE/DELETE after a SELECT or DDL.
  const int64_t changes_before = sqlite3_total_changes64(db_);
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return MapError(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_), sql);
    std::vector<std::optional<std::string>> cells;
    cells.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL:
          cells.emplace_back(std::nullopt);
          break;
        case SQLITE_INTEGER:
          cells.emplace_back(FormatInt(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT:
          cells.emplace_back(FormatDouble(sqlite3_column_double(stmt, c)));
          break;
        case SQLITE_BLOB: {
          // Pointer first, then size (SQLite's documented order); a zero-length blob has a null pointer.
          const void* data = sqlite3_column_blob(stmt, c);
          const int size = sqlite3_column_bytes(stmt, c);
          cells.emplace_back(data != nullptr ? std::string(static_cast<const char*>(data), size) : std::string());
          break;
        }
        default: {
          const unsigned char* data = sqlite3_column_text(stmt, c);
          const int size = sqlite3_column_bytes(stmt, c);
          cells.emplace_back(data != nullptr ? std::string(reinterpret_cast<const char*>(data), size) : std::string());
          break;
        }
      }
    }
    result.rows.emplace_back(std::move(cells));
  }
  if (sqlite3_total_changes64(db_) != changes_before) result.rows_affected = sqlite3_changes64(db_);
  return result;
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, const DatabaseOptions& options)
      : path_(std::move(path)),
        in_memory_(path_ == ":memory:"),
        busy_timeout_ms_(options.busy_timeout_ms),
        pool_(in_memory_ ? 1 : options.pool_size, std::chrono::milliseconds(options.acquire_timeout_ms),
              options.nested_acquire, [this]() -> StatusOr<std::unique_ptr<Connection>> {
                ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                                 SqliteConnection::Open(path_, in_memory_, busy_timeout_ms_));
                return std::unique_ptr<Connection>(std::move(conn));
              }) {}

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string DisplayUrl() const override { return "sqlite:" + path_; }

  StatusOr<PooledConnection> Acquire(std::source_location where = std::source_location::current()) override {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, pool_.Acquire(where));
    return PooledConnection(this, std::move(conn));
  }
  PoolStats pool_stats() const override { return pool_.stats(); }

  Status Backup(const std::string& destination) override;

 protected:
  void Release(std::unique_ptr<Connection> conn) override {
    bool reusable = true;
    if (conn->InTransaction()) reusable = conn->Rollback().ok();
    // An in-memory database lives only as long as its one connection, so that one is never closed.
    pool_.Release(std::move(conn), reusable || in_memory_);
  }

 private:
  const std::string path_;
  const bool in_memory_;
  const int busy_timeout_ms_;
  internal::ConnectionPool pool_;
};

Status SqliteDatabase::Backup(const std::string& destination) {
  ASSIGN_OR_RETURN(PooledConnection source, Acquire());
  sqlite3* source_db = static_cast<SqliteConnection*>(source.get())->handle();

  // Written beside the destination and renamed into place: a reader of `destination` never sees half a copy, and a
  // failed backup leaves the previous one intact.
  const std::string partial = destination + ".partial";
  std::error_code ignored;
  std::filesystem::remove(partial, ignored);
  sqlite3* dest = nullptr;
  int rc = sqlite3_open_v2(partial.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE,
                           nullptr);
  auto fail = [&](Status status) {
    sqlite3_close_v2(dest);
    std::filesystem::remove(partial, ignored);
    return status.WithContext("backup to " + destination);
  };
  if (rc != SQLITE_OK) {
    return fail(UnavailableError(dest != nullptr ? sqlite3_errmsg(dest) : sqlite3_errstr(rc)));
  }
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", source_db, "main");
  if (backup == nullptr) return fail(MapError(sqlite3_extended_errcode(dest), sqlite3_errmsg(dest)));
  // All pages in one step: the copy is one consistent snapshot, and in WAL mode reading it does not block writers.
  // Busy only means someone else holds the destination; retry within the busy timeout.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms_);
  do {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return fail(MapError(rc, sqlite3_errcode(dest) != SQLITE_OK ? sqlite3_errmsg(dest) : sqlite3_errstr(rc)));
  }
  rc = sqlite3_close(dest);
  dest = nullptr;
  if (rc != SQLITE_OK) return fail(InternalError(Msg("closing the copy: {}", sqlite3_errstr(rc))));
  std::error_code ec;
  std::filesystem::rename(partial, destination, ec);
  if (ec) return fail(InternalError(Msg("renaming {}: {}", partial, ec.message())));
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const DatabaseOptions& options) {
  auto db = std::make_unique<SqliteDatabase>(path, options);
  {
    // One connection now, so a wrong path or an unusable file fails here rather than at the first query.
    ASSIGN_OR_RETURN(PooledConnection first, db->Acquire());
  }
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace ningju::storage
