// The PostgreSQL backend of storage::Database, through libpq. Only this folder's .cc includes libpq-fe.h.
//
// Statements: `?` placeholders are rewritten to $1..$n and each distinct SQL text is prepared once per connection.
// Parameters go as text (int64 in decimal, double in shortest round-trip form) except Blob, which goes in binary
// format as bytea. Results are read as text; bytea cells are decoded to raw bytes and booleans read "1"/"0", so a
// Row holds the same cells as on SQLite.
//
// Sessions: client_encoding UTF8, TimeZone UTC, bytea_output hex; transactions at the server's default isolation
// (READ COMMITTED). An idle pooled connection found closed by the server (restart, pg_terminate_backend, idle
// timeout) is replaced in Acquire; one that breaks during use reports kUnavailable and is dropped on release.
//
// Errors by SQLSTATE: 23505 -> kAlreadyExists; other 23xxx -> kFailedPrecondition; 40001, 40P01 -> kAborted;
// 08xxx, 57P01-57P03 (server shutting down / connection terminated), 53300 (too many connections) and a lost
// connection -> kUnavailable; 57014 (statement timeout, cancel) -> kDeadlineExceeded; 25P02 (statement in a failed
// transaction) -> kFailedPrecondition; everything else kInternal. Messages carry the server's text.
#ifndef NINGJU_STORAGE_POSTGRES_POSTGRES_DATABASE_H_
#define NINGJU_STORAGE_POSTGRES_POSTGRES_DATABASE_H_

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/database.h"

namespace ningju::storage {

// Opens a pool on the libpq URI `url` ("postgresql://user:password@host:port/dbname?options=..."). Connects once at
// once: kInvalidArgument for a URI libpq cannot parse, kUnavailable when the server cannot be reached or refuses.
StatusOr<std::unique_ptr<Database>> OpenPostgres(std::string_view url, const DatabaseOptions& options);

namespace internal {

struct RewrittenSql {
  std::string sql;                  // with $1..$n
  int placeholders = 0;             // n
  bool several_statements = false;  // a ';' followed by more than whitespace and comments
};

// Rewrites each `?` to $1..$n, leaving alone those inside '...' (also E'...' with backslash escapes), "...",
// $tag$...$tag$, -- comments and /* */ comments (nested, as PostgreSQL allows).
RewrittenSql RewritePlaceholders(std::string_view sql);

// `url` without its password (in the user-info part or a password= parameter), for logs.
std::string RedactPostgresUrl(std::string_view url);

}  // namespace internal
}  // namespace ningju::storage

#endif  // NINGJU_STORAGE_POSTGRES_POSTGRES_DATABASE_H_
