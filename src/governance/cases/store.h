// The case row and its satellites in the database, for the cases module's own files (not part of cases.h): the
// columns read into a Case, loading (with or without the row's lock), the conditional save, intake's insert, the
// assignments, the time limits that give deadlines, the routing rules, and the timeline event with its audit record.
// Every function runs on the connection or transaction it is given; none opens one.
#ifndef NINGJU_GOVERNANCE_CASES_STORE_H_
#define NINGJU_GOVERNANCE_CASES_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/calendar.h"
#include "common/status.h"
#include "common/time.h"
#include "governance/cases/cases.h"
#include "record/attachments.h"
#include "record/record.h"
#include "storage/database.h"

namespace ningju::cases::internal {

// Columns read by ReadCase, in order ("c" is the cases table).
inline constexpr char kCaseColumns[] =
    "c.id, c.case_type, c.category, c.title, c.description, c.area_id, c.neighborhood_id, c.subdistrict_id, "
    "c.building_id, c.unit_id, c.lat_e6, c.lon_e6, c.urgency, c.complex, c.channel, c.is_public, c.state, "
    "c.extension_state, c.submitted_at, c.updated_at, c.due_at, c.reply_due_at, c.overdue_since, c.closed_at, "
    "c.lead_unit_id, c.merged_into, c.escalated_at, c.reopen_count, c.overdue_count, c.me_too_count, "
    "c.contact_name, c.contact_phone, c.reporter_id, c.unit_public";
// How many columns kCaseColumns has: the first column a query appends after them is at this index.
inline constexpr size_t kCaseColumnCount = 34;

// Nullable instants: a row's column, a bound parameter, a JSON value (UTC text or null).
std::optional<Instant> OptInstant(const storage::Row& row, size_t i);
storage::Param OptUnix(const std::optional<Instant>& t);
nlohmann::json OptTime(const std::optional<Instant>& t);

template <typename T>
nlohmann::json OptJson(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// "case:<id>", the object of a case's timeline, links and audit records.
std::string CaseRef(int64_t id);

// Drops what only those who may see a case's personal data see: the contact name and phone, the reporter and, unless
// the reporter allowed it to be shown, the apartment (others see the building).
void HidePersonal(Case& c);

// A Case from a row that starts with kCaseColumns; without `personal_visible` the personal fields are dropped.
Case ReadCase(const storage::Row& row, bool personal_visible);

// Loads a case with its raw personal fields (callers decide what to show); kNotFound when there is none.
StatusOr<Case> LoadCase(storage::Connection& conn, int64_t id);

// LoadCase for a read-modify-write: the case's row stays locked until `tx` ends, so a concurrent "me too", merge,
// overdue mark or action waits and then reads what this one wrote (STYLE.md item 17).
StatusOr<Case> LoadCaseForUpdate(storage::Connection& tx, int64_t id);

// Writes the case's mutable columns; the update is conditional on the state read, so that two concurrent actions
// cannot both apply (kAborted: the loser is retried by InTransaction and then sees the new state).
Status SaveCase(storage::Connection& tx, const Case& c, CaseState read_state, ExtensionState read_extension);

// Writes one case with its follower row, files, event and audit record inside `tx`; returns its id.
// REQUIRES: CheckNewCase passed.
StatusOr<int64_t> InsertCase(storage::Connection& tx, const WorkingCalendar& calendar, const auth::Principal& by,
                             const NewCase& in, Instant now, const std::vector<CaseFile>& files = {},
                             const record::AttachmentLimits& limits = {});

// Ends every current assignment of the case with `reason` (returned, redispatched, reopened, closed).
Status EndAssignments(storage::Connection& tx, int64_t case_id, Instant now, const std::string& reason);

// kInvalidArgument on `field` unless `unit_id` is an active handling unit.
Status CheckUnit(storage::Connection& conn, int64_t unit_id, const char* field);

// The most specific time limit of `stage` (dispatch, sign, reply) for a case, as a deadline from `from`.
StatusOr<Instant> Deadline(storage::Connection& conn, const WorkingCalendar& calendar, const std::string& stage,
                           const Case& c, Instant from);

// The routing rule nearest the case's area for its category, else the subdistrict office.
StatusOr<RoutingProposal> Propose(storage::Connection& conn, const Case& c);

// The timeline event of a workflow step and its audit record (the state before, the case's state now, `data`).
Status RecordStep(storage::Connection& tx, const Case& c, Instant now, const record::Actor& actor, CaseAction action,
                  CaseState from, const nlohmann::json& data, const std::string& note);

}  // namespace ningju::cases::internal

#endif  // NINGJU_GOVERNANCE_CASES_STORE_H_
