#include "governance/areas/join_requests.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "auth/policy.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "governance/areas/resident_grants.h"
#include "record/record.h"
#include "storage/locking.h"

namespace ningju::areas {
namespace {

using storage::Connection;
using storage::Row;
namespace policy = auth::policy;

constexpr size_t kMaxUnitChars = 20;
constexpr int kMineLimit = 100;
constexpr int kAreaLimit = 500;

std::optional<JoinState> ParseState(std::string_view s) {
  for (JoinState st : {JoinState::kPending, JoinState::kApproved, JoinState::kRefused, JoinState::kWithdrawn}) {
    if (JoinStateName(st) == s) return st;
  }
  return std::nullopt;
}

// Text a stranger sends: valid UTF-8, at most `max` code points, no control characters but line breaks and tabs
// where `lines` allows them.
Status CheckText(std::string_view text, size_t max, bool lines, const char* field) {
  if (utf8::FindInvalid(text)) return InvalidArgumentError("invalid UTF-8", field);
  if (utf8::CodePointCount(text) > max) {
    return InvalidArgumentError(Msg("at most {} characters", max), field);
  }
  for (unsigned char c : text) {
    const bool allowed = lines && (c == '\n' || c == '\r' || c == '\t');
    if ((c < 0x20 || c == 0x7F) && !allowed) return InvalidArgumentError("no control characters", field);
  }
  return OkStatus();
}

constexpr char kColumns[] =
    // A phone still waiting for its code is not shown as the person's (migrations/0018_phone_verification.sql).
    "SELECT r.id, r.user_id, us.display_name, CASE WHEN us.phone_state = 'pending' THEN NULL ELSE us.phone END, "
    "r.neighborhood_id, n.name, r.building_id, b.name, "
    "r.unit_number, r.message, r.state, r.created_at, r.decided_at, r.reason, r.owner_id "
    "FROM join_requests r JOIN users us ON us.id = r.user_id JOIN areas n ON n.id = r.neighborhood_id "
    "LEFT JOIN areas b ON b.id = r.building_id ";

JoinRequestView ReadView(const Row& r, bool personal) {
  JoinRequestView v;
  v.id = r.Int(0);
  v.user_id = r.Int(1);
  v.account = r.Text(2);
  if (personal) v.phone = r.Text(3);
  v.neighborhood_id = r.Int(4);
  v.neighborhood_name = r.Text(5);
  v.building_id = r.OptInt(6);
  v.building_name = r.Text(7);
  v.unit = r.Text(8);
  v.message = r.Text(9);
  v.state = ParseState(r.Text(10)).value_or(JoinState::kPending);
  v.created_at = FromUnix(r.Int(11));
  if (auto d = r.OptInt(12)) v.decided_at = FromUnix(*d);
  v.reason = r.Text(13);
  v.owner_id = r.OptInt(14);
  return v;
}

// The request's row, locked for the rest of the transaction: (user_id, neighborhood_id, state).
StatusOr<Row> LockRequest(Connection& tx, int64_t id) {
  ASSIGN_OR_RETURN(auto row, tx.QueryOptional("SELECT user_id, neighborhood_id, state FROM join_requests WHERE id = ?" +
                                                  storage::ForUpdate(tx.dialect()),
                                              {id}));
  if (!row) return NotFoundError(Msg("no join request {}", id));
  return *row;
}

Status CheckPending(const Row& request) {
  if (request.Text(2) != "pending") {
    return FailedPreconditionError("this join request is no longer pending");
  }
  return OkStatus();
}

// Links the approved requester to an owner of a unit in the neighborhood, under the owner row's lock (the lock the
// claims and links of owner_links.cc take).
Status LinkOwner(Connection& tx, const auth::Principal& by, int64_t owner_id, int64_t user_id,
                 int64_t neighborhood_id) {
  ASSIGN_OR_RETURN(storage::Result locked, tx.Execute("UPDATE owners SET user_id = user_id WHERE id = ?", {owner_id}));
  if (locked.rows_affected == 0) return NotFoundError(Msg("no owner {}", owner_id), "owner_id");
  ASSIGN_OR_RETURN(storage::Result buildings,
                   tx.Execute("SELECT DISTINCT u.building_id, (SELECT 1 FROM area_paths p WHERE p.descendant_id = "
                              "u.building_id AND p.ancestor_id = ?) FROM unit_owners uo JOIN units u ON u.id = "
                              "uo.unit_id WHERE uo.owner_id = ?",
                              {neighborhood_id, owner_id}));
  bool here = false;
  for (const Row& b : buildings.rows) {
    RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageRoster, policy::Subject::Area(b.Int(0))));
    here = here || !b.IsNull(1);
  }
  if (!here) return InvalidArgumentError("the owner holds no unit in this neighborhood", "owner_id");
  ASSIGN_OR_RETURN(Row owner, tx.QueryOne("SELECT user_id FROM owners WHERE id = ?", {owner_id}));
  if (auto linked = owner.OptInt(0); linked && *linked != user_id) {
    return AlreadyExistsError("the owner is linked to another account; unlink it first", "owner_id");
  }
  return tx.Execute("UPDATE owners SET user_id = ? WHERE id = ?", {user_id, owner_id}).status();
}

}  // namespace

