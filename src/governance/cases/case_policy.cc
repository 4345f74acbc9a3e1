#include "governance/cases/case_policy.h"

#include "auth/policy.h"
#include "governance/cases/store.h"

namespace ningju::cases::internal {

using storage::Connection;
using storage::Params;

namespace {

namespace policy = auth::policy;
using policy::Operand;

// A case as the policy's subject: its area (staff), reporter, id (followers, assigned units), lead unit, and
// whether it is public; values for one case, columns of "cases c" for lists.
policy::Subject OneCase(const Case& c) {
  policy::Subject s = policy::Subject::Area(c.area_id);
  s.person = Operand::Value(c.reporter_id);
  s.case_id = Operand::Value(c.id);
  s.handling_unit = Operand::Value(c.lead_unit_id);
  s.is_public = Operand::Value(int64_t{c.is_public ? 1 : 0});
  return s;
}

policy::Subject CaseColumns() {
  policy::Subject s;
  s.area = Operand::Column("c.area_id");
  s.person = Operand::Column("c.reporter_id");
  s.case_id = Operand::Column("c.id");
  s.handling_unit = Operand::Column("c.lead_unit_id");
  s.is_public = Operand::Column("c.is_public");
  return s;
}

policy::Action ActionOf(ActorKind who) {
  switch (who) {
    case ActorKind::kStaff:
      return policy::Action::kActOnCaseAsStaff;
    case ActorKind::kLeadUnit:
      return policy::Action::kActOnCaseAsUnit;
    case ActorKind::kStaffOrReporter:
      break;
  }
  return policy::Action::kActOnCaseAsStaffOrReporter;
}

}  // namespace

StatusOr<bool> IsStaffFor(Connection& conn, const auth::Principal& p, int64_t area_id) {
  return policy::Holds(conn, policy::HoldsPermission(p, auth::Permission::kHandleCases, Operand::Value(area_id)));
}

StatusOr<bool> IsMember(Connection& conn, const auth::Principal& p, int64_t unit_id) {
  return policy::Holds(conn, policy::InUnit(p, Operand::Value(unit_id)));
}

StatusOr<bool> IsAssignedMember(Connection& conn, const auth::Principal& p, int64_t case_id, bool current_only) {
  return policy::Holds(conn,
                       policy::InAssignedUnit(p, Operand::Value(case_id),
                                              current_only ? policy::Assignment::kCurrent : policy::Assignment::kEver));
}

StatusOr<bool> IsFollower(Connection& conn, const auth::Principal& p, int64_t case_id) {
  return policy::Holds(conn, policy::Follows(p, Operand::Value(case_id)));
}

StatusOr<Access> AccessTo(Connection& conn, const auth::Principal& p, const Case& c) {
  const policy::Subject s = OneCase(c);
  Access a;
  ASSIGN_OR_RETURN(a.staff, IsStaffFor(conn, p, c.area_id));
  ASSIGN_OR_RETURN(a.reporter, policy::Holds(conn, policy::IsAccount(p, s.person)));
  ASSIGN_OR_RETURN(a.personal, policy::Holds(conn, policy::Rule(p, policy::Action::kViewCasePersonal, s)));
  ASSIGN_OR_RETURN(a.visible, policy::Holds(conn, policy::Rule(p, policy::Action::kViewCase, s)));
  return a;
}

StatusOr<bool> MayAct(Connection& conn, const auth::Principal& p, const Case& c, ActorKind who) {
  return policy::Allows(conn, p, ActionOf(who), OneCase(c));
}

Status CheckActor(Connection& conn, const auth::Principal& p, const Case& c, CaseAction action, ActorKind who) {
  ASSIGN_OR_RETURN(bool allowed, MayAct(conn, p, c, who));
  if (allowed) return OkStatus();
  if (p.read_only()) return policy::Require(conn, p, ActionOf(who), OneCase(c));
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
  bool allowed = viewer.HasPermissionSomewhere(auth::Permission::kHandleCases) || viewer.HasRole(auth::Role::kDeputy);
  if (!allowed && viewer.has_account()) {
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
  policy::Condition c = policy::Filter(p, policy::Action::kViewCase, CaseColumns());
  *sql = std::move(c.sql);
  params->insert(params->end(), c.params.begin(), c.params.end());
}

void PersonalExpression(const auth::Principal& p, std::string* sql, Params* params) {
  policy::Condition c = policy::Filter(p, policy::Action::kViewCasePersonal, CaseColumns());
  *sql = "CASE WHEN " + c.sql + " THEN 1 ELSE 0 END";
  params->insert(params->end(), c.params.begin(), c.params.end());
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
