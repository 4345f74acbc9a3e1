#include "governance/cases/workflow.h"

#include <algorithm>
#include <array>

namespace ningju::cases {
namespace {

using S = CaseState;
using A = CaseAction;
using W = ActorKind;

// THE table. docs/CASES.md repeats it; a test walks every row and every refusal.
constexpr Transition kTable[] = {
    {S::kSubmitted, A::kAccept, S::kAccepted, W::kStaff},
    {S::kSubmitted, A::kReject, S::kRejected, W::kStaff},
    {S::kSubmitted, A::kAnswer, S::kAnswered, W::kStaff},
    {S::kSubmitted, A::kDispatch, S::kDispatched, W::kStaff},
    {S::kAccepted, A::kReject, S::kRejected, W::kStaff},
    {S::kAccepted, A::kAnswer, S::kAnswered, W::kStaff},
    {S::kAccepted, A::kDispatch, S::kDispatched, W::kStaff},
    {S::kDispatched, A::kSign, S::kSigned, W::kLeadUnit},
    {S::kDispatched, A::kReturn, S::kReturned, W::kLeadUnit},
    {S::kSigned, A::kStart, S::kInProgress, W::kLeadUnit},
    {S::kSigned, A::kReply, S::kReplied, W::kLeadUnit},
    {S::kSigned, A::kReturn, S::kReturned, W::kLeadUnit},
    {S::kSigned, A::kRequestExtension, S::kSigned, W::kLeadUnit},
    {S::kSigned, A::kApproveExtension, S::kSigned, W::kStaff},
    {S::kSigned, A::kRefuseExtension, S::kSigned, W::kStaff},
    {S::kInProgress, A::kReply, S::kReplied, W::kLeadUnit},
    {S::kInProgress, A::kRequestExtension, S::kInProgress, W::kLeadUnit},
    {S::kInProgress, A::kApproveExtension, S::kInProgress, W::kStaff},
    {S::kInProgress, A::kRefuseExtension, S::kInProgress, W::kStaff},
    {S::kReturned, A::kReviewReturn, S::kDispatched, W::kStaff},
    {S::kReturned, A::kRedispatch, S::kDispatched, W::kStaff},
    {S::kReturned, A::kReject, S::kRejected, W::kStaff},
    {S::kReplied, A::kFollowUp, S::kFollowedUp, W::kStaffOrReporter},
    {S::kAnswered, A::kFollowUp, S::kFollowedUp, W::kStaffOrReporter},
    {S::kAnswered, A::kClose, S::kClosed, W::kStaff},
    {S::kFollowedUp, A::kClose, S::kClosed, W::kStaff},
    {S::kFollowedUp, A::kReopen, S::kReopened, W::kStaffOrReporter},
    {S::kClosed, A::kReopen, S::kReopened, W::kStaff},
    {S::kReopened, A::kDispatch, S::kDispatched, W::kStaff},
    {S::kReopened, A::kClose, S::kClosed, W::kStaff},
};

constexpr std::array<std::pair<S, std::string_view>, 12> kStateNames = {{
    {S::kSubmitted, "submitted"},
    {S::kAccepted, "accepted"},
    {S::kRejected, "rejected"},
    {S::kAnswered, "answered"},
    {S::kDispatched, "dispatched"},
    {S::kSigned, "signed"},
    {S::kInProgress, "in_progress"},
    {S::kReplied, "replied"},
    {S::kFollowedUp, "followed_up"},
    {S::kClosed, "closed"},
    {S::kReturned, "returned"},
    {S::kReopened, "reopened"},
}};

constexpr std::array<std::pair<A, std::string_view>, 16> kActionNames = {{
    {A::kAccept, "accept"},
    {A::kReject, "reject"},
    {A::kAnswer, "answer"},
    {A::kDispatch, "dispatch"},
    {A::kSign, "sign"},
    {A::kStart, "start"},
    {A::kReply, "reply"},
    {A::kReturn, "return"},
    {A::kReviewReturn, "review_return"},
    {A::kRedispatch, "redispatch"},
    {A::kRequestExtension, "request_extension"},
    {A::kApproveExtension, "approve_extension"},
    {A::kRefuseExtension, "refuse_extension"},
    {A::kFollowUp, "follow_up"},
    {A::kClose, "close"},
    {A::kReopen, "reopen"},
}};

constexpr std::array<std::pair<ExtensionState, std::string_view>, 4> kExtensionNames = {{
    {ExtensionState::kNone, ""},
    {ExtensionState::kRequested, "requested"},
    {ExtensionState::kApproved, "approved"},
    {ExtensionState::kRefused, "refused"},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [v, n] : names) {
    if (v == value) return n;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

std::span<const Transition> Transitions() { return kTable; }

std::optional<Transition> FindTransition(CaseState from, CaseAction action) {
  for (const Transition& t : kTable) {
    if (t.from == from && t.action == action) return t;
  }
  return std::nullopt;
}

std::vector<CaseAction> AllowedActions(CaseState state) {
  std::vector<CaseAction> out;
  for (const Transition& t : kTable) {
    if (t.from == state && std::find(out.begin(), out.end(), t.action) == out.end()) out.push_back(t.action);
  }
  return out;
}

Status IllegalAction(CaseState state, CaseAction action) {
  std::string allowed;
  for (CaseAction a : AllowedActions(state)) allowed += (allowed.empty() ? "" : ", ") + std::string(ActionName(a));
  return FailedPreconditionError(Msg("action {} is not allowed in state {}; allowed: {}", ActionName(action),
                                     StateName(state), (allowed.empty() ? "none" : allowed)));
}

bool IsOpen(CaseState s) { return s != S::kRejected && s != S::kAnswered && s != S::kClosed; }

std::string_view StateName(CaseState s) { return NameOf(kStateNames, s); }
std::optional<CaseState> ParseState(std::string_view name) { return Lookup(kStateNames, name); }
std::vector<CaseState> AllStates() {
  std::vector<CaseState> out;
  for (const auto& [s, n] : kStateNames) out.push_back(s);
  return out;
}
std::string_view ActionName(CaseAction a) { return NameOf(kActionNames, a); }
std::optional<CaseAction> ParseAction(std::string_view name) { return Lookup(kActionNames, name); }
std::vector<CaseAction> AllActions() {
  std::vector<CaseAction> out;
  for (const auto& [a, n] : kActionNames) out.push_back(a);
  return out;
}
std::string_view ExtensionStateName(ExtensionState s) { return NameOf(kExtensionNames, s); }
std::optional<ExtensionState> ParseExtensionState(std::string_view name) { return Lookup(kExtensionNames, name); }

}  // namespace ningju::cases
