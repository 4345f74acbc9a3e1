// The one storage interface of ningju, with two backends: SQLite (embedded default) and PostgreSQL (libpq).
// SQL is written once, in the dialect both engines share: `?` placeholders (the PostgreSQL adapter rewrites them to
// $1..$n), `RETURNING`, `ON CONFLICT`, standard types. What differs (id columns, blobs, upserts of the rare kind) stays
// inside the adapters and the migration runner. Only storage/sqlite includes sqlite3.h; only storage/postgres
// includes libpq-fe.h.
//
// Every `?` outside a string literal, quoted identifier or comment is a placeholder, so PostgreSQL's jsonb operators
// `?`, `?|`, `?&` cannot be written: use jsonb_exists() and friends. PostgreSQL infers a parameter's type from its
// context; where there is none (`? IS NULL`), write `CAST(? AS TEXT)`.
//
// Thread-safety: a Database is safe to use from many threads. A Connection belongs to one thread at a time: take it
// with Database::Acquire() and it goes back to the pool when the handle is destroyed.
#ifndef NINGJU_STORAGE_DATABASE_H_
#define NINGJU_STORAGE_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace ningju::storage {

enum class Dialect { kSqlite, kPostgres };

// Bytes that must be stored as a BLOB/BYTEA rather than text.
struct Blob {
  std::string bytes;
};

// One bound parameter. Text is bound as text; it must be valid UTF-8 (callers validate input at the edge) and
// must not contain NUL bytes (kInvalidArgument: PostgreSQL cannot store them in text). Blobs may hold any bytes.
using Param = std::variant<std::nullptr_t, int64_t, double, std::string, Blob>;
using Params = std::vector<Param>;

// Helpers for optional values.
template <typename T>
Param Nullable(const std::optional<T>& v) {
  if (!v) return nullptr;
  return Param(*v);
}

// One row of a result. Columns are read by position (the order of the SELECT list).
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  // REQUIRES: the column holds an integer (a whole-valued decimal such as PostgreSQL's SUM() result also reads).
  // NULL reads as 0. Booleans read as 1/0 on both backends.
  int64_t Int(size_t i) const;
  // NULL reads as 0.
  double Double(size_t i) const;
  // NULL reads as "". Blobs read as their raw bytes.
  const std::string& Text(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  bool Bool(size_t i) const { return Int(i) != 0; }

 private:
  std::vector<std::optional<std::string>> cells_;
};

// A fully read result. Queries that may return many rows take a LIMIT; the store layer pages with cursors.
struct Result {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  // Rows inserted, updated or deleted by an INSERT, UPDATE or DELETE statement (not counting triggers); 0 for
  // every other statement, SELECT included.
  int64_t rows_affected = 0;

  bool empty() const { return rows.empty(); }
};

// A database session. Not thread-safe; use from one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with bound parameters; prepared statements are cached per connection. `sql` holding more
  // than one statement is kInvalidArgument.
  // Constraint violations come back as kAlreadyExists (unique) or kFailedPrecondition (foreign key, check);
  // a busy database or a serialization failure as kAborted; a lost connection as kUnavailable.
  virtual StatusOr<Result> Execute(std::string_view sql, const Params& params = {}) = 0;
  // Runs a script of several statements without parameters (migrations). Inside a transaction it is part of it;
  // outside one it runs as one transaction of its own (all or nothing, on both backends).
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // Transactions. Begin takes the write lock at once on SQLite (BEGIN IMMEDIATE), so two writers never deadlock on
  // an upgrade. A statement that fails inside a transaction aborts the whole transaction, on both backends
  // (PostgreSQL's rule, imposed on SQLite too): later statements get kFailedPrecondition, and Commit rolls back and
  // returns kFailedPrecondition. Begin inside a transaction and Commit outside one are kFailedPrecondition; Rollback
  // outside one is OK. Prefer Database::InTransaction.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // True between Begin and Commit/Rollback, also when a transaction failed and awaits Rollback.
  virtual bool InTransaction() const = 0;

  virtual Dialect dialect() const = 0;

  // Convenience: the first row, or kNotFound.
  StatusOr<Row> QueryOne(std::string_view sql, const Params& params = {});
  // Convenience: the first row or nullopt.
  StatusOr<std::optional<Row>> QueryOptional(std::string_view sql, const Params& params = {});

 protected:
  Connection() = default;
};

class Database;

