// A signed-in principal for service tests: a new user row, and the role (if any) as a session would load it.
#ifndef NINGJU_TESTING_TEST_PRINCIPAL_H_
#define NINGJU_TESTING_TEST_PRINCIPAL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "auth/roles.h"
#include "storage/database.h"
#include "testing/status_matchers.h"

namespace ningju::testing {

// Inserts a user named `login` and returns it as a session's principal holding `role` on `area` (none when nullopt).
inline auth::Principal NewPrincipal(storage::Database& db, const std::string& login, std::optional<auth::Role> role,
                                    int64_t area) {
  auth::Principal p;
  auto conn = db.Acquire();
  EXPECT_OK(conn);
  if (!conn.ok()) return p;
  auto row = (*conn)->QueryOne(
      "INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, ?, 'x', 0) RETURNING id",
      {login, login});
  EXPECT_OK(row);
  if (!row.ok()) return p;
  p.user_id = row->Int(0);
  p.display_name = login;
  p.kind = auth::PrincipalKind::kUser;
  p.via = "session";
  if (role) p.grants.push_back({0, *role, area});
  return p;
}

}  // namespace ningju::testing

#endif  // NINGJU_TESTING_TEST_PRINCIPAL_H_
