// The demo district: Changning (长宁区) with its 10 subdistricts and towns by their real names, 185 neighborhoods
// spread among them, buildings with entrances and units (registered areas; owners, some owning several units; some
// unsold developer units), staff at each level, deputies and residents. Deterministic for a seed.
#ifndef NINGJU_APP_DEMO_H_
#define NINGJU_APP_DEMO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "auth/crypto.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::app {

enum class DemoScale {
  kFull,   // 6-12 buildings a neighborhood, 1-3 entrances, 5-7 floors: about 40,000 units
  kSmall,  // 2 buildings a neighborhood, 1 entrance, 3 floors: for tests
};

struct DemoAccount {
  std::string login;
  std::string role;   // what the account may do, in words
  std::string scope;  // the area of its role
};

struct DemoReport {
  int64_t subdistricts = 0;
  int64_t neighborhoods = 0;
  int64_t buildings = 0;
  int64_t units = 0;
  int64_t owners = 0;
  std::vector<DemoAccount> accounts;
  std::string password;  // every demo account's password
};

inline constexpr char kDemoPassword[] = "ningju-demo-2026";

// Writes the demo district into an empty, migrated database in one transaction. kFailedPrecondition when the
// database already holds an area tree.
StatusOr<DemoReport> CreateDemo(storage::Database& db, const Clock& clock, uint64_t seed, DemoScale scale,
                                auth::PasswordCost cost);

}  // namespace ningju::app

#endif  // NINGJU_APP_DEMO_H_
