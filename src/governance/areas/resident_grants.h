// The resident role on a neighborhood as the roster's paths give and take it (docs/ROSTER.md "Who keeps the
// resident role"): an invitation claim or a link by hand (origin "owner") and an approved join request (origin
// "join") grant it with a residency; an unlink takes it back only when it came from one of those paths and the
// account has no other reason to hold it there. A grant made by hand (origin "", `ningju user grant`, the demo) is
// never taken back by these.
//
// Both functions lock the account's active resident grant on the neighborhood (storage::ForUpdate), so a grant and
// a release of the same account and neighborhood in two transactions run one after the other.
// REQUIRES: inside a transaction.
#ifndef NINGJU_GOVERNANCE_AREAS_RESIDENT_GRANTS_H_
#define NINGJU_GOVERNANCE_AREAS_RESIDENT_GRANTS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::areas {

inline constexpr std::string_view kOriginOwner = "owner";
inline constexpr std::string_view kOriginJoin = "join";

// The resident role on `neighborhood_id` (origin `origin`) and a residency, unless the account has them (an
// existing grant keeps its origin).
Status GrantResident(storage::Connection& tx, int64_t user_id, int64_t neighborhood_id,
                     std::optional<int64_t> granted_by, std::string_view origin, Instant now);

// After an owner was unlinked from `user_id`: revokes the account's resident grant on `neighborhood_id` and its
// residency there when the grant's origin is "owner" or "join" and the account is neither linked to another owner of
// a unit in the neighborhood nor holds an approved join request there. Returns whether it revoked.
StatusOr<bool> ReleaseResident(storage::Connection& tx, int64_t user_id, int64_t neighborhood_id, Instant now);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_RESIDENT_GRANTS_H_
