// One handler per workflow action, for the module's own files (not part of cases.h). CaseService::Act locks and
// loads the case, checks the transition (workflow.h) and the actor (case_policy.h), then calls the action's handler,
// then moves the case to the transition's state, records the step and saves, all in one transaction.
//
// The workflow table in workflow.h stays pure data; the handlers are keyed by the same CaseAction here, and a test
// checks that every action of the table has one.
#ifndef NINGJU_GOVERNANCE_CASES_ACTIONS_H_
#define NINGJU_GOVERNANCE_CASES_ACTIONS_H_

#include <optional>

#include <nlohmann/json.hpp>

#include "common/calendar.h"
#include "common/status.h"
#include "common/time.h"
#include "governance/cases/cases.h"
#include "governance/cases/workflow.h"
#include "record/record.h"
#include "storage/database.h"

namespace ningju::cases::internal {

// One action on one case, inside the action's transaction.
struct ActionStep {
  storage::Connection& tx;
  const WorkingCalendar& calendar;
  const record::Actor& actor;
  Instant now;                                     // read once for the whole action
  const ActionInput& in;                           // what the actor sent
  Case& c;                                         // the locked case; the handler changes it in place, Act saves it
  nlohmann::json data = nlohmann::json::object();  // the step's event and audit data
  bool reopen_after = false;  // a follow-up that reopens the case at once (unresolved or dissatisfied)
};

// Does what `action` does beyond the state change: checks its input and the side state, writes its satellites
// (assignments, extensions, follow-ups) and sets the case's deadlines and fields. Act sets the new state after it.
using ActionHandler = Status (*)(ActionStep& step);

// The handler of `action`; nullptr for an action without one (a bug: the test walks every action).
ActionHandler HandlerFor(CaseAction action);

// Reopens the case (kReopen, and at once after an unresolved or dissatisfied follow-up): counts it, marks the last
// replied assignment reopened, ends the assignments and starts the dispatch deadline again.
Status Reopen(ActionStep& step);

}  // namespace ningju::cases::internal

#endif  // NINGJU_GOVERNANCE_CASES_ACTIONS_H_
