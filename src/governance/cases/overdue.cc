// The overdue job (CaseService::RunOverdue): marks the cases past their deadline with reminders to their units, then
// calls a joint consultation for the cases overdue or reopened too often. Each case in its own transaction, each
// change conditional on what it changes, so that two runners (or a runner and an action) do not both apply.
#include <cstdint>
#include <vector>

#include "governance/cases/cases.h"
#include "governance/cases/store.h"
#include "record/record.h"

namespace ningju::cases {
namespace {

using internal::CaseRef;
using internal::LoadCase;
using internal::OptTime;
using storage::Connection;
using storage::Row;

constexpr int kBatch = 500;

// Marks one case overdue with its reminders; nothing when another runner got there first or it is due no more.
Status MarkOverdue(Connection& tx, int64_t id, Instant now, const record::Actor& actor, OverdueReport& report) {
  ASSIGN_OR_RETURN(storage::Result r,
                   tx.Execute("UPDATE cases SET overdue_since = ?, overdue_count = overdue_count + 1 WHERE id = "
                              "? AND due_at < ? AND overdue_since IS NULL",
                              {ToUnix(now), id, ToUnix(now)}));
  if (r.rows_affected != 1) return OkStatus();  // another runner got there first
  ASSIGN_OR_RETURN(Case c, LoadCase(tx, id));
  const std::string ref = CaseRef(id);
  RETURN_IF_ERROR(record::AddEvent(
      tx, ref, now, actor, "overdue", "",
      {{"state", StateName(c.state)}, {"due_at", OptTime(c.due_at)}, {"overdue_count", c.overdue_count}}));
  ASSIGN_OR_RETURN(storage::Result units, tx.Execute("SELECT unit_id FROM case_assignments WHERE case_id = ? "
                                                     "AND ended_at IS NULL ORDER BY id",
                                                     {id}));
  for (const auto& u : units.rows) {
    RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "reminder", "", {{"unit_id", u.Int(0)}}));
    RETURN_IF_ERROR(record::AddEvent(tx, record::Ref("handling_unit", u.Int(0)), now, actor, "reminder", "",
                                     {{"case_id", id}, {"due_at", OptTime(c.due_at)}}));
    ++report.reminders;
  }
  RETURN_IF_ERROR(record::Audit(tx, now, actor, "case.overdue", ref,
                                {{"state", StateName(c.state)}, {"overdue_count", c.overdue_count}}));
  ++report.marked;
  return OkStatus();
}

// Calls a joint consultation of every unit the case was ever assigned to; nothing when it is escalated already.
Status Escalate(Connection& tx, int64_t id, Instant now, const record::Actor& actor, const CaseOptions& options,
                OverdueReport& report) {
  ASSIGN_OR_RETURN(storage::Result r, tx.Execute("UPDATE cases SET escalated_at = ? WHERE id = ? AND "
                                                 "escalated_at IS NULL",
                                                 {ToUnix(now), id}));
  if (r.rows_affected != 1) return OkStatus();
  ASSIGN_OR_RETURN(Case c, LoadCase(tx, id));
  ASSIGN_OR_RETURN(storage::Result units, tx.Execute("SELECT DISTINCT unit_id FROM case_assignments WHERE "
                                                     "case_id = ? ORDER BY unit_id",
                                                     {id}));
  std::vector<int64_t> unit_ids;
  for (const auto& u : units.rows) unit_ids.push_back(u.Int(0));
  const std::string reason = c.overdue_count >= options.escalate_after_overdue ? "overdue_twice" : "reopened_twice";
  ASSIGN_OR_RETURN(Row k, tx.QueryOne("INSERT INTO case_consultations (case_id, called_at, reason, unit_ids) "
                                      "VALUES (?, ?, ?, ?) RETURNING id",
                                      {id, ToUnix(now), reason, nlohmann::json(unit_ids).dump()}));
  const std::string ref = CaseRef(id);
  RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "consultation_called", "",
                                   {{"consultation_id", k.Int(0)}, {"reason", reason}, {"unit_ids", unit_ids}}));
  RETURN_IF_ERROR(
      record::Audit(tx, now, actor, "case.consultation_called", ref, {{"reason", reason}, {"unit_ids", unit_ids}}));
  ++report.escalated;
  return OkStatus();
}

// The ids `select` finds (at most kBatch); the connection is released before return.
StatusOr<std::vector<int64_t>> NextBatch(storage::Database& db, const std::string& select,
                                         const storage::Params& params) {
  ASSIGN_OR_RETURN(auto conn, db.Acquire());
  ASSIGN_OR_RETURN(storage::Result due, conn->Execute(select, params));
  std::vector<int64_t> ids;
  for (const auto& r : due.rows) ids.push_back(r.Int(0));
  return ids;
}

}  // namespace

StatusOr<OverdueReport> CaseService::RunOverdue() {
  OverdueReport report;
  const Instant now = clock_.Now();
  const record::Actor actor = record::Actor::System("job:cases.overdue");
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                     NextBatch(db_,
                               "SELECT id FROM cases WHERE due_at < ? AND overdue_since IS NULL ORDER BY due_at, id "
                               "LIMIT ?",
                               {ToUnix(now), int64_t{kBatch}}));
    for (int64_t id : ids) {
      RETURN_IF_ERROR(
          db_.InTransaction([&](Connection& tx) -> Status { return MarkOverdue(tx, id, now, actor, report); }));
    }
    if (static_cast<int>(ids.size()) < kBatch) break;
  }
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                     NextBatch(db_,
                               "SELECT id FROM cases WHERE escalated_at IS NULL AND state NOT IN ('rejected', "
                               "'answered', 'closed') AND (overdue_count >= ? OR reopen_count >= ?) ORDER BY id "
                               "LIMIT ?",
                               {int64_t{options_.escalate_after_overdue}, int64_t{options_.escalate_after_reopen},
                                int64_t{kBatch}}));
    for (int64_t id : ids) {
      RETURN_IF_ERROR(
          db_.InTransaction([&](Connection& tx) -> Status { return Escalate(tx, id, now, actor, options_, report); }));
    }
    if (static_cast<int>(ids.size()) < kBatch) break;
  }
  return report;
}

}  // namespace ningju::cases
