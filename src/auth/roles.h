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
  kHandleCases,       // accept, dispatch and close cases of an area, and see them whole
};
std::string_view PermissionName(Permission p);

struct Grant {
  int64_t id = 0;
  Role role = Role::kResident;
  int64_t area_id = 0;
};

// What kind of principal is asking; the kind, never a magic user id, says so.
enum class PrincipalKind {
  kAnonymous,  // nobody signed in
  kSystem,     // the command line and background jobs, which may do everything
  kUser,       // an account signed in with a session
  kToken,      // an account acting through an API token (with the token's scope)
};

// What an API token may do: kRead refuses every write (AuthenticateToken, and policy::Require for write actions).
enum class TokenScope { kReadWrite, kRead };

// Who is asking. Build one with the named constructors; `kind` is what every check reads.
struct Principal {
  PrincipalKind kind = PrincipalKind::kAnonymous;
  // The account (kUser and kToken), for the database; 0 otherwise. Never compared to tell kinds apart.
  int64_t user_id = 0;
  std::string display_name;
  std::string locale;
  std::vector<Grant> grants;
  // How the request was authenticated: "session", "token", the job or command for kSystem ("cli"), "" anonymous.
  std::string via;
  // For kToken: the token's id and scope.
  int64_t token_id = 0;
  TokenScope scope = TokenScope::kReadWrite;

  static Principal Anonymous();
  // The CLI and background jobs; `via` names them in the audit chain ("cli", "overdue").
  static Principal System(std::string via);
  // A signed-in account (via "session") holding `grants`.
  static Principal User(int64_t user_id, std::string display_name, std::vector<Grant> grants = {},
                        std::string locale = "");
  // An account acting through API token `token_id` (via "token").
  static Principal Token(int64_t user_id, int64_t token_id, TokenScope scope, std::string display_name,
                         std::vector<Grant> grants = {}, std::string locale = "");

  bool anonymous() const { return kind == PrincipalKind::kAnonymous; }
  bool is_system() const { return kind == PrincipalKind::kSystem; }
  // A person's account (kUser or kToken): user_id names them.
  bool has_account() const { return kind == PrincipalKind::kUser || kind == PrincipalKind::kToken; }
  // Not anonymous: an account or the system.
  bool signed_in() const { return !anonymous(); }
  bool read_only() const { return kind == PrincipalKind::kToken && scope == TokenScope::kRead; }
  // user_id for an account, NULL otherwise: the "by whom" column of a row this principal writes.
  storage::Param AccountOrNull() const;
  bool HasRole(Role role) const;
  // True when some grant carries `p` (on any area): decides whether a page shows a staff link at all.
  bool HasPermissionSomewhere(Permission p) const;
};

// The actor an audit record names for what `principal` does.
record::Actor ActorOf(const Principal& principal);

// Principal::System(via), the older spelling.
Principal SystemPrincipal(std::string via);

// The one table of which roles carry which permission (docs/API.md shows it). Scope comes from the grant's area.
bool Carries(Role role, Permission p);

// OK when `principal` holds a role carrying `permission` on `area_id` or one of its ancestors.
// kUnauthenticated for an anonymous principal; kPermissionDenied naming the permission otherwise.
// The relation is policy::HoldsPermission (auth/policy.h); services ask policy::Require with a named action.
Status Authorize(storage::Connection& conn, const Principal& principal, Permission permission, int64_t area_id);

// The grants of a user (active only).
StatusOr<std::vector<Grant>> LoadGrants(storage::Connection& conn, int64_t user_id);

}  // namespace ningju::auth

#endif  // NINGJU_AUTH_ROLES_H_
