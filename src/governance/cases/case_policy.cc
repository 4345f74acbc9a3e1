#include "governance/cases/case_policy.h"

#include <algorithm>
#include <vector>

#include "governance/cases/store.h"

namespace ningju::cases::internal {

using storage::Connection;
using storage::Params;

namespace {

bool IsStaffRole(auth::Role r) {
  return r == auth::Role::kNeighborhoodStaff || r == auth::Role::kSubdistrictStaff || r == auth::Role::kDistrictAdmin;
}

std::vector<int64_t> StaffAreas(const auth::Principal& p) {
  std::vector<int64_t> out;
  for (const auto& g : p.grants) {
    if (IsStaffRole(g.role)) out.push_back(g.area_id);
  }
  return out;
}

// Appends " OR <case c lies in an area where `p` is staff>" with its parameters (nothing when `p` is staff nowhere).
void AppendStaffScope(const auth::Principal& p, std::string* sql, Params* params) {
  std::vector<int64_t> scope = StaffAreas(p);
  if (scope.empty()) return;
  *sql += " OR EXISTS (SELECT 1 FROM area_paths ap WHERE ap.descendant_id = c.area_id AND ap.ancestor_id IN (";
  for (size_t i = 0; i < scope.size(); ++i) {
    *sql += i ? ", ?" : "?";
    params->push_back(scope[i]);
  }
  *sql += "))";
}

}  // namespace

bool IsSystem(const auth::Principal& p) { return p.user_id < 0; }

StatusOr<bool> IsStaffFor(Connection& conn, const auth::Principal& p, int64_t area_id) {
  if (IsSystem(p)) return true;
  if (!p.signed_in()) return false;
  std::vector<int64_t> scope = StaffAreas(p);
  if (scope.empty()) return false;
  ASSIGN_OR_RETURN(storage::Result anc,
                   conn.Execute("SELECT ancestor_id FROM area_paths WHERE descendant_id = ?", {area_id}));
  for (const auto& row : anc.rows) {
    if (std::find(scope.begin(), scope.end(), row.Int(0)) != scope.end()) return true;
  }
  return false;
}

StatusOr<bool> IsMember(Connection& conn, const auth::Principal& p, int64_t unit_id) {
  if (IsSystem(p)) return true;
  if (!p.signed_in()) return false;
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT 1 FROM handling_unit_members WHERE unit_id = ? AND user_id = ?",
                                                {unit_id, p.user_id}));
  return row.has_value();
}

StatusOr<bool> IsAssignedMember(Connection& conn, const auth::Principal& p, int64_t case_id, bool current_only) {
  if (!p.signed_in() || IsSystem(p)) return false;
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional(std::string("SELECT 1 FROM case_assignments a JOIN "
                                                            "handling_unit_members m ON m.unit_id = a.unit_id WHERE "
                                                            "a.case_id = ? AND m.user_id = ?") +
                                                    (current_only ? " AND a.ended_at IS NULL" : "") + " LIMIT 1",
                                                {case_id, p.user_id}));
  return row.has_value();
}

StatusOr<bool> IsFollower(Connection& conn, const auth::Principal& p, int64_t case_id) {
  if (!p.signed_in() || IsSystem(p)) return false;
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT 1 FROM case_followers WHERE case_id = ? AND user_id = ?",
                                                {case_id, p.user_id}));
  return row.has_value();
}

StatusOr<Access> AccessTo(Connection& conn, const auth::Principal& p, int64_t case_id, int64_t area_id,
                          std::optional<int64_t> reporter_id, bool is_public) {
  Access a;
  ASSIGN_OR_RETURN(a.staff, IsStaffFor(conn, p, area_id));
  a.reporter = p.signed_in() && reporter_id && *reporter_id == p.user_id;
  // A unit sees the personal data while its part lasts; once its assignment ended (returned, redispatched, reopened,
  // closed) it still sees the case, not the reporter.
  ASSIGN_OR_RETURN(bool current_member, IsAssignedMember(conn, p, case_id, true));
  a.personal = a.staff || a.reporter || current_member;
  bool past_member = false, follower = false;
  if (!a.personal && !is_public) {
    ASSIGN_OR_RETURN(past_member, IsAssignedMember(conn, p, case_id, false));
    if (!past_member) {
      ASSIGN_OR_RETURN(follower, IsFollower(conn, p, case_id));
    }
  }
  a.visible = a.personal || is_public || past_member || follower;
  return a;
}

