#include "storage/postgres/postgres_database.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "storage/internal/connection_pool.h"
#include "storage/internal/sql_text.h"

extern char** environ;

namespace ningju::storage {
namespace internal {
namespace {

bool IsIdentifierChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

}  // namespace

RewrittenSql RewritePlaceholders(std::string_view sql) {
  RewrittenSql out;
  out.sql.reserve(sql.size() + 16);
  const size_t n = sql.size();
  bool after_semicolon = false;
  size_t i = 0;
  while (i < n) {
    const size_t start = i;
    const char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const size_t newline = sql.find('\n', i);
      i = newline == std::string_view::npos ? n : newline + 1;
      out.sql.append(sql.substr(start, i - start));
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 1;  // PostgreSQL's block comments nest
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
      out.sql.append(sql.substr(start, i - start));
      continue;
    }
    if (after_semicolon && c != ';' && !std::isspace(static_cast<unsigned char>(c))) out.several_statements = true;
    if (c == '\'') {
      // E'...' is the one string form where a backslash escapes the next character (E'it\'s').
      const bool backslash_escapes = start > 0 && (sql[start - 1] == 'E' || sql[start - 1] == 'e') &&
                                     (start < 2 || !IsIdentifierChar(sql[start - 2]));
      ++i;
      while (i < n) {
        if (backslash_escapes && sql[i] == '\\') {
          i += 2;
        } else if (sql[i] == '\'') {
          if (i + 1 < n && sql[i + 1] == '\'') {
            i += 2;  // '' is a quote inside the literal
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      i = std::min(i, n);
      out.sql.append(sql.substr(start, i - start));
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < n) {
        if (sql[i] == '"') {
          if (i + 1 < n && sql[i + 1] == '"') {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      out.sql.append(sql.substr(start, i - start));
      continue;
    }
    if (c == '$' && (start == 0 || !IsIdentifierChar(sql[start - 1]))) {
      // $tag$...$tag$ with an empty tag or one that does not start with a digit ($1 is a parameter, not a quote).
      size_t j = i + 1;
      while (j < n && IsIdentifierChar(sql[j]) && sql[j] != '$') ++j;
      if (j < n && sql[j] == '$' && (j == i + 1 || !std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const size_t close = sql.find(tag, j + 1);
        i = close == std::string_view::npos ? n : close + tag.size();
        out.sql.append(sql.substr(start, i - start));
        continue;
      }
    }
    if (c == '?') {
      out.sql += '$';
      out.sql += std::to_string(++out.placeholders);
      ++i;
      continue;
    }
    if (c == ';') after_semicolon = true;
    out.sql += c;
    ++i;
  }
  return out;
}

std::string RedactPostgresUrl(std::string_view url) {
  std::string out(url);
  const size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const size_t authority = scheme_end + 3;
    size_t authority_end = out.find_first_of("/?", authority);
    if (authority_end == std::string::npos) authority_end = out.size();
    // The last '@' ends the user info (a raw '@' in a password is not valid URI syntax, but be lenient).
    const size_t at = out.substr(authority, authority_end - authority).rfind('@');
    if (at != std::string::npos) {
      const size_t colon = out.find(':', authority);
      if (colon < authority + at) out.erase(colon, authority + at - colon);
    }
  }
  const size_t query = out.find('?');
  if (query != std::string::npos) {
    std::string kept;
    size_t pos = query + 1;
    while (pos <= out.size()) {
      size_t amp = out.find('&', pos);
      if (amp == std::string::npos) amp = out.size();
      const std::string_view param = std::string_view(out).substr(pos, amp - pos);
      if (!param.empty() && param.substr(0, 9) != "password=") {
        if (!kept.empty()) kept += '&';
        kept += param;
      }
      pos = amp + 1;
    }
    out.erase(query);
    if (!kept.empty()) out += "?" + kept;
  }
  return out;
}

}  // namespace internal

namespace {

using internal::Excerpt;
using internal::FormatDouble;
using internal::FormatInt;

constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
// As for SQLite: SQL built at run time must not grow the per-connection cache without bound.
constexpr size_t kMaxCachedStatements = 256;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

std::string TrimRight(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The primary message only: DETAIL repeats the offending values (an e-mail address, a phone number), and messages
// of the non-internal codes may reach a client.
Status MapError(PGconn* conn, const PGresult* result, std::string_view sql = {}) {
  std::string message;
  if (result != nullptr) {
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    message = primary != nullptr ? primary : PQresultErrorMessage(result);
  }
  if (message.empty()) message = PQerrorMessage(conn);
  message = "postgres: " + TrimRight(message);
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view state = sqlstate != nullptr ? sqlstate : "";

  if (PQstatus(conn) == CONNECTION_BAD) return UnavailableError(message);
  if (state == "23505") return AlreadyExistsError(message);
  if (StartsWith(state, "23")) return FailedPreconditionError(message);
  if (state == "40001" || state == "40P01") return AbortedError(message);
  if (StartsWith(state, "08") || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300") {
    return UnavailableError(message);
  }
  if (state == "57014") return Status(StatusCode::kDeadlineExceeded, message);
  if (state == "25P02") return FailedPreconditionError(message);
  if (!state.empty()) message += " (SQLSTATE " + std::string(state) + ")";
  if (!sql.empty()) message += " [in: " + Excerpt(sql) + "]";
  return InternalError(message);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea in text format: "\x" and two hex digits a byte (bytea_output is set to hex on connect). The escape format
// is left to libpq, in case a server setting got past that.
std::string DecodeBytea(const char* text, int length) {
  if (length >= 2 && text[0] == '\\' && text[1] == 'x' && length % 2 == 0) {
    std::string bytes;
    bytes.reserve((length - 2) / 2);
    for (int i = 2; i + 1 < length; i += 2) {
      const int high = HexValue(text[i]);
      const int low = HexValue(text[i + 1]);
      if (high < 0 || low < 0) break;
      bytes.push_back(static_cast<char>((high << 4) | low));
    }
    return bytes;
  }
  size_t size = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
  if (raw == nullptr) return std::string(text, length);
  std::string bytes(reinterpret_cast<const char*>(raw), size);
  PQfreemem(raw);
  return bytes;
}

Status CheckTextParams(const Params& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const auto* text = std::get_if<std::string>(&params[i]);
    if (text && std::memchr(text->data(), '\0', text->size()) != nullptr) {
      return InvalidArgumentError(Msg("text parameter {} contains a NUL byte (use a Blob)", i + 1));
    }
  }
  return OkStatus();
}

class PgConnection final : public Connection {
 public:
  static StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& url, const std::string& display_url);

  ~PgConnection() override { PQfinish(conn_); }

  StatusOr<Result> Execute(std::string_view sql, const Params& params) override;
  Status ExecuteScript(std::string_view sql) override;

  Status Begin() override {
    if (InTransaction()) return FailedPreconditionError("a transaction is already open on this connection");
    return Simple("BEGIN");
  }

  Status Commit() override {
    const PGTransactionStatusType state = PQtransactionStatus(conn_);
    if (state == PQTRANS_INERROR) {
      // The server would answer COMMIT with a silent ROLLBACK: say so instead of reporting success.
      Simple("ROLLBACK").IgnoreError();
      return FailedPreconditionError("the transaction was rolled back: a statement in it failed");
    }
    if (state != PQTRANS_INTRANS) return FailedPreconditionError("no transaction to commit");
    return Simple("COMMIT");
  }

  Status Rollback() override {
    if (!InTransaction()) return OkStatus();
    return Simple("ROLLBACK");
  }

  bool InTransaction() const override {
    const PGTransactionStatusType state = PQtransactionStatus(conn_);
    return state == PQTRANS_INTRANS || state == PQTRANS_INERROR || state == PQTRANS_ACTIVE;
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  bool Broken() const { return PQstatus(conn_) != CONNECTION_OK; }

  // Whether an idle pooled connection can be handed out. PQstatus alone does not tell: libpq learns that the server
  // closed the connection only when it next reads. A server that ends a session (pg_terminate_backend, restart,
  // idle_session_timeout) first sends an error and then closes, so an idle connection whose socket is readable is
  // one the server gave up on. A false alarm (a stray notice) costs only a reconnect.
  bool Healthy() const {
    if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    return poll(&fd, 1, 0) == 0;
  }

 private:
  struct Prepared {
    std::string name;
    int placeholders = 0;
  };

  explicit PgConnection(PGconn* conn) : conn_(conn) {}

  Status Simple(const char* sql) {
    PgResult result(PQexec(conn_, sql));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return MapError(conn_, result.get(), sql);
    return OkStatus();
  }

  StatusOr<const Prepared*> Prepare(std::string_view key, std::string_view sql, const Params& params);
  StatusOr<Result> ReadResult(PGresult* result, std::string_view sql);

  PGconn* conn_;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;
  int64_t next_statement_ = 0;
};

StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url, const std::string& display_url) {
  // With expand_dbname, `dbname` is the whole URI; keywords before it are defaults the URI may override, keywords
  // after it win. A connect timeout keeps an unreachable host from hanging Acquire for minutes.
  const char* const keywords[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", nullptr};
  const char* const values[] = {"10", "ningju", url.c_str(), "UTF8", nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return UnavailableError(Msg("cannot connect to {}: out of memory", display_url));
  std::unique_ptr<PgConnection> conn(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return UnavailableError(Msg("cannot connect to {}: {}", display_url, TrimRight(PQerrorMessage(raw))));
  }
  // Notices ("table already exists, skipping") would otherwise go to stderr from inside libpq.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  // jit off: the app's statements are short index reads, and PostgreSQL 15 JIT-compiled the generic plans of the
  // staff case lists on every call (about 50 ms of a 68 ms list at a million cases; docs/PERFORMANCE.md "Cases").
  RETURN_IF_ERROR(conn->Simple("SET TimeZone = 'UTC'; SET bytea_output = 'hex'; SET jit = off"));
  return conn;
}

StatusOr<const PgConnection::Prepared*> PgConnection::Prepare(std::string_view key, std::string_view sql,
                                                              const Params& params) {
  if (auto it = cache_.find(key); it != cache_.end()) return &it->second;

  const internal::RewrittenSql rewritten = internal::RewritePlaceholders(sql);
  if (rewritten.several_statements) {
    return InvalidArgumentError(Msg("Execute takes one statement; use ExecuteScript for several: {}", Excerpt(sql)));
  }
  // Only blobs get a declared type (so that binary bytes are read as bytea even where the context says nothing);
  // the server infers every other parameter from its context, as it would for a literal.
  std::vector<Oid> types(rewritten.placeholders, 0);
  for (size_t i = 0; i < params.size() && i < types.size(); ++i) {
    if (std::holds_alternative<Blob>(params[i])) types[i] = kByteaOid;
  }
  if (cache_.size() >= kMaxCachedStatements && PQtransactionStatus(conn_) != PQTRANS_INERROR) {
    // Prepared statements outlive transactions, so this is safe inside one too (but not in a failed one).
    if (Simple("DEALLOCATE ALL").ok()) cache_.clear();
  }
  std::string name = "s" + std::to_string(++next_statement_);
  PgResult result(PQprepare(conn_, name.c_str(), rewritten.sql.c_str(), rewritten.placeholders, types.data()));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) return MapError(conn_, result.get(), sql);
  auto [it, inserted] = cache_.emplace(std::string(key), Prepared{std::move(name), rewritten.placeholders});
  return &it->second;
}

StatusOr<Result> PgConnection::Execute(std::string_view sql, const Params& params) {
  RETURN_IF_ERROR(CheckTextParams(params));
  // Blob positions are part of the key: the same text prepared with and without a bytea parameter differs.
  std::string key_with_types;
  std::string_view key = sql;
  bool has_blob = false;
  for (const Param& p : params) has_blob = has_blob || std::holds_alternative<Blob>(p);
  if (has_blob) {
    key_with_types.reserve(sql.size() + 1 + params.size());
    key_with_types.append(sql);
    key_with_types.push_back('\0');
    for (const Param& p : params) key_with_types.push_back(std::holds_alternative<Blob>(p) ? 'b' : '-');
    key = key_with_types;
  }
  ASSIGN_OR_RETURN(const Prepared* prepared, Prepare(key, sql, params));
  if (prepared->placeholders != static_cast<int>(params.size())) {
    return InvalidArgumentError(
        Msg("statement has {} placeholders but {} parameters were given", prepared->placeholders, params.size()));
  }

  const size_t n = params.size();
  std::vector<std::string> texts(n);
  std::vector<const char*> values(n, nullptr);
  std::vector<int> lengths(n, 0);
  std::vector<int> formats(n, 0);
  for (size_t i = 0; i < n; ++i) {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            values[i] = nullptr;
          } else if constexpr (std::is_same_v<T, int64_t>) {
            texts[i] = FormatInt(value);
            values[i] = texts[i].c_str();
          } else if constexpr (std::is_same_v<T, double>) {
            texts[i] = FormatDouble(value);
            values[i] = texts[i].c_str();
          } else if constexpr (std::is_same_v<T, std::string>) {
            values[i] = value.c_str();
          } else {
            // Binary format: the raw bytes, any of them, with an explicit length (never NULL for an empty blob:
            // data() of an empty string is a valid pointer).
            values[i] = value.bytes.data();
            lengths[i] = static_cast<int>(value.bytes.size());
            formats[i] = 1;
          }
        },
        params[i]);
  }
  PgResult result(PQexecPrepared(conn_, prepared->name.c_str(), static_cast<int>(n), values.data(), lengths.data(),
                                 formats.data(), /*resultFormat=*/0));
  return ReadResult(result.get(), sql);
}

StatusOr<Result> PgConnection::ReadResult(PGresult* result, std::string_view sql) {
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
    return MapError(conn_, result, sql);
  }
  Result out;
  const int fields = PQnfields(result);
  std::vector<Oid> types(fields);
  out.columns.reserve(fields);
  for (int c = 0; c < fields; ++c) {
    out.columns.emplace_back(PQfname(result, c));
    types[c] = PQftype(result, c);
  }
  const int tuples = PQntuples(result);
  out.rows.reserve(tuples);
  for (int r = 0; r < tuples; ++r) {
    std::vector<std::optional<std::string>> cells;
    cells.reserve(fields);
    for (int c = 0; c < fields; ++c) {
      if (PQgetisnull(result, r, c)) {
        cells.emplace_back(std::nullopt);
        continue;
      }
      const char* value = PQgetvalue(result, r, c);
      const int length = PQgetlength(result, r, c);
      if (types[c] == kByteaOid) {
        cells.emplace_back(DecodeBytea(value, length));
      } else if (types[c] == kBoolOid) {
        // SQLite has no booleans: `SELECT x = y` gives 1/0 there, so give the same here.
        cells.emplace_back(value[0] == 't' ? "1" : "0");
      } else {
        cells.emplace_back(std::string(value, length));
      }
    }
    out.rows.emplace_back(std::move(cells));
  }
  // PQcmdTuples also counts SELECT rows; Result::rows_affected is for writes only (as on SQLite).
  const std::string_view tag = PQcmdStatus(result);
  if (StartsWith(tag, "INSERT") || StartsWith(tag, "UPDATE") || StartsWith(tag, "DELETE") || StartsWith(tag, "MERGE")) {
    const char* count = PQcmdTuples(result);
    int64_t affected = 0;
    std::from_chars(count, count + std::strlen(count), affected);
    out.rows_affected = affected;
  }
  return out;
}

Status PgConnection::ExecuteScript(std::string_view sql) {
  // The simple query protocol runs several statements in one round trip, as one implicit transaction when none is
  // open. It needs a NUL-terminated string.
  const std::string script(sql);
  PgResult result(PQexec(conn_, script.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    return MapError(conn_, result.get());
  }
  return OkStatus();
}

// Quotes a value for a keyword=value connection string.
std::string QuoteConninfoValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

struct ProcessOutcome {
  int exit_code = 0;
  std::string error_output;
};

// Runs a program without a shell (no quoting pitfalls, nothing interpreted), stdin and stdout on /dev/null, stderr
// captured for the error message.
StatusOr<ProcessOutcome> RunProcess(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return InternalError(Msg("pipe: {}", std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);

  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    return UnavailableError(Msg("cannot run {}: {}", args[0], std::strerror(rc)));
  }
  ProcessOutcome outcome;
  char buf[4096];
  while (true) {
    const ssize_t got = read(pipe_fds[0], buf, sizeof(buf));
    if (got > 0) {
      if (outcome.error_output.size() < 16384) outcome.error_output.append(buf, got);
    } else if (got == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0) {
    if (errno != EINTR) return InternalError(Msg("waitpid: {}", std::strerror(errno)));
  }
  outcome.exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  return outcome;
}

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string url, const DatabaseOptions& options)
      : url_(std::move(url)),
        display_url_(internal::RedactPostgresUrl(url_)),
        pool_(
            options.pool_size, std::chrono::milliseconds(options.acquire_timeout_ms), options.nested_acquire,
            [this]() -> StatusOr<std::unique_ptr<Connection>> {
              ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(url_, display_url_));
              return std::unique_ptr<Connection>(std::move(conn));
            },
            [](Connection& conn) { return static_cast<PgConnection&>(conn).Healthy(); }) {}

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string DisplayUrl() const override { return display_url_; }

  StatusOr<PooledConnection> Acquire(std::source_location where = std::source_location::current()) override {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, pool_.Acquire(where));
    return PooledConnection(this, std::move(conn));
  }
  PoolStats pool_stats() const override { return pool_.stats(); }

