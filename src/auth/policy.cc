#include "auth/policy.h"

#include <array>

namespace ningju::auth::policy {
namespace {

// The relations an action's rule may name besides the permission, as bits.
enum Relation : unsigned {
  kNone = 0,
  kPublic = 1u << 0,        // IsPublic(s.is_public)
  kPerson = 1u << 1,        // IsAccount(s.person)
  kFollower = 1u << 2,      // Follows(s.case_id)
  kUnitNow = 1u << 3,       // InAssignedUnit(s.case_id, kCurrent)
  kUnitEver = 1u << 4,      // InAssignedUnit(s.case_id, kEver)
  kMemberOfUnit = 1u << 5,  // InUnit(s.handling_unit)
  kOwner = 1u << 6,         // OwnsUnit(s.unit)
};

struct ActionRule {
  Action action;
  std::string_view name;
  std::optional<Permission> permission;  // over s.area
  unsigned relations;
  bool write;
};

// The one table of actions (docs/API.md shows it). An action is allowed when the principal holds the permission
// over the subject's area or is in one of the relations.
constexpr std::array<ActionRule, 16> kRules = {{
    {Action::kEditArea, "edit_area", Permission::kEditArea, kNone, true},
    {Action::kViewRoster, "view_roster", Permission::kManageRoster, kNone, false},
    {Action::kManageRoster, "manage_roster", Permission::kManageRoster, kNone, true},
    {Action::kViewPersonalData, "view_personal_data", Permission::kViewPersonalData, kNone, false},
    {Action::kGrantRoles, "grant_roles", Permission::kGrantRoles, kNone, true},
    {Action::kViewAudit, "view_audit", Permission::kViewAudit, kNone, false},
    {Action::kManageCalendar, "manage_calendar", Permission::kManageCalendar, kNone, true},
    {Action::kManageBallot, "manage_ballot", Permission::kManageRoster, kNone, true},
    {Action::kManageElevator, "manage_elevator", Permission::kManageRoster, kNone, true},
    {Action::kAnswerSurvey, "answer_survey", Permission::kManageRoster, kOwner, true},
    {Action::kManageMeeting, "manage_meeting", Permission::kEditArea, kPerson, true},
    {Action::kViewCase, "view_case", Permission::kHandleCases, kPublic | kPerson | kFollower | kUnitEver, false},
    {Action::kViewCasePersonal, "view_case_personal", Permission::kHandleCases, kPerson | kUnitNow, false},
    {Action::kActOnCaseAsStaff, "act_on_case_as_staff", Permission::kHandleCases, kNone, true},
    {Action::kActOnCaseAsUnit, "act_on_case_as_unit", std::nullopt, kMemberOfUnit, true},
    {Action::kActOnCaseAsStaffOrReporter, "act_on_case_as_staff_or_reporter", Permission::kHandleCases, kPerson, true},
}};

const ActionRule& RuleOf(Action a) {
  for (const ActionRule& r : kRules) {
    if (r.action == a) return r;
  }
  return kRules[0];  // unreachable: every Action has a row (policy_test checks it)
}

void Append(Condition& c, std::string_view sql) { c.sql += sql; }

// "<expression> = ?" with the account's id: the one place a principal's account meets a column.
Condition AccountIs(const Principal& p, const Operand& column) {
  if (!p.has_account()) return Condition::False();
  Condition c;
  column.AppendTo(c);
  Append(c, " = ?");
  c.params.push_back(p.user_id);
  return c;
}

}  // namespace

void Operand::AppendTo(Condition& c) const {
  c.sql += sql_;
  if (value_) c.params.push_back(*value_);
}

Condition HoldsPermission(const Principal& p, Permission permission, const Operand& area) {
  if (p.is_system()) return Condition::True();
  if (!p.has_account()) return Condition::False();
  std::vector<int64_t> scope;
  for (const Grant& g : p.grants) {
    if (Carries(g.role, permission)) scope.push_back(g.area_id);
  }
  if (scope.empty()) return Condition::False();
  Condition c;
  Append(c, "EXISTS (SELECT 1 FROM area_paths pol_ap WHERE pol_ap.descendant_id = ");
  area.AppendTo(c);
  Append(c, " AND pol_ap.ancestor_id IN (");
  for (size_t i = 0; i < scope.size(); ++i) {
    Append(c, i ? ", ?" : "?");
    c.params.push_back(scope[i]);
  }
  Append(c, "))");
  return c;
}

Condition IsAccount(const Principal& p, const Operand& person) { return AccountIs(p, person); }

Condition Follows(const Principal& p, const Operand& case_id) {
  if (!p.has_account()) return Condition::False();
  Condition c;
  Append(c, "EXISTS (SELECT 1 FROM case_followers pol_f WHERE pol_f.case_id = ");
  case_id.AppendTo(c);
  Append(c, " AND ");
  Condition who = AccountIs(p, Operand::Column("pol_f.user_id"));
  c.sql += who.sql + ")";
  c.params.insert(c.params.end(), who.params.begin(), who.params.end());
  return c;
}

Condition InAssignedUnit(const Principal& p, const Operand& case_id, Assignment when) {
  if (!p.has_account()) return Condition::False();
  Condition c;
  Append(c,
         "EXISTS (SELECT 1 FROM case_assignments pol_a JOIN handling_unit_members pol_m ON pol_m.unit_id = "
         "pol_a.unit_id WHERE pol_a.case_id = ");
  case_id.AppendTo(c);
  if (when == Assignment::kCurrent) Append(c, " AND pol_a.ended_at IS NULL");
  Append(c, " AND pol_m.user_id = ?)");
  c.params.push_back(p.user_id);
  return c;
}

Condition InUnit(const Principal& p, const Operand& unit_id) {
  if (p.is_system()) return Condition::True();
  if (!p.has_account()) return Condition::False();
  Condition c;
  Append(c, "EXISTS (SELECT 1 FROM handling_unit_members pol_um WHERE pol_um.unit_id = ");
  unit_id.AppendTo(c);
  Append(c, " AND pol_um.user_id = ?)");
  c.params.push_back(p.user_id);
  return c;
}

Condition OwnsUnit(const Principal& p, const Operand& unit_id) {
  if (!p.has_account()) return Condition::False();
  Condition c;
  Append(c,
         "EXISTS (SELECT 1 FROM unit_owners pol_uo JOIN owners pol_o ON pol_o.id = pol_uo.owner_id WHERE "
         "pol_uo.unit_id = ");
  unit_id.AppendTo(c);
  Append(c, " AND pol_o.user_id = ?)");
  c.params.push_back(p.user_id);
  return c;
}

Condition IsPublic(const Operand& flag) {
  Condition c;
  flag.AppendTo(c);
  Append(c, " = 1");
  return c;
}

Condition AnyOf(std::vector<Condition> conditions) {
  Condition out;
  for (Condition& c : conditions) {
    if (c.is_true()) return Condition::True();
    if (c.is_false()) continue;
    out.sql += out.sql.empty() ? "(" : " OR ";
    out.sql += c.sql;
    out.params.insert(out.params.end(), c.params.begin(), c.params.end());
  }
  if (out.sql.empty()) return Condition::False();
  out.sql += ")";
  return out;
}

StatusOr<bool> Holds(storage::Connection& conn, const Condition& c) {
  if (c.is_true()) return true;
  if (c.is_false()) return false;
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT 1 WHERE " + c.sql, c.params));
  return row.has_value();
}

std::string_view ActionName(Action a) { return RuleOf(a).name; }

std::vector<Action> AllActions() {
  std::vector<Action> out;
  for (const ActionRule& r : kRules) out.push_back(r.action);
  return out;
}

bool IsWrite(Action a) { return RuleOf(a).write; }

Condition Rule(const Principal& p, Action a, const Subject& s) {
  if (p.is_system()) return Condition::True();
  const ActionRule& rule = RuleOf(a);
  std::vector<Condition> any;
  if (rule.permission) any.push_back(HoldsPermission(p, *rule.permission, s.area));
  if (rule.relations & kPublic) any.push_back(IsPublic(s.is_public));
  if (rule.relations & kPerson) any.push_back(IsAccount(p, s.person));
  if (rule.relations & kFollower) any.push_back(Follows(p, s.case_id));
  if (rule.relations & kUnitNow) any.push_back(InAssignedUnit(p, s.case_id, Assignment::kCurrent));
  if (rule.relations & kUnitEver) any.push_back(InAssignedUnit(p, s.case_id, Assignment::kEver));
  if (rule.relations & kMemberOfUnit) any.push_back(InUnit(p, s.handling_unit));
  if (rule.relations & kOwner) any.push_back(OwnsUnit(p, s.unit));
  return AnyOf(std::move(any));
}

StatusOr<bool> Allows(storage::Connection& conn, const Principal& p, Action a, const Subject& s) {
  if (p.read_only() && IsWrite(a)) return false;
  return Holds(conn, Rule(p, a, s));
}

namespace {

Status Refusal(const Principal& p, Action a, bool anywhere) {
  if (p.anonymous()) return UnauthenticatedError("sign in first");
  if (p.read_only() && IsWrite(a)) return PermissionDeniedError("this token is read-only: it may only read (GET)");
  if (anywhere) return PermissionDeniedError(Msg("you may not {} anywhere", ActionName(a)));
  return PermissionDeniedError(Msg("you may not {} here", ActionName(a)));
}

}  // namespace

Status Require(storage::Connection& conn, const Principal& p, Action a, const Subject& s) {
  ASSIGN_OR_RETURN(bool allowed, Allows(conn, p, a, s));
  if (allowed) return OkStatus();
  return Refusal(p, a, false);
}

Status RequireSomewhere(const Principal& p, Action a) {
  if (p.is_system()) return OkStatus();
  const ActionRule& rule = RuleOf(a);
  const bool writes_refused = p.read_only() && rule.write;
  if (!writes_refused && rule.permission && p.HasPermissionSomewhere(*rule.permission)) return OkStatus();
  return Refusal(p, a, true);
}

}  // namespace ningju::auth::policy
