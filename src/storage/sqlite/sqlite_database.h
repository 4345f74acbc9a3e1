// The SQLite backend of storage::Database. Only this folder's .cc includes sqlite3.h.
//
// Every connection runs with journal_mode=WAL (readers never block the writer), foreign_keys=ON,
// synchronous=FULL (a commit that returned is on disk: nothing acknowledged is lost) and the configured
// busy_timeout. Transactions begin IMMEDIATE: the write lock is taken at BEGIN, so two transactions never both read
// and then deadlock trying to upgrade; a writer that cannot get the lock within busy_timeout gets kAborted.
//
// ":memory:" is a private in-memory database served by a pool of exactly one connection. Why not a shared-cache
// in-memory URI with a real pool: shared cache replaces the file locks with table locks that fail at once with
// SQLITE_LOCKED instead of waiting for busy_timeout, and an in-memory database has no WAL anyway, so a bigger pool
// would turn contention into spurious kAborted errors without adding any concurrency worth having. One connection
// serializes all users, which is correct; callers simply wait in Acquire.
#ifndef NINGJU_STORAGE_SQLITE_SQLITE_DATABASE_H_
#define NINGJU_STORAGE_SQLITE_SQLITE_DATABASE_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/database.h"

namespace ningju::storage {

// Opens (creating when missing) the SQLite database at `path`, or a private in-memory one for ":memory:". A path
// starting with "file:" is read as a SQLite URI. Opens the first connection at once: kUnavailable when the file
// cannot be opened, kFailedPrecondition when it cannot be put in WAL mode.
StatusOr<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const DatabaseOptions& options);

}  // namespace ningju::storage

#endif  // NINGJU_STORAGE_SQLITE_SQLITE_DATABASE_H_