// A connection taken from the pool; it returns on destruction (or when assigned over).
// REQUIRES: destroyed before the Database it came from.
class PooledConnection {
 public:
  PooledConnection(Database* db, std::unique_ptr<Connection> conn) : db_(db), conn_(std::move(conn)) {}
  PooledConnection(PooledConnection&& other) noexcept = default;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  ~PooledConnection();

  Connection* operator->() { return conn_.get(); }
  Connection& operator*() { return *conn_; }
  Connection* get() { return conn_.get(); }

 private:
  Database* db_;
  std::unique_ptr<Connection> conn_;
};

// What Acquire does when the calling thread already holds a connection of the same pool (STYLE.md item 18: with
// a pool smaller than the worker count, threads doing that wait on each other until the acquire timeout).
enum class NestedAcquire {
  kLog,   // logs a warning naming the call site, then acquires as asked (production)
  kFail,  // returns kInternal naming the call site, without waiting (tests)
};

// What a pool has seen since it was opened, for tests and diagnostics.
struct PoolStats {
  int64_t acquires = 0;  // successful Acquire calls
  int64_t waits = 0;     // Acquire calls that found the pool exhausted and had to wait for a release
  int64_t timeouts = 0;  // Acquire calls that gave up after acquire_timeout_ms (kUnavailable)
  int64_t nested = 0;    // Acquire calls from a thread that already held a connection of the pool
};

struct DatabaseOptions {
  // Connections kept in the pool. SQLite: readers and one writer share the file in WAL mode.
  int pool_size = 8;
  // SQLite: how long a statement waits for a lock before kAborted, in milliseconds.
  int busy_timeout_ms = 5000;
  // How long Acquire() waits for a connection when the pool is exhausted before kUnavailable, in milliseconds.
  // Bounded so that code holding a connection while acquiring a second one fails instead of hanging.
  int acquire_timeout_ms = 30000;
  // A thread asking for a second connection while it holds one is a bug: logged, or refused in tests.
  NestedAcquire nested_acquire = NestedAcquire::kLog;
};

class Database {
 public:
  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens `url`: "sqlite:PATH" (or a path ending in .db/.sqlite), "sqlite::memory:", or "postgresql://..." /
  // "postgres://..." (a libpq URI). The database must exist for PostgreSQL; SQLite creates the file. One connection
  // is opened at once, so a wrong URL fails here: kInvalidArgument (unknown scheme, unparsable URI) or kUnavailable.
  // "sqlite::memory:" is a private in-memory database with a pool of one connection (see sqlite_database.h).
  static StatusOr<std::unique_ptr<Database>> Open(std::string_view url, const DatabaseOptions& options = {});

  virtual Dialect dialect() const = 0;
  // The URL without any password, for logs.
  virtual std::string DisplayUrl() const = 0;

  // Takes a connection from the pool, opening one if none is idle and the pool is not full; waits otherwise.
  // A PostgreSQL connection found broken is replaced. A thread that already holds a connection of this pool must not
  // ask for another (pass its Connection& down instead): DatabaseOptions::nested_acquire says what happens then;
  // `where` (the caller, by default) is named in the log line or the kInternal error.
  virtual StatusOr<PooledConnection> Acquire(std::source_location where = std::source_location::current()) = 0;

  // Counters of the pool (see PoolStats).
  virtual PoolStats pool_stats() const = 0;

  // Runs `fn` inside one transaction: commits when it returns OK, rolls back otherwise (and on exceptions).
  // A kAborted outcome (busy, serialization failure, deadlock) is retried up to `max_attempts` times, so `fn` may run
  // more than once and must have no effect outside the transaction. A connection found lost at BEGIN is also retried
  // (nothing was sent); a failure at COMMIT other than kAborted is returned as is (the outcome may be unknown).
  // Do not call InTransaction from inside `fn`: it would take a second connection, not nest.
  Status InTransaction(const std::function<Status(Connection&)>& fn, int max_attempts = 3,
                       std::source_location where = std::source_location::current());

  // Writes a consistent copy of the database to `destination` (SQLite online backup; pg_dump for PostgreSQL).
  virtual Status Backup(const std::string& destination) = 0;

 protected:
  Database() = default;
  friend class PooledConnection;
  // Takes back a connection from a PooledConnection; a connection still in a transaction is rolled back first, and
  // a broken one is closed instead of kept.
  virtual void Release(std::unique_ptr<Connection> conn) = 0;
};

}  // namespace ningju::storage

#endif  // NINGJU_STORAGE_DATABASE_H_
