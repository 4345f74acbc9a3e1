#include "storage/database.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace ningju::storage {
namespace {

const std::string& EmptyString() {
  static const std::string* const kEmpty = new std::string();
  return *kEmpty;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whatever follows "scheme://user:" up to '@' is a password: keep it out of error messages.
std::string RedactForMessage(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t authority = scheme_end + 3;
  const size_t at = url.find('@', authority);
  const size_t slash = url.find('/', authority);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) return std::string(url);
  const size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon)) + std::string(url.substr(at));
}

}  // namespace

int64_t Row::Int(size_t i) const {
  const std::optional<std::string>& cell = cells_.at(i);
  if (!cell) return 0;
  int64_t value = 0;
  const char* begin = cell->data();
  const char* end = begin + cell->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc() && ptr == end) return value;
  // PostgreSQL returns NUMERIC for SUM(bigint) and the like; "42" parses above, "42.0" lands here.
  double d = 0;
  auto [dptr, dec] = std::from_chars(begin, end, d);
  if (dec == std::errc() && dptr == end && std::isfinite(d)) return static_cast<int64_t>(d);
  return 0;
}

double Row::Double(size_t i) const {
  const std::optional<std::string>& cell = cells_.at(i);
  if (!cell) return 0;
  double value = 0;
  std::from_chars(cell->data(), cell->data() + cell->size(), value);
  return value;
}

const std::string& Row::Text(size_t i) const {
  const std::optional<std::string>& cell = cells_.at(i);
  return cell ? *cell : EmptyString();
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(size_t i) const { return cells_.at(i); }

StatusOr<Row> Connection::QueryOne(std::string_view sql, const Params& params) {
  ASSIGN_OR_RETURN(Result result, Execute(sql, params));
  if (result.rows.empty()) return NotFoundError("query returned no row");
  return std::move(result.rows.front());
}

StatusOr<std::optional<Row>> Connection::QueryOptional(std::string_view sql, const Params& params) {
  ASSIGN_OR_RETURN(Result result, Execute(sql, params));
  if (result.rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(result.rows.front()));
}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    // The connection held so far goes back to its own pool, not to other's.
    if (conn_ && db_) db_->Release(std::move(conn_));
    db_ = other.db_;
    conn_ = std::move(other.conn_);
  }
  return *this;
}

PooledConnection::~PooledConnection() {
  if (conn_ && db_) db_->Release(std::move(conn_));
}

StatusOr<std::unique_ptr<Database>> Database::Open(std::string_view url, const DatabaseOptions& options) {
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) return OpenPostgres(url, options);
  if (url == "sqlite::memory:" || url == ":memory:") return OpenSqlite(":memory:", options);
  if (StartsWith(url, "sqlite:")) {
    std::string_view path = url.substr(7);
    // "sqlite:///abs/path.db" and "sqlite://rel.db" are common spellings of the same thing.
    if (StartsWith(path, "//")) path.remove_prefix(2);
    if (path.empty()) return InvalidArgumentError(Msg("sqlite URL without a path: {}", url));
    return OpenSqlite(std::string(path), options);
  }
  if (EndsWith(url, ".db") || EndsWith(url, ".sqlite") || EndsWith(url, ".sqlite3")) {
    return OpenSqlite(std::string(url), options);
  }
  return InvalidArgumentError(Msg(
      "unsupported database URL (want sqlite:PATH, sqlite::memory: or postgresql://...): {}", RedactForMessage(url)));
}

Status Database::InTransaction(const std::function<Status(Connection&)>& fn, int max_attempts,
                               std::source_location where) {
  if (max_attempts < 1) max_attempts = 1;
  Status last;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (attempt > 1) {
      // Back off a little, spread by thread so that the transactions that collided do not collide again in step.
      const auto spread = std::hash<std::thread::id>()(std::this_thread::get_id()) % 7;
      std::this_thread::sleep_for(std::chrono::milliseconds(2 * (attempt - 1) * (attempt - 1) + spread));
    }
    ASSIGN_OR_RETURN(PooledConnection conn, Acquire(where));
    Status status = conn->Begin();
    if (!status.ok()) {
      // Nothing was done yet, so a lost connection is as safe to retry as a busy database. The broken connection
      // is dropped by Release when `conn` goes out of scope.
      if (status.code() == StatusCode::kAborted || status.code() == StatusCode::kUnavailable) {
        last = status;
        continue;
      }
      return status;
    }
    // An exception from fn unwinds through `conn`, whose Release rolls the transaction back.
    status = fn(*conn);
    if (status.ok()) status = conn->Commit();
    if (!status.ok() && conn->InTransaction()) conn->Rollback().IgnoreError();  // the first error is the one to report
    if (status.code() != StatusCode::kAborted) return status;
    last = status;
  }
  return last;
}

}  // namespace ningju::storage
