// The locking read of a read-modify-write (STYLE.md item 17; docs/ARCHITECTURE.md, "the locking rule").
#ifndef NINGJU_STORAGE_LOCKING_H_
#define NINGJU_STORAGE_LOCKING_H_

#include <string>
#include <string_view>

#include "storage/database.h"

namespace ningju::storage {

// The clause that makes the SELECT of a read-modify-write a locking read, appended to the end of the statement:
// " FOR NO KEY UPDATE" on PostgreSQL, whose READ COMMITTED transactions run side by side: the rows read stay locked
// until the transaction ends, so a second writer of the same rows waits and then reads what the first one wrote.
// It is the lock an UPDATE of non-key columns takes, so inserts of rows that reference the locked one (their
// foreign-key checks) do not wait. "" on SQLite, where BEGIN IMMEDIATE already lets one writer in at a time.
// `of` names the table whose rows to lock when the SELECT joins others (" OF m").
// REQUIRES: inside a transaction (outside one, PostgreSQL releases the lock when the statement ends).
inline std::string ForUpdate(Dialect dialect, std::string_view of = {}) {
  if (dialect != Dialect::kPostgres) return "";
  std::string clause = " FOR NO KEY UPDATE";
  if (!of.empty()) clause.append(" OF ").append(of);
  return clause;
}

}  // namespace ningju::storage

#endif  // NINGJU_STORAGE_LOCKING_H_