std::string_view JoinStateName(JoinState s) {
  switch (s) {
    case JoinState::kPending:
      return "pending";
    case JoinState::kApproved:
      return "approved";
    case JoinState::kRefused:
      return "refused";
    case JoinState::kWithdrawn:
      return "withdrawn";
  }
  return "pending";
}

JoinRequestService::JoinRequestService(storage::Database& db, const Clock& clock, JoinRequestOptions options)
    : db_(db), clock_(clock), options_(options) {}

StatusOr<JoinPlace> JoinRequestService::Place(int64_t neighborhood_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT kind, name FROM areas WHERE id = ?", {neighborhood_id}));
  if (!area) return NotFoundError(Msg("no area {}", neighborhood_id));
  if (area->Text(0) != "neighborhood") return InvalidArgumentError("residents join a neighborhood", "neighborhood_id");
  JoinPlace place;
  place.neighborhood_id = neighborhood_id;
  place.name = area->Text(1);
  ASSIGN_OR_RETURN(storage::Result buildings,
                   conn->Execute("SELECT id, name FROM areas WHERE parent_id = ? AND kind = 'building' ORDER BY "
                                 "sort_key, id LIMIT 1000",
                                 {neighborhood_id}));
  for (const Row& b : buildings.rows) place.buildings.emplace_back(b.Int(0), b.Text(1));
  return place;
}

StatusOr<JoinRequestView> JoinRequestService::Ask(const auth::Principal& by, const NewJoinRequest& request) {
  if (!by.has_account()) return UnauthenticatedError("sign in to ask to join a neighborhood");
  const std::string unit(Trim(request.unit));
  const std::string message(Trim(request.message));
  RETURN_IF_ERROR(CheckText(unit, kMaxUnitChars, false, "unit_number"));
  RETURN_IF_ERROR(CheckText(message, static_cast<size_t>(options_.max_message_chars), true, "message"));
  int64_t id = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT kind FROM areas WHERE id = ?", {request.neighborhood_id}));
    if (!area) return NotFoundError(Msg("no area {}", request.neighborhood_id), "neighborhood_id");
    if (area->Text(0) != "neighborhood") {
      return InvalidArgumentError("residents join a neighborhood", "neighborhood_id");
    }
    if (request.building_id) {
      ASSIGN_OR_RETURN(auto building, tx.QueryOptional("SELECT 1 FROM areas WHERE id = ? AND kind = 'building' AND "
                                                       "parent_id = ?",
                                                       {*request.building_id, request.neighborhood_id}));
      if (!building) return InvalidArgumentError("the building is not in this neighborhood", "building_id");
    }
    // The account's row lock: two requests of one account at once are counted one after the other.
    RETURN_IF_ERROR(
        tx.Execute("SELECT id FROM users WHERE id = ?" + storage::ForUpdate(tx.dialect()), {by.user_id}).status());
    ASSIGN_OR_RETURN(auto resident, tx.QueryOptional("SELECT 1 FROM role_grants WHERE user_id = ? AND role = "
                                                     "'resident' AND area_id = ? AND revoked_at = 0",
                                                     {by.user_id, request.neighborhood_id}));
    if (resident) return AlreadyExistsError("you are already a resident of this neighborhood", "neighborhood_id");
    ASSIGN_OR_RETURN(auto same, tx.QueryOptional("SELECT 1 FROM join_requests WHERE user_id = ? AND "
                                                 "neighborhood_id = ? AND state = 'pending'",
                                                 {by.user_id, request.neighborhood_id}));
    if (same) {
      return AlreadyExistsError("you already asked to join this neighborhood; wait for the staff's answer",
                                "neighborhood_id");
    }
    ASSIGN_OR_RETURN(Row pending, tx.QueryOne("SELECT COUNT(*) FROM join_requests WHERE user_id = ? AND state = "
                                              "'pending'",
                                              {by.user_id}));
    if (pending.Int(0) >= options_.max_pending) {
      return ResourceExhaustedError(
          Msg("at most {} pending join requests; withdraw one or wait for an answer", options_.max_pending));
    }
    ASSIGN_OR_RETURN(Row today, tx.QueryOne("SELECT COUNT(*) FROM join_requests WHERE user_id = ? AND created_at > ?",
                                            {by.user_id, ToUnix(now) - 24 * 3600}));
    if (today.Int(0) >= options_.max_per_day) {
      return ResourceExhaustedError(Msg("at most {} join requests in a day; try again tomorrow", options_.max_per_day));
    }
    ASSIGN_OR_RETURN(Row row, tx.QueryOne("INSERT INTO join_requests (user_id, neighborhood_id, building_id, "
                                          "unit_number, message, state, created_at) VALUES (?, ?, ?, ?, ?, "
                                          "'pending', ?) RETURNING id",
                                          {by.user_id, request.neighborhood_id, storage::Nullable(request.building_id),
                                           unit, message, ToUnix(now)}));
    id = row.Int(0);
    // The message may hold personal data: the audit record says only that there is one.
    return record::Audit(
        tx, now, auth::ActorOf(by), "join.ask", record::Ref("join_request", id),
        {{"user_id", by.user_id},
         {"neighborhood_id", request.neighborhood_id},
         {"building_id", request.building_id ? nlohmann::json(*request.building_id) : nlohmann::json(nullptr)}});
  }));
  return Get(by, id);
}

