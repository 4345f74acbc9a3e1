// The one authorization policy: who may take which action on what (STYLE.md item 19).
//
// Two layers, both defined here and nowhere else:
//   - Relations between a principal and an object ("holds a role carrying permission P over area X", "is the account
//     the object names", "follows the case", "is a member of a handling unit assigned to the case", "is a member of
//     unit U"). Each relation is written once, as a SQL condition over an Operand: a column of the caller's query
//     (a list filters with it) or one object's bound value (a check evaluates the same condition with Holds). So the
//     check for one object and the filter of a list cannot disagree.
//   - Named actions (Action), one table in policy.cc (docs/API.md shows it): each action is allowed by a permission
//     over the subject's area (roles.h's Carries table gives the roles) and/or some relations, and is a read or a
//     write. Every service action asks Require (one object) or Filter (a list).
//
// The system (Principal::System) may take every action; an anonymous principal only what a relation like "public"
// allows; a read-only API token no write action. Thread-safe: pure functions over their arguments.
#ifndef NINGJU_AUTH_POLICY_H_
#define NINGJU_AUTH_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::auth::policy {

// A boolean SQL expression and its bound parameters, in placeholder order. Constant conditions are "1 = 1" and
// "1 = 0" and need no query.
struct Condition {
  std::string sql;
  storage::Params params;

  static Condition True() { return {"1 = 1", {}}; }
  static Condition False() { return {"1 = 0", {}}; }
  bool is_true() const { return sql == "1 = 1"; }
  bool is_false() const { return sql == "1 = 0"; }
};

// What a relation is evaluated over: a column expression of the caller's query ("c.area_id"; program text, never
// input) or one object's value (bound as a parameter); an absent value is SQL NULL, which no relation matches.
class Operand {
 public:
  static Operand Column(std::string expression) { return Operand(std::move(expression), std::nullopt); }
  static Operand Value(int64_t value) { return Operand("CAST(? AS BIGINT)", value); }
  static Operand Value(std::optional<int64_t> value) { return value ? Value(*value) : Null(); }
  static Operand Null() { return Operand("NULL", std::nullopt); }

  // Appends the operand's SQL to `c`, and its parameter when it has one.
  void AppendTo(Condition& c) const;

 private:
  Operand(std::string sql, std::optional<int64_t> value) : sql_(std::move(sql)), value_(value) {}
  std::string sql_;
  std::optional<int64_t> value_;
};

// ---- Relations. Each is false for an anonymous principal unless said otherwise. ----

// A role carrying `permission` granted on `area` or one of its ancestors (area_paths). True for the system.
Condition HoldsPermission(const Principal& p, Permission permission, const Operand& area);
// The account named by `person` (a case's reporter, a meeting's convener): the principal's own object.
Condition IsAccount(const Principal& p, const Operand& person);
// Follows case `case_id` ("me too", case_followers).
Condition Follows(const Principal& p, const Operand& case_id);
// A member of a handling unit assigned to case `case_id`: one whose assignment has not ended (kCurrent), or any
// unit ever assigned (kEver).
enum class Assignment { kCurrent, kEver };
Condition InAssignedUnit(const Principal& p, const Operand& case_id, Assignment when);
// A member of handling unit `unit_id` (handling_unit_members). True for the system.
Condition InUnit(const Principal& p, const Operand& unit_id);
// An owner of unit (apartment) `unit_id` whose owner record is linked to the principal's account.
Condition OwnsUnit(const Principal& p, const Operand& unit_id);
// The object is public (`flag` is 1), for everyone including anonymous visitors.
Condition IsPublic(const Operand& flag);

// The disjunction of `conditions` (constants folded).
Condition AnyOf(std::vector<Condition> conditions);

// Evaluates `c` for one object (SELECT 1 WHERE c); constants without a query.
StatusOr<bool> Holds(storage::Connection& conn, const Condition& c);

// ---- Actions. The table in policy.cc says who may take each (docs/API.md, "Who may do what"). ----
enum class Action {
  kEditArea,          // rename, reclassify, edit buildings, entrances, signature projects (write)
  kViewRoster,        // the unit-by-unit roster, its export, the owner links of a building (read)
  kManageRoster,      // import rosters, issue invitation letters, link and unlink owners (write)
  kViewPersonalData,  // owners' and residents' names and phones unmasked (read)
  kGrantRoles,        // grant and revoke roles (write)
  kViewAudit,         // read the audit chain (read)
  kManageCalendar,    // enter the year's holidays and adjusted working days (write)
  kManageBallot,      // draft, open, close a ballot; enter paper ballots (write)
  kManageElevator,    // run an elevator project's steps (write)
  kAnswerSurvey,      // answer an elevator survey for a unit: its owner, or staff entering a paper answer (write)
  kManageMeeting,     // create, notice, edit, close a meeting: staff of its area or its convener (write)
  kViewCase,          // see a case: staff, reporter, follower, a unit ever assigned, or anyone when public (read)
  kViewCasePersonal,  // see a case's reporter and contact: staff, reporter, a unit currently assigned (read)
  kActOnCaseAsStaff,  // workflow actions of staff (accept, dispatch, close...) (write)
  kActOnCaseAsUnit,   // workflow actions of the lead unit (sign, reply, return...): a member of `handling_unit` (write)
  kActOnCaseAsStaffOrReporter,  // follow-up and reopen after a follow-up: staff or the reporter (write)
};
std::string_view ActionName(Action a);  // "edit_area"
std::vector<Action> AllActions();
// Whether `a` changes state (a read-only token is refused it).
bool IsWrite(Action a);

// What an action is taken on: each part an Operand (values for Require, columns for Filter). Parts an action's rule
// does not use may stay Null.
struct Subject {
  Operand area = Operand::Null();           // the area whose staff act on it
  Operand person = Operand::Null();         // the account the object names (reporter, convener)
  Operand case_id = Operand::Null();        // for the case relations
  Operand handling_unit = Operand::Null();  // a handling unit (the case's lead unit)
  Operand unit = Operand::Null();           // a unit (apartment), for its owners
  Operand is_public = Operand::Null();      // 1 when the object is public

  static Subject Area(int64_t area_id) {
    Subject s;
    s.area = Operand::Value(area_id);
    return s;
  }
};

// The action's rule for `p` over `s` as one SQL condition: what Filter returns and Require evaluates.
Condition Rule(const Principal& p, Action a, const Subject& s);
// Rule over a list's columns: "WHERE <Filter(...).sql>" keeps the rows `p` may take `a` on.
inline Condition Filter(const Principal& p, Action a, const Subject& columns) { return Rule(p, a, columns); }

// Whether `p` may take `a` on the object `s` describes (a read-only token: no write).
StatusOr<bool> Allows(storage::Connection& conn, const Principal& p, Action a, const Subject& s);
// OK when allowed; else kUnauthenticated for an anonymous principal, kPermissionDenied otherwise (a read-only token
// asked a write: "this token is read-only"). A service that hides an object's existence turns the refusal into
// kNotFound itself.
Status Require(storage::Connection& conn, const Principal& p, Action a, const Subject& s);

// Whether `p` holds the permission of `a` over some area, asked before an input names the area (a create whose area
// is in its body): the system always, anyone else by their grants (no query). Relations are not asked: a new object
// has no convener or owner yet. Answers as Require: 401 for an anonymous principal, 403 otherwise (also for a
// read-only token's write). The service still asks Require on the area itself.
Status RequireSomewhere(const Principal& p, Action a);

}  // namespace ningju::auth::policy

#endif  // NINGJU_AUTH_POLICY_H_
