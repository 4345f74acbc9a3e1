// Roles scoped to an area of the tree, the permissions they carry, and the one check every service action calls.
// A grant on an area covers that area and everything below it (a subdistrict staff member acts on all of the
// subdistrict's neighborhoods and buildings).
#ifndef NINGJU_AUTH_ROLES_H_
#define NINGJU_AUTH_ROLES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "record/record.h"
#include "storage/database.h"

namespace ningju::auth {

enum class Role {
  kResident,
  kBuildingLeader,
  kNeighborhoodStaff,
  kSubdistrictStaff,
  kDistrictAdmin,
  kDeputy,
  kLegislativeLiaison,
  kOrganizationMember,
};

// "neighborhood_staff" <-> Role::kNeighborhoodStaff.
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
std::vector<Role> AllRoles();

// What an action needs. The table of which roles carry which permission is in roles.cc and docs/API.md.
enum class Permission {
  kViewPersonalData,  // owners' names and phones, private objects of an area
  kEditArea,          // names, classes, signature projects, buildings and entrances
  kManageRoster,      // import and export rosters of units and owners
  kGrantRoles,        // grant and revoke roles
  kViewAudit,         // read the audit chain
  kManageCalendar,    // enter the year's holidays and adjusted working days (the State Council's notice)
};
std::string_view PermissionName(Permission p);

struct Grant {
  int64_t id = 0;
  Role role = Role::kResident;
  int64_t area_id = 0;
};

// Who is asking. An anonymous visitor has user_id 0.
struct Principal {
  int64_t user_id = 0;
  std::string display_name;
  std::string locale;
  std::vector<Grant> grants;
  // How the request was authenticated: "session", "token", "cli", or "" when anonymous.
  std::string via;
  // For via "token": the token's id, and whether its scope is "read" (AuthenticateToken refuses it every write).
  int64_t token_id = 0;
  bool read_only = false;

  bool signed_in() const { return user_id != 0; }
  // The command line and background jobs (SystemPrincipal).
  bool is_system() const;
  bool HasRole(Role role) const;
  // True when some grant carries `p` (on any area): decides whether a page shows a staff link at all.
  bool HasPermissionSomewhere(Permission p) const;
};

// The actor an audit record names for what `principal` does.
record::Actor ActorOf(const Principal& principal);

// The CLI and background jobs act as the system, which may do everything.
Principal SystemPrincipal(std::string via);

// OK when `principal` holds a role carrying `permission` on `area_id` or one of its ancestors.
// kUnauthenticated for an anonymous principal; kPermissionDenied naming the permission otherwise.
Status Authorize(storage::Connection& conn, const Principal& principal, Permission permission, int64_t area_id);

// The grants of a user (active only).
StatusOr<std::vector<Grant>> LoadGrants(storage::Connection& conn, int64_t user_id);

}  // namespace ningju::auth

#endif  // NINGJU_AUTH_ROLES_H_