bool MayAct(ActorKind who, const Access& access, bool lead_member) {
  switch (who) {
    case ActorKind::kStaff:
      return access.staff;
    case ActorKind::kLeadUnit:
      return lead_member;
    case ActorKind::kStaffOrReporter:
      return access.staff || access.reporter;
  }
  return false;
}

Status CheckActor(Connection& conn, const auth::Principal& p, const Case& c, const Access& access, CaseAction action,
                  ActorKind who) {
  bool lead_member = false;
  if (who == ActorKind::kLeadUnit && c.lead_unit_id) {
    ASSIGN_OR_RETURN(lead_member, IsMember(conn, p, *c.lead_unit_id));
  }
  if (MayAct(who, access, lead_member)) return OkStatus();
  switch (who) {
    case ActorKind::kStaff:
      return Denied(p, Msg("only staff over the case's area may {}", ActionName(action)));
    case ActorKind::kLeadUnit:
      return Denied(p, Msg("only members of the lead unit may {}", ActionName(action)));
    case ActorKind::kStaffOrReporter:
      break;
  }
  return Denied(p, Msg("only the reporter or staff may {}", ActionName(action)));
}

Status CheckMetricsReader(Connection& conn, const auth::Principal& viewer) {
  bool allowed = IsSystem(viewer) || !StaffAreas(viewer).empty() || viewer.HasRole(auth::Role::kDeputy);
  if (!allowed && viewer.signed_in()) {
    ASSIGN_OR_RETURN(
        auto m, conn.QueryOptional("SELECT 1 FROM handling_unit_members WHERE user_id = ? LIMIT 1", {viewer.user_id}));
    allowed = m.has_value();
  }
  if (!allowed) return Denied(viewer, "the rates are for staff, deputies and handling units");
  return OkStatus();
}

Status Denied(const auth::Principal& p, Msg what) {
  if (!p.signed_in()) return UnauthenticatedError("sign in first");
  return PermissionDeniedError(what);
}

void VisibleCondition(const auth::Principal& p, std::string* sql, Params* params) {
  if (IsSystem(p)) {
    *sql = "1 = 1";
    return;
  }
  if (!p.signed_in()) {
    *sql = "c.is_public = 1";
    return;
  }
  std::string s =
      "(c.is_public = 1 OR c.reporter_id = ? OR EXISTS (SELECT 1 FROM case_followers f WHERE f.case_id = c.id AND "
      "f.user_id = ?) OR EXISTS (SELECT 1 FROM case_assignments a JOIN handling_unit_members m ON m.unit_id = "
      "a.unit_id WHERE a.case_id = c.id AND m.user_id = ?)";
  params->push_back(p.user_id);
  params->push_back(p.user_id);
  params->push_back(p.user_id);
  AppendStaffScope(p, &s, params);
  s += ")";
  *sql = s;
}

void PersonalExpression(const auth::Principal& p, std::string* sql, Params* params) {
  if (IsSystem(p)) {
    *sql = "1";
    return;
  }
  if (!p.signed_in()) {
    *sql = "0";
    return;
  }
  std::string s =
      "CASE WHEN c.reporter_id = ? OR EXISTS (SELECT 1 FROM case_assignments a JOIN handling_unit_members m ON "
      "m.unit_id = a.unit_id WHERE a.case_id = c.id AND m.user_id = ? AND a.ended_at IS NULL)";
  params->push_back(p.user_id);
  params->push_back(p.user_id);
  AppendStaffScope(p, &s, params);
  s += " THEN 1 ELSE 0 END";
  *sql = s;
}

std::string SelectVisible(const auth::Principal& viewer, bool public_only, Params* params) {
  std::string personal = "0", visible;
  if (!public_only) PersonalExpression(viewer, &personal, params);
  std::string sql = std::string("SELECT ") + kCaseColumns + ", " + personal + " FROM cases c WHERE ";
  VisibleCondition(viewer, &visible, params);
  sql += visible;
  if (public_only) sql += " AND c.is_public = 1";
  return sql;
}

}  // namespace ningju::cases::internal
