// The workflow of a case as one table (docs/CASES.md shows the same table): which action moves a case from which
// state to which, and who may take it. Pure data and lookups: no storage, no clock.
#ifndef NINGJU_GOVERNANCE_CASES_WORKFLOW_H_
#define NINGJU_GOVERNANCE_CASES_WORKFLOW_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ningju::cases {

enum class CaseState {
  kSubmitted,   // 已提交: received, not yet looked at
  kAccepted,    // 已受理
  kRejected,    // 不予受理 (with a reason): final
  kAnswered,    // 直接答复: an enquiry answered without dispatch
  kDispatched,  // 已派单: sent to a lead unit (and co-units), waiting to be signed for
  kSigned,      // 已签收
  kInProgress,  // 办理中
  kReplied,     // 已答复: the unit's reply, waiting for the follow-up
  kFollowedUp,  // 已回访
  kClosed,      // 已办结
  kReturned,    // 已退单: the unit sent it back as not its duty, waiting for review
  kReopened,    // 已重启: reopened after an unresolved or dissatisfied follow-up, or by staff; counted
};

enum class CaseAction {
  kAccept,
  kReject,    // reason required
  kAnswer,    // enquiries only; the answer is the note
  kDispatch,  // lead unit + co-units
  kSign,
  kStart,
  kReply,             // the reply is the note
  kReturn,            // reason required
  kReviewReturn,      // staff refuse a return: back to the same unit
  kRedispatch,        // staff accept a return: to another lead unit
  kRequestExtension,  // side path: extension days + reason; state unchanged
  kApproveExtension,  // side path: the reply deadline moves; state unchanged
  kRefuseExtension,   // side path; state unchanged
  kFollowUp,          // resolved?, satisfaction, comment; unresolved or dissatisfied reopens at once
  kClose,
  kReopen,
};

// Who may take an action (the service checks it against the principal and the case).
enum class ActorKind {
  kStaff,            // neighborhood / subdistrict staff or district admin over the case's area
  kLeadUnit,         // a member of the case's current lead unit
  kStaffOrReporter,  // staff as above, or the resident who reported the case
};

// The side path of extensions, kept beside the state.
enum class ExtensionState { kNone, kRequested, kApproved, kRefused };

struct Transition {
  CaseState from;
  CaseAction action;
  CaseState to;
  ActorKind who;
};
// Beyond the table, two guards give kFailedPrecondition too: kAnswer only for enquiries, and the extension side path
// (kApproveExtension / kRefuseExtension need a pending request; kRequestExtension needs none pending).

// Every legal transition, in the order of docs/CASES.md.
std::span<const Transition> Transitions();

// The transition for `action` from `from`, or nullopt when the action is illegal in that state.
std::optional<Transition> FindTransition(CaseState from, CaseAction action);
// The actions legal from `state` (ignoring who acts and the extension side state), in table order, distinct.
std::vector<CaseAction> AllowedActions(CaseState state);
// kFailedPrecondition "action sign is not allowed in state replied; allowed: follow_up".
Status IllegalAction(CaseState state, CaseAction action);

// Open: not rejected, answered, or closed.
bool IsOpen(CaseState state);

std::string_view StateName(CaseState s);
std::optional<CaseState> ParseState(std::string_view name);
std::vector<CaseState> AllStates();
std::string_view ActionName(CaseAction a);  // "request_extension"
std::optional<CaseAction> ParseAction(std::string_view name);
std::vector<CaseAction> AllActions();
std::string_view ExtensionStateName(ExtensionState s);  // "", "requested", "approved", "refused"
std::optional<ExtensionState> ParseExtensionState(std::string_view name);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_WORKFLOW_H_