StatusOr<std::vector<JoinRequestView>> JoinRequestService::Mine(const auth::Principal& by) {
  if (!by.has_account()) return UnauthenticatedError("sign in first");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result rows,
                   conn->Execute(std::string(kColumns) + "WHERE r.user_id = ? ORDER BY r.id DESC LIMIT ?",
                                 {by.user_id, int64_t{kMineLimit}}));
  std::vector<JoinRequestView> out;
  for (const Row& r : rows.rows) out.push_back(ReadView(r, false));
  return out;
}

Status JoinRequestService::Withdraw(const auth::Principal& by, int64_t id) {
  if (!by.has_account()) return UnauthenticatedError("sign in first");
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(Row request, LockRequest(tx, id));
    if (request.Int(0) != by.user_id) return NotFoundError(Msg("no join request {}", id));
    RETURN_IF_ERROR(CheckPending(request));
    RETURN_IF_ERROR(
        tx.Execute("UPDATE join_requests SET state = 'withdrawn', decided_at = ? WHERE id = ?", {ToUnix(now), id}));
    return record::Audit(tx, now, auth::ActorOf(by), "join.withdraw", record::Ref("join_request", id),
                         {{"user_id", by.user_id}, {"neighborhood_id", request.Int(1)}});
  });
}

StatusOr<std::vector<JoinRequestView>> JoinRequestService::ForArea(const auth::Principal& by, int64_t area_id,
                                                                   bool all) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT kind FROM areas WHERE id = ?", {area_id}));
  if (!area) return NotFoundError(Msg("no area {}", area_id));
  RETURN_IF_ERROR(policy::Require(*conn, by, policy::Action::kViewRoster, policy::Subject::Area(area_id)));
  if (area->Text(0) == "building" || area->Text(0) == "entrance") {
    return InvalidArgumentError("join requests are listed per neighborhood or above", "id");
  }
  ASSIGN_OR_RETURN(const bool personal,
                   policy::Allows(*conn, by, policy::Action::kViewPersonalData, policy::Subject::Area(area_id)));
  ASSIGN_OR_RETURN(storage::Result rows,
                   conn->Execute(std::string(kColumns) +
                                     "JOIN area_paths p ON p.descendant_id = r.neighborhood_id AND p.ancestor_id = ? " +
                                     (all ? "" : "WHERE r.state = 'pending' ") + "ORDER BY r.id LIMIT ?",
                                 {area_id, int64_t{kAreaLimit}}));
  std::vector<JoinRequestView> out;
  for (const Row& r : rows.rows) out.push_back(ReadView(r, personal));
  return out;
}

