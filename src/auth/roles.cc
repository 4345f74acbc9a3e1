#include "auth/roles.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "auth/policy.h"

namespace ningju::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 8> kRoleNames = {{
    {Role::kResident, "resident"},
    {Role::kBuildingLeader, "building_leader"},
    {Role::kNeighborhoodStaff, "neighborhood_staff"},
    {Role::kSubdistrictStaff, "subdistrict_staff"},
    {Role::kDistrictAdmin, "district_admin"},
    {Role::kDeputy, "deputy"},
    {Role::kLegislativeLiaison, "legislative_liaison"},
    {Role::kOrganizationMember, "organization_member"},
}};

}  // namespace

// The one table of who may do what. Scope comes from the grant's area; this says only which roles qualify.
bool Carries(Role role, Permission p) {
  switch (p) {
    case Permission::kViewPersonalData:
      return role == Role::kBuildingLeader || role == Role::kNeighborhoodStaff || role == Role::kSubdistrictStaff ||
             role == Role::kDistrictAdmin;
    case Permission::kEditArea:
    case Permission::kManageRoster:
    case Permission::kHandleCases:
      return role == Role::kNeighborhoodStaff || role == Role::kSubdistrictStaff || role == Role::kDistrictAdmin;
    case Permission::kGrantRoles:
    case Permission::kViewAudit:
    case Permission::kManageCalendar:
      return role == Role::kDistrictAdmin;
  }
  return false;
}

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

std::vector<Role> AllRoles() {
  std::vector<Role> out;
  for (const auto& [r, n] : kRoleNames) out.push_back(r);
  return out;
}

std::string_view PermissionName(Permission p) {
  switch (p) {
    case Permission::kViewPersonalData:
      return "view_personal_data";
    case Permission::kEditArea:
      return "edit_area";
    case Permission::kManageRoster:
      return "manage_roster";
    case Permission::kGrantRoles:
      return "grant_roles";
    case Permission::kViewAudit:
      return "view_audit";
    case Permission::kManageCalendar:
      return "manage_calendar";
    case Permission::kHandleCases:
      return "handle_cases";
  }
  return "unknown";
}

Principal Principal::Anonymous() { return Principal{}; }

Principal Principal::System(std::string via) {
  Principal p;
  p.kind = PrincipalKind::kSystem;
  p.display_name = "system";
  p.via = std::move(via);
  return p;
}

Principal Principal::User(int64_t user_id, std::string display_name, std::vector<Grant> grants, std::string locale) {
  Principal p;
  p.kind = PrincipalKind::kUser;
  p.user_id = user_id;
  p.display_name = std::move(display_name);
  p.locale = std::move(locale);
  p.grants = std::move(grants);
  p.via = "session";
  return p;
}

Principal Principal::Token(int64_t user_id, int64_t token_id, TokenScope scope, std::string display_name,
                           std::vector<Grant> grants, std::string locale) {
  Principal p = User(user_id, std::move(display_name), std::move(grants), std::move(locale));
  p.kind = PrincipalKind::kToken;
  p.via = "token";
  p.token_id = token_id;
  p.scope = scope;
  return p;
}

storage::Param Principal::AccountOrNull() const {
  return has_account() ? storage::Param(user_id) : storage::Param(nullptr);
}

bool Principal::HasRole(Role role) const {
  return std::any_of(grants.begin(), grants.end(), [&](const Grant& g) { return g.role == role; });
}

bool Principal::HasPermissionSomewhere(Permission p) const {
  if (is_system()) return true;
  return std::any_of(grants.begin(), grants.end(), [&](const Grant& g) { return Carries(g.role, p); });
}

record::Actor ActorOf(const Principal& principal) {
  return principal.has_account() ? record::Actor::User(principal.user_id) : record::Actor::System(principal.via);
}

Principal SystemPrincipal(std::string via) { return Principal::System(std::move(via)); }

Status Authorize(storage::Connection& conn, const Principal& principal, Permission permission, int64_t area_id) {
  ASSIGN_OR_RETURN(
      bool held, policy::Holds(conn, policy::HoldsPermission(principal, permission, policy::Operand::Value(area_id))));
  if (held) return OkStatus();
  if (principal.anonymous()) return UnauthenticatedError("sign in first");
  return PermissionDeniedError(Msg("permission {} is needed on area {}", PermissionName(permission), area_id));
}

StatusOr<std::vector<Grant>> LoadGrants(storage::Connection& conn, int64_t user_id) {
  ASSIGN_OR_RETURN(storage::Result result,
                   conn.Execute("SELECT id, role, area_id FROM role_grants WHERE user_id = ? AND revoked_at = 0 "
                                "ORDER BY id",
                                {user_id}));
  std::vector<Grant> out;
  for (const auto& row : result.rows) {
    auto role = ParseRole(row.Text(1));
    if (!role) return InternalError(Msg("unknown role in role_grants: {}", row.Text(1)));
    out.push_back({row.Int(0), *role, row.Int(2)});
  }
  return out;
}

}  // namespace ningju::auth
