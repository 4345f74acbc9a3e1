// Who may see and do what on cases, for the module's own files (not part of cases.h): the cases' questions put to
// the one policy (auth/policy.h), which defines each relation (staff over the area, member of a handling unit,
// assigned unit, reporter, follower) once as SQL: the checks for one case and the filters over "cases c" for lists
// are the same conditions. cases.h states the rules in words.
#ifndef NINGJU_GOVERNANCE_CASES_CASE_POLICY_H_
#define NINGJU_GOVERNANCE_CASES_CASE_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "auth/roles.h"
#include "common/status.h"
#include "governance/cases/cases.h"
#include "governance/cases/workflow.h"
#include "storage/database.h"

namespace ningju::cases::internal {

// Staff over `area_id`: a staff grant on it or one of its ancestors (or the system).
StatusOr<bool> IsStaffFor(storage::Connection& conn, const auth::Principal& p, int64_t area_id);

// A member of the handling unit (or the system).
StatusOr<bool> IsMember(storage::Connection& conn, const auth::Principal& p, int64_t unit_id);

// A member of some unit the case was ever assigned to (`current_only`: a unit whose assignment has not ended).
StatusOr<bool> IsAssignedMember(storage::Connection& conn, const auth::Principal& p, int64_t case_id,
                                bool current_only);

// A follower of the case (the reporter, and whoever said "me too").
StatusOr<bool> IsFollower(storage::Connection& conn, const auth::Principal& p, int64_t case_id);

// What a principal may do with one case.
struct Access {
  bool visible = false;   // see the case
  bool personal = false;  // see its contact name and phone and its reporter
  bool staff = false;     // staff over its area
  bool reporter = false;  // the resident who reported it
};

// From the policy (auth/policy.h): visible is kViewCase, personal kViewCasePersonal, staff the kHandleCases
// permission over the case's area, reporter the IsAccount relation. `c` with its personal fields.
StatusOr<Access> AccessTo(storage::Connection& conn, const auth::Principal& p, const Case& c);

// Whether `p` may take an action of kind `who` on `c` (the policy's kActOnCaseAsStaff, kActOnCaseAsUnit over the
// current lead unit, kActOnCaseAsStaffOrReporter).
StatusOr<bool> MayAct(storage::Connection& conn, const auth::Principal& p, const Case& c, ActorKind who);

// kPermissionDenied (kUnauthenticated when anonymous) unless `p` may take `action`, of kind `who`, on `c`.
Status CheckActor(storage::Connection& conn, const auth::Principal& p, const Case& c, CaseAction action, ActorKind who);

// The rates are for staff, deputies and members of handling units: kPermissionDenied (kUnauthenticated) for others.
Status CheckMetricsReader(storage::Connection& conn, const auth::Principal& viewer);

// kUnauthenticated ("sign in first") for an anonymous principal, else kPermissionDenied with `what`.
Status Denied(const auth::Principal& p, Msg what);

// The SQL condition "the viewer may see case c" and its parameters; "1 = 1" for the system.
void VisibleCondition(const auth::Principal& p, std::string* sql, storage::Params* params);

// The SQL expression "the viewer may see personal data of case c" (1/0) and its parameters.
void PersonalExpression(const auth::Principal& p, std::string* sql, storage::Params* params);

// "SELECT <case columns>, <may see personal data> FROM cases c WHERE <visible to viewer>[ AND c.is_public = 1]", with
// its parameters: the start of every list and search.
std::string SelectVisible(const auth::Principal& viewer, bool public_only, storage::Params* params);

}  // namespace ningju::cases::internal

#endif  // NINGJU_GOVERNANCE_CASES_CASE_POLICY_H_
