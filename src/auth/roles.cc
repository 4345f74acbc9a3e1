#include "auth/roles.h"

#include <algorithm>
#include <array>
#include <initializer_list>

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

// The one table of who may do what. Scope comes from the grant's area; this says only which roles qualify.
bool Carries(Role role, Permission p) {
  switch (p) {
    case Permission::kViewPersonalData:
      return role == Role::kBuildingLeader || role == Role::kNeighborhoodStaff || role == Role::kSubdistrictStaff ||
             role == Role::kDistrictAdmin;
    case Permission::kEditArea:
    case Permission::kManageRoster:
      return role == Role::kNeighborhoodStaff || role == Role::kSubdistrictStaff || role == Role::kDistrictAdmin;
    case Permission::kGrantRoles:
    case Permission::kViewAudit:
    case Permission::kManageCalendar:
      return role == Role::kDistrictAdmin;
  }
  return false;
}

constexpr int64_t kSystemUser = -1;

}  // namespace

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
  }
  return "unknown";
}

bool Principal::is_system() const { return user_id == kSystemUser; }

bool Principal::HasRole(Role role) const {
  return std::any_of(grants.begin(), grants.end(), [&](const Grant& g) { return g.role == role; });
}

bool Principal::HasPermissionSomewhere(Permission p) const {
  if (user_id == kSystemUser) return true;
  return std::any_of(grants.begin(), grants.end(), [&](const Grant& g) { return Carries(g.role, p); });
}

record::Actor ActorOf(const Principal& principal) {
  return principal.user_id > 0 ? record::Actor::User(principal.user_id) : record::Actor::System(principal.via);
}

Principal SystemPrincipal(std::string via) {
  Principal p;
  p.user_id = kSystemUser;
  p.display_name = "system";
  p.via = std::move(via);
  return p;
}

Status Authorize(storage::Connection& conn, const Principal& principal, Permission permission, int64_t area_id) {
  if (principal.user_id == kSystemUser) return OkStatus();
  if (!principal.signed_in()) return UnauthenticatedError("sign in first");
  std::vector<const Grant*> candidates;
  for (const Grant& g : principal.grants) {
    if (Carries(g.role, permission)) candidates.push_back(&g);
  }
  if (!candidates.empty()) {
    ASSIGN_OR_RETURN(storage::Result ancestors,
                     conn.Execute("SELECT ancestor_id FROM area_paths WHERE descendant_id = ?", {area_id}));
    for (const auto& row : ancestors.rows) {
      for (const Grant* g : candidates) {
        if (g->area_id == row.Int(0)) return OkStatus();
      }
    }
  }
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
