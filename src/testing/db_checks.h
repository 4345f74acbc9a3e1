// What service tests read back from the database to check a change: a count, the areas where a user holds a role,
// the actions audited on an object. Each acquires its own connection and releases it before returning.
#ifndef NINGJU_TESTING_DB_CHECKS_H_
#define NINGJU_TESTING_DB_CHECKS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "auth/roles.h"
#include "record/record.h"
#include "storage/database.h"
#include "testing/status_matchers.h"

namespace ningju::testing {

// The integer the query `sql` (one row, one column) answers; -1 when it fails (the failure is reported).
inline int64_t CountOf(storage::Database& db, const std::string& sql, const storage::Params& params = {}) {
  auto conn = db.Acquire();
  EXPECT_OK(conn);
  if (!conn.ok()) return -1;
  auto row = (*conn)->QueryOne(sql, params);
  EXPECT_OK(row);
  return row.ok() ? row->Int(0) : -1;
}

// The areas where `user` holds an active grant of `role`, in grant order.
inline std::vector<int64_t> RoleAreas(storage::Database& db, int64_t user, auth::Role role) {
  auto conn = db.Acquire();
  EXPECT_OK(conn);
  if (!conn.ok()) return {};
  auto grants = auth::LoadGrants(**conn, user);
  EXPECT_OK(grants);
  if (!grants.ok()) return {};
  std::vector<int64_t> out;
  for (const auto& g : *grants) {
    if (g.role == role) out.push_back(g.area_id);
  }
  return out;
}

// The actions of the audit records on `object_ref` ("owner:3"), sorted.
inline std::vector<std::string> AuditActionsOn(storage::Database& db, const std::string& object_ref) {
  auto conn = db.Acquire();
  EXPECT_OK(conn);
  if (!conn.ok()) return {};
  auto records = record::ListAudit(**conn, object_ref, 100);
  EXPECT_OK(records);
  if (!records.ok()) return {};
  std::vector<std::string> out;
  for (const auto& r : *records) out.push_back(r.action);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ningju::testing

#endif  // NINGJU_TESTING_DB_CHECKS_H_
