// Residents asking to join a neighborhood, and staff approving (docs/ROSTER.md "Residents asking to join"). A
// signed-in account asks to be a resident of a neighborhood, optionally naming its building and unit and a short
// message; staff with Permission::kManageRoster on the neighborhood see the pending requests of their area and
// approve (the account gets the resident role on the neighborhood with a residency in the same transaction, and may
// be linked to an owner of the roster) or refuse with a reason; the account sees its requests and may withdraw a
// pending one.
//
// Every change is audited in its transaction (object join_request:<id>). A decision or withdrawal locks the
// request's row first (storage::ForUpdate) and checks it is still pending under the lock, so of two staff deciding
// at once one wins and the other gets kFailedPrecondition. An account has at most one pending request per
// neighborhood (a unique index) and at most `max_pending` in all (counted under the account row's lock).
//
// Thread-safety: safe to use from many threads (state lives in the database).
#ifndef NINGJU_GOVERNANCE_AREAS_JOIN_REQUESTS_H_
#define NINGJU_GOVERNANCE_AREAS_JOIN_REQUESTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::areas {

struct JoinRequestOptions {
  int max_pending = 3;          // pending requests an account may hold across all neighborhoods
  int max_per_day = 10;         // requests an account may make in 24 hours (withdrawn ones count)
  int max_message_chars = 200;  // code points of the message, of the unit (at most 20) and of a refusal's reason
};

enum class JoinState { kPending, kApproved, kRefused, kWithdrawn };
std::string_view JoinStateName(JoinState s);  // "pending", "approved", "refused", "withdrawn"

struct NewJoinRequest {
  int64_t neighborhood_id = 0;
  std::optional<int64_t> building_id;  // a building of the neighborhood
  std::string unit;                    // as the resident writes it, "3-201"; at most 20 characters
  std::string message;                 // at most max_message_chars
};

struct JoinRequestView {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string account;  // the requester's display name
  std::string phone;    // the requester's phone: "" unless the viewer holds kViewPersonalData on the neighborhood
                        // and the phone is not still waiting for its code
  int64_t neighborhood_id = 0;
  std::string neighborhood_name;
  std::optional<int64_t> building_id;
  std::string building_name;
  std::string unit;
  std::string message;
  JoinState state = JoinState::kPending;
  Instant created_at;
  std::optional<Instant> decided_at;
  std::string reason;  // a refusal's reason
  std::optional<int64_t> owner_id;
};

// A neighborhood and its buildings, for the form that asks to join it (public information).
struct JoinPlace {
  int64_t neighborhood_id = 0;
  std::string name;
  std::vector<std::pair<int64_t, std::string>> buildings;  // (id, name) by sort key
};

class JoinRequestService {
 public:
  JoinRequestService(storage::Database& db, const Clock& clock, JoinRequestOptions options = {});

  // kNotFound: no such area; kInvalidArgument: not a neighborhood.
  StatusOr<JoinPlace> Place(int64_t neighborhood_id);

  // A new pending request of `by`. kUnauthenticated; kNotFound (no such neighborhood); kInvalidArgument (not a
  // neighborhood, a building outside it, a unit or message too long or with invalid UTF-8 or control characters);
  // kAlreadyExists (a pending request for this neighborhood, or already a resident there); kResourceExhausted
  // (max_pending pending requests, or max_per_day requests in the last 24 hours). Audited "join.ask".
  StatusOr<JoinRequestView> Ask(const auth::Principal& by, const NewJoinRequest& request);

  // The requests of `by`, newest first (at most 100).
  StatusOr<std::vector<JoinRequestView>> Mine(const auth::Principal& by);

  // `by` withdraws its own pending request. kNotFound for another account's request; kFailedPrecondition when no
  // longer pending. Audited "join.withdraw".
  Status Withdraw(const auth::Principal& by, int64_t id);

  // The requests of the neighborhoods in `area_id` (a neighborhood or above), pending only unless `all`, oldest
  // first (at most 500). kManageRoster on the area.
  StatusOr<std::vector<JoinRequestView>> ForArea(const auth::Principal& by, int64_t area_id, bool all = false);

  // One request: its author or staff with kManageRoster on its neighborhood (the phone only for staff with
  // kViewPersonalData). kNotFound for anyone else, so that ids reveal nothing.
  StatusOr<JoinRequestView> Get(const auth::Principal& by, int64_t id);

  // Staff approve: the requester gets the resident role on the neighborhood and a residency, and is linked to
  // `owner_id` (an owner of a unit in the neighborhood not linked to another account, else kAlreadyExists) when
  // given. kManageRoster on the neighborhood (and on every building of the owner); kFailedPrecondition when no
  // longer pending. Audited "join.approve".
  Status Approve(const auth::Principal& by, int64_t id, std::optional<int64_t> owner_id = std::nullopt);

  // Staff refuse with a reason (1..max_message_chars characters). Audited "join.refuse" with the reason.
  Status Refuse(const auth::Principal& by, int64_t id, const std::string& reason);
  // Whether `by` may approve or refuse request `id` (staff with the roster permission over its neighborhood): the
  // routes ask it before they read the form (web::Site's gate). kNotFound for anyone but staff and the requester, as
  // Get answers.
  Status CheckDecide(const auth::Principal& by, int64_t id);

 private:
  storage::Database& db_;
  const Clock& clock_;
  JoinRequestOptions options_;
};

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_JOIN_REQUESTS_H_