  Status Backup(const std::string& destination) override;

 protected:
  void Release(std::unique_ptr<Connection> conn) override {
    auto& pg = static_cast<PgConnection&>(*conn);
    bool reusable = !pg.Broken();
    if (reusable && pg.InTransaction()) reusable = pg.Rollback().ok() && !pg.Broken();
    pool_.Release(std::move(conn), reusable);
  }

 private:
  const std::string url_;
  const std::string display_url_;
  internal::ConnectionPool pool_;
};

Status PgDatabase::Backup(const std::string& destination) {
  // pg_dump gets the connection as keyword=value pairs without the password, which goes in its environment
  // instead: command lines are visible to every user of the machine (ps), environments are not.
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url_.c_str(), &parse_error);
  if (options == nullptr) {
    std::string message = parse_error != nullptr ? TrimRight(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return InvalidArgumentError(Msg("invalid PostgreSQL URL {}: {}", display_url_, message));
  }
  std::string conninfo;
  std::string password;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    if (std::string_view(o->keyword) == "password") {
      password = o->val;
      continue;
    }
    if (!conninfo.empty()) conninfo += ' ';
    conninfo += std::string(o->keyword) + "=" + QuoteConninfoValue(o->val);
  }
  PQconninfoFree(options);

  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!StartsWith(*e, "PGPASSWORD=")) env.emplace_back(*e);
  }
  if (!password.empty()) env.push_back("PGPASSWORD=" + password);

  // Written beside the destination and renamed into place, as for SQLite: never half a dump under the final name.
  const std::string partial = destination + ".partial";
  std::error_code ignored;
  std::filesystem::remove(partial, ignored);
  ASSIGN_OR_RETURN(
      ProcessOutcome outcome,
      RunProcess({"pg_dump", "--format=custom", "--no-password", "--file=" + partial, "--dbname=" + conninfo}, env));
  if (outcome.exit_code != 0) {
    std::filesystem::remove(partial, ignored);
    return InternalError(
        Msg("pg_dump of {} exited with {}: {}", display_url_, outcome.exit_code, TrimRight(outcome.error_output)));
  }
  std::error_code ec;
  std::filesystem::rename(partial, destination, ec);
  if (ec) {
    std::filesystem::remove(partial, ignored);
    return InternalError(Msg("backup to {}: renaming {}: {}", destination, partial, ec.message()));
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenPostgres(std::string_view url, const DatabaseOptions& options) {
  const std::string owned(url);
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(owned.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string message = parse_error != nullptr ? TrimRight(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return InvalidArgumentError(Msg("invalid PostgreSQL URL {}: {}", internal::RedactPostgresUrl(url), message));
  }
  PQconninfoFree(parsed);
  auto db = std::make_unique<PgDatabase>(owned, options);
  {
    // One connection now, so a wrong URL, a server that is down or a refused login fails here.
    ASSIGN_OR_RETURN(PooledConnection first, db->Acquire());
  }
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace ningju::storage
