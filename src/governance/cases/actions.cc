#include "governance/cases/actions.h"

#include <array>
#include <set>
#include <utility>
#include <vector>

#include "common/text_util.h"
#include "governance/cases/checks.h"
#include "governance/cases/store.h"

namespace ningju::cases::internal {
namespace {

using storage::Row;

Status RequireNote(const ActionStep& step, Msg message) {
  if (Trim(step.in.note).empty()) return InvalidArgumentError(std::move(message), "note");
  return OkStatus();
}

// Ends the current assignments and assigns the case to `lead` (with the sign and reply deadlines) and `co`.
Status AssignUnits(ActionStep& step, int64_t lead, const std::vector<int64_t>& co) {
  Case& c = step.c;
  RETURN_IF_ERROR(EndAssignments(step.tx, c.id, step.now, "redispatched"));
  ASSIGN_OR_RETURN(Instant sign_due, Deadline(step.tx, step.calendar, "sign", c, step.now));
  ASSIGN_OR_RETURN(Instant reply_due, Deadline(step.tx, step.calendar, "reply", c, step.now));
  RETURN_IF_ERROR(
      step.tx.Execute("INSERT INTO case_assignments (case_id, unit_id, role, assigned_at, sign_due_at, "
                      "reply_due_at) VALUES (?, ?, 'lead', ?, ?, ?)",
                      {c.id, lead, ToUnix(step.now), ToUnix(sign_due), ToUnix(reply_due)}));
  for (int64_t u : co) {
    RETURN_IF_ERROR(
        step.tx.Execute("INSERT INTO case_assignments (case_id, unit_id, role, assigned_at) VALUES (?, ?, 'co', ?)",
                        {c.id, u, ToUnix(step.now)}));
  }
  c.lead_unit_id = lead;
  c.due_at = sign_due;
  c.reply_due_at = reply_due;
  c.overdue_since.reset();
  c.extension = ExtensionState::kNone;
  step.data = {{"lead_unit_id", lead},
               {"co_unit_ids", co},
               {"sign_due_at", FormatUtc(sign_due)},
               {"reply_due_at", FormatUtc(reply_due)},
               {"complex", c.complex}};
  return OkStatus();
}

Status Accept(ActionStep&) { return OkStatus(); }

Status Reject(ActionStep& step) {
  Case& c = step.c;
  RETURN_IF_ERROR(RequireNote(step, "a reason is required"));
  RETURN_IF_ERROR(EndAssignments(step.tx, c.id, step.now, "closed"));
  c.due_at.reset();
  c.overdue_since.reset();
  c.lead_unit_id.reset();
  c.closed_at = step.now;
  return OkStatus();
}

Status Answer(ActionStep& step) {
  Case& c = step.c;
  if (c.type != "enquiry") {
    return FailedPreconditionError(Msg("only enquiries are answered directly; this case is a {}", c.type));
  }
  RETURN_IF_ERROR(RequireNote(step, "the answer is required"));
  c.due_at.reset();
  c.overdue_since.reset();
  return OkStatus();
}

// Dispatch and redispatch: to the units named, else to the routing proposal.
Status Dispatch(ActionStep& step) {
  Case& c = step.c;
  const ActionInput& in = step.in;
  if (in.complex) c.complex = *in.complex;
  std::optional<int64_t> lead = in.lead_unit_id;
  std::vector<int64_t> co = in.co_unit_ids;
  if (!lead) {
    ASSIGN_OR_RETURN(RoutingProposal p, Propose(step.tx, c));
    lead = p.lead_unit_id;
    if (in.co_unit_ids.empty()) co = p.co_unit_ids;
  }
  if (!lead) return InvalidArgumentError("no routing rule matches: choose the lead unit", "lead_unit_id");
  RETURN_IF_ERROR(CheckUnit(step.tx, *lead, "lead_unit_id"));
  if (co.size() > 10) return InvalidArgumentError("at most 10 co-units", "co_unit_ids");
  std::set<int64_t> seen = {*lead};
  for (int64_t u : co) {
    RETURN_IF_ERROR(CheckUnit(step.tx, u, "co_unit_ids"));
    if (!seen.insert(u).second) {
      return InvalidArgumentError(Msg("unit {} is named twice", u), "co_unit_ids");
    }
  }
  return AssignUnits(step, *lead, co);
}

// Staff refuse a return: back to the units that returned it.
Status ReviewReturn(ActionStep& step) {
  const int64_t id = step.c.id;
  ASSIGN_OR_RETURN(storage::Result prev,
                   step.tx.Execute("SELECT unit_id, role FROM case_assignments WHERE case_id = ? AND end_reason = "
                                   "'returned' AND ended_at = (SELECT MAX(ended_at) FROM case_assignments WHERE "
                                   "case_id = ? AND end_reason = 'returned') ORDER BY id",
                                   {id, id}));
  std::optional<int64_t> lead;
  std::vector<int64_t> co;
  for (const auto& r : prev.rows) {
    if (r.Text(1) == "lead") {
      lead = r.Int(0);
    } else {
      co.push_back(r.Int(0));
    }
  }
  if (!lead) return InternalError(Msg("case {} is returned without a returned unit", id));
  RETURN_IF_ERROR(AssignUnits(step, *lead, co));
  step.data["return_refused"] = true;
  return OkStatus();
}

Status Sign(ActionStep& step) {
  Case& c = step.c;
  RETURN_IF_ERROR(
      step.tx.Execute("UPDATE case_assignments SET signed_at = ? WHERE case_id = ? AND role = 'lead' AND "
                      "ended_at IS NULL",
                      {ToUnix(step.now), c.id}));
  c.due_at = c.reply_due_at;
  c.overdue_since.reset();
  return OkStatus();
}

Status Start(ActionStep&) { return OkStatus(); }

Status Reply(ActionStep& step) {
  Case& c = step.c;
  RETURN_IF_ERROR(RequireNote(step, "the reply is required"));
  RETURN_IF_ERROR(
      step.tx.Execute("UPDATE case_assignments SET replied_at = ? WHERE case_id = ? AND role = 'lead' "
                      "AND ended_at IS NULL",
                      {ToUnix(step.now), c.id}));
  step.data["on_time"] = !c.reply_due_at || step.now <= *c.reply_due_at;
  c.due_at.reset();
  c.overdue_since.reset();
  return OkStatus();
}

// The unit sends the case back as not its duty: it waits for the intake's review under the dispatch deadline.
Status Return(ActionStep& step) {
  Case& c = step.c;
  RETURN_IF_ERROR(RequireNote(step, "a reason is required"));
  step.data["unit_id"] = OptJson(c.lead_unit_id);
  RETURN_IF_ERROR(EndAssignments(step.tx, c.id, step.now, "returned"));
  c.lead_unit_id.reset();
  c.reply_due_at.reset();
  c.overdue_since.reset();
  c.extension = ExtensionState::kNone;
  ASSIGN_OR_RETURN(Instant due, Deadline(step.tx, step.calendar, "dispatch", c, step.now));
  c.due_at = due;
  return OkStatus();
}

Status RequestExtension(ActionStep& step) {
  Case& c = step.c;
  const ActionInput& in = step.in;
  if (c.extension == ExtensionState::kRequested) {
    return FailedPreconditionError(Msg("an extension request is already pending on case {}", c.id));
  }
  if (in.extension_days < 1 || in.extension_days > kMaxExtensionDays) {
    return InvalidArgumentError(Msg("extension_days is between 1 and {}", kMaxExtensionDays), "extension_days");
  }
  RETURN_IF_ERROR(RequireNote(step, "a reason is required"));
  RETURN_IF_ERROR(
      step.tx.Execute("INSERT INTO case_extensions (case_id, unit_id, days, reason, requested_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      {c.id, *c.lead_unit_id, int64_t{in.extension_days}, in.note, ToUnix(step.now)}));
  c.extension = ExtensionState::kRequested;
  step.data["days"] = in.extension_days;
  return OkStatus();
}

// Decides the pending extension request; approved, the reply deadline moves by its working days.
Status DecideExtension(ActionStep& step, bool approve) {
  Case& c = step.c;
  if (c.extension != ExtensionState::kRequested) {
    return FailedPreconditionError(Msg("no extension request is pending on case {}", c.id));
  }
  ASSIGN_OR_RETURN(Row ext, step.tx.QueryOne("SELECT id, days FROM case_extensions WHERE case_id = ? AND decision = "
                                             "'' ORDER BY id DESC LIMIT 1",
                                             {c.id}));
  RETURN_IF_ERROR(
      step.tx.Execute("UPDATE case_extensions SET decision = ?, decided_at = ?, decided_by = ? WHERE id = ?",
                      {std::string(approve ? "approved" : "refused"), ToUnix(step.now),
                       storage::Nullable(step.actor.user_id), ext.Int(0)}));
  step.data["days"] = ext.Int(1);
  if (approve) {
    Instant base = c.reply_due_at.value_or(step.now);
    Instant due = step.calendar.AddWorkingDays(base, static_cast<int>(ext.Int(1)));
    c.reply_due_at = due;
    RETURN_IF_ERROR(
        step.tx.Execute("UPDATE case_assignments SET reply_due_at = ? WHERE case_id = ? AND role = "
                        "'lead' AND ended_at IS NULL",
                        {ToUnix(due), c.id}));
    c.due_at = due;
    if (due > step.now) c.overdue_since.reset();
    step.data["reply_due_at"] = FormatUtc(due);
  }
  c.extension = approve ? ExtensionState::kApproved : ExtensionState::kRefused;
  return OkStatus();
}

Status ApproveExtension(ActionStep& step) { return DecideExtension(step, true); }
Status RefuseExtension(ActionStep& step) { return DecideExtension(step, false); }

// Unresolved or dissatisfied: Act reopens the case at once after recording the follow-up.
Status FollowUp(ActionStep& step) {
  const ActionInput& in = step.in;
  if (!in.resolved) return InvalidArgumentError("say whether it was resolved", "resolved");
  if (!Contains(Satisfactions(), in.satisfaction)) {
    return InvalidArgumentError(Msg("satisfaction is one of {}", Join(Satisfactions())), "satisfaction");
  }
  const int64_t id = step.c.id;
  const storage::Param resolved = int64_t{*in.resolved ? 1 : 0};
  RETURN_IF_ERROR(step.tx.Execute(
      "INSERT INTO case_follow_ups (case_id, at, by_user, resolved, satisfaction, "
      "comment) VALUES (?, ?, ?, ?, ?, ?)",
      {id, ToUnix(step.now), storage::Nullable(step.actor.user_id), resolved, in.satisfaction, in.note}));
  RETURN_IF_ERROR(
      step.tx.Execute("UPDATE case_assignments SET followed_up_at = ?, resolved = ?, satisfaction = ? "
                      "WHERE id = (SELECT MAX(id) FROM case_assignments WHERE case_id = ? AND role = "
                      "'lead' AND replied_at IS NOT NULL)",
                      {ToUnix(step.now), resolved, in.satisfaction, id}));
  step.data = {{"resolved", *in.resolved}, {"satisfaction", in.satisfaction}};
  if (!*in.resolved || in.satisfaction == "dissatisfied") step.reopen_after = true;
  return OkStatus();
}

Status Close(ActionStep& step) {
  Case& c = step.c;
  RETURN_IF_ERROR(EndAssignments(step.tx, c.id, step.now, "closed"));
  c.closed_at = step.now;
  c.due_at.reset();
  c.overdue_since.reset();
  c.lead_unit_id.reset();
  return OkStatus();
}

Status ReopenAction(ActionStep& step) {
  RETURN_IF_ERROR(Reopen(step));
  step.data["reopen_count"] = step.c.reopen_count;
  return OkStatus();
}

constexpr std::array<std::pair<CaseAction, ActionHandler>, 16> kHandlers = {{
    {CaseAction::kAccept, Accept},
    {CaseAction::kReject, Reject},
    {CaseAction::kAnswer, Answer},
    {CaseAction::kDispatch, Dispatch},
    {CaseAction::kSign, Sign},
    {CaseAction::kStart, Start},
    {CaseAction::kReply, Reply},
    {CaseAction::kReturn, Return},
    {CaseAction::kReviewReturn, ReviewReturn},
    {CaseAction::kRedispatch, Dispatch},
    {CaseAction::kRequestExtension, RequestExtension},
    {CaseAction::kApproveExtension, ApproveExtension},
    {CaseAction::kRefuseExtension, RefuseExtension},
    {CaseAction::kFollowUp, FollowUp},
    {CaseAction::kClose, Close},
    {CaseAction::kReopen, ReopenAction},
}};

}  // namespace

ActionHandler HandlerFor(CaseAction action) {
  for (const auto& [a, handler] : kHandlers) {
    if (a == action) return handler;
  }
  return nullptr;
}

Status Reopen(ActionStep& step) {
  Case& c = step.c;
  c.reopen_count += 1;
  RETURN_IF_ERROR(
      step.tx.Execute("UPDATE case_assignments SET reopened = 1 WHERE id = (SELECT MAX(id) FROM "
                      "case_assignments WHERE case_id = ? AND role = 'lead' AND replied_at IS NOT NULL)",
                      {c.id}));
  RETURN_IF_ERROR(EndAssignments(step.tx, c.id, step.now, "reopened"));
  c.lead_unit_id.reset();
  c.closed_at.reset();
  c.reply_due_at.reset();
  c.overdue_since.reset();
  c.extension = ExtensionState::kNone;
  c.state = CaseState::kReopened;
  ASSIGN_OR_RETURN(Instant due, Deadline(step.tx, step.calendar, "dispatch", c, step.now));
  c.due_at = due;
  return OkStatus();
}

}  // namespace ningju::cases::internal