StatusOr<JoinRequestView> JoinRequestService::Get(const auth::Principal& by, int64_t id) {
  if (!by.signed_in()) return UnauthenticatedError("sign in first");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row, conn->QueryOptional(std::string(kColumns) + "WHERE r.id = ?", {id}));
  if (!row) return NotFoundError(Msg("no join request {}", id));
  const int64_t neighborhood = row->Int(4);
  ASSIGN_OR_RETURN(const bool staff,
                   policy::Allows(*conn, by, policy::Action::kViewRoster, policy::Subject::Area(neighborhood)));
  if (!staff && row->Int(1) != by.user_id) return NotFoundError(Msg("no join request {}", id));
  bool personal = false;
  if (staff) {
    ASSIGN_OR_RETURN(personal,
                     policy::Allows(*conn, by, policy::Action::kViewPersonalData, policy::Subject::Area(neighborhood)));
  }
  return ReadView(*row, personal);
}

Status JoinRequestService::CheckDecide(const auth::Principal& by, int64_t id) {
  if (!by.signed_in()) return UnauthenticatedError("sign in first");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row,
                   conn->QueryOptional("SELECT user_id, neighborhood_id FROM join_requests WHERE id = ?", {id}));
  if (!row) return NotFoundError(Msg("no join request {}", id));
  Status allowed = policy::Require(*conn, by, policy::Action::kManageRoster, policy::Subject::Area(row->Int(1)));
  if (allowed.code() != StatusCode::kPermissionDenied || row->Int(0) == by.user_id) return allowed;
  // A read-only token of staff is told so; anyone else does not learn that the request exists.
  ASSIGN_OR_RETURN(bool staff, policy::Holds(*conn, policy::Rule(by, policy::Action::kViewRoster,
                                                                 policy::Subject::Area(row->Int(1)))));
  return staff ? allowed : NotFoundError(Msg("no join request {}", id));
}

Status JoinRequestService::Approve(const auth::Principal& by, int64_t id, std::optional<int64_t> owner_id) {
  if (!by.signed_in()) return UnauthenticatedError("sign in first");
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(Row request, LockRequest(tx, id));
    const int64_t user_id = request.Int(0);
    const int64_t neighborhood = request.Int(1);
    RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageRoster, policy::Subject::Area(neighborhood)));
    RETURN_IF_ERROR(CheckPending(request));
    if (owner_id) {
      RETURN_IF_ERROR(LinkOwner(tx, by, *owner_id, user_id, neighborhood));
      // The owner's own history shows the link, as for a link by hand.
      RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "owner.link", record::Ref("owner", *owner_id),
                                    {{"user_id", user_id}, {"join_request", id}}));
    }
    const std::optional<int64_t> granted_by = by.has_account() ? std::optional<int64_t>(by.user_id) : std::nullopt;
    RETURN_IF_ERROR(GrantResident(tx, user_id, neighborhood, granted_by, kOriginJoin, now));
    RETURN_IF_ERROR(
        tx.Execute("UPDATE join_requests SET state = 'approved', decided_at = ?, decided_by = ?, "
                   "owner_id = ? WHERE id = ?",
                   {ToUnix(now), storage::Nullable(granted_by), storage::Nullable(owner_id), id}));
    nlohmann::json summary = {{"user_id", user_id}, {"neighborhood_id", neighborhood}};
    summary["owner_id"] = owner_id ? nlohmann::json(*owner_id) : nlohmann::json(nullptr);
    return record::Audit(tx, now, auth::ActorOf(by), "join.approve", record::Ref("join_request", id), summary);
  });
}

Status JoinRequestService::Refuse(const auth::Principal& by, int64_t id, const std::string& reason) {
  if (!by.signed_in()) return UnauthenticatedError("sign in first");
  const std::string trimmed(Trim(reason));
  if (trimmed.empty()) return InvalidArgumentError("give a reason", "reason");
  RETURN_IF_ERROR(CheckText(trimmed, static_cast<size_t>(options_.max_message_chars), true, "reason"));
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(Row request, LockRequest(tx, id));
    RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageRoster, policy::Subject::Area(request.Int(1))));
    RETURN_IF_ERROR(CheckPending(request));
    RETURN_IF_ERROR(
        tx.Execute("UPDATE join_requests SET state = 'refused', decided_at = ?, decided_by = ?, reason = "
                   "? WHERE id = ?",
                   {ToUnix(now), by.AccountOrNull(), trimmed, id}));
    return record::Audit(tx, now, auth::ActorOf(by), "join.refuse", record::Ref("join_request", id),
                         {{"user_id", request.Int(0)}, {"neighborhood_id", request.Int(1)}, {"reason", trimmed}});
  });
}

}  // namespace ningju::areas
