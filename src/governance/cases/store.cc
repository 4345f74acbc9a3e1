#include "governance/cases/store.h"

#include <algorithm>
#include <cmath>

#include "common/text_util.h"
#include "governance/cases/case_policy.h"
#include "governance/cases/checks.h"
#include "storage/locking.h"

namespace ningju::cases::internal {

using storage::Connection;
using storage::Row;

std::optional<Instant> OptInstant(const Row& row, size_t i) {
  auto v = row.OptInt(i);
  if (!v) return std::nullopt;
  return FromUnix(*v);
}

storage::Param OptUnix(const std::optional<Instant>& t) {
  if (!t) return nullptr;
  return ToUnix(*t);
}

nlohmann::json OptTime(const std::optional<Instant>& t) {
  return t ? nlohmann::json(FormatUtc(*t)) : nlohmann::json(nullptr);
}

void HidePersonal(Case& c) {
  c.personal_visible = false;
  c.contact_name.clear();
  c.contact_phone.clear();
  c.reporter_id.reset();
  if (!c.unit_public) c.unit_id.reset();
}

Case ReadCase(const Row& row, bool personal_visible) {
  Case c;
  c.id = row.Int(0);
  c.type = row.Text(1);
  c.category = row.Text(2);
  c.title = row.Text(3);
  c.description = row.Text(4);
  c.area_id = row.Int(5);
  c.neighborhood_id = row.Int(6);
  c.subdistrict_id = row.Int(7);
  c.building_id = row.OptInt(8);
  c.unit_id = row.OptInt(9);
  if (auto lat = row.OptInt(10)) c.latitude = static_cast<double>(*lat) / 1e6;
  if (auto lon = row.OptInt(11)) c.longitude = static_cast<double>(*lon) / 1e6;
  c.urgency = row.Text(12);
  c.complex = row.Bool(13);
  c.channel = row.Text(14);
  c.is_public = row.Bool(15);
  c.state = ParseState(row.Text(16)).value_or(CaseState::kSubmitted);
  c.extension = ParseExtensionState(row.Text(17)).value_or(ExtensionState::kNone);
  c.submitted_at = FromUnix(row.Int(18));
  c.updated_at = FromUnix(row.Int(19));
  c.due_at = OptInstant(row, 20);
  c.reply_due_at = OptInstant(row, 21);
  c.overdue_since = OptInstant(row, 22);
  c.closed_at = OptInstant(row, 23);
  c.lead_unit_id = row.OptInt(24);
  c.merged_into = row.OptInt(25);
  c.escalated_at = OptInstant(row, 26);
  c.reopen_count = row.Int(27);
  c.overdue_count = row.Int(28);
  c.me_too_count = row.Int(29);
  c.unit_public = row.Bool(33);
  c.personal_visible = personal_visible;
  if (personal_visible) {
    c.contact_name = row.Text(30);
    c.contact_phone = row.Text(31);
    c.reporter_id = row.OptInt(32);
  } else {
    HidePersonal(c);
  }
  return c;
}

StatusOr<Case> LoadCase(Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(auto row,
                   conn.QueryOptional(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = ?", {id}));
  if (!row) return NotFoundError(Msg("no case {}", id));
  return ReadCase(*row, true);
}

StatusOr<Case> LoadCaseForUpdate(Connection& tx, int64_t id) {
  ASSIGN_OR_RETURN(auto row, tx.QueryOptional(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = ?" +
                                                  storage::ForUpdate(tx.dialect()),
                                              {id}));
  if (!row) return NotFoundError(Msg("no case {}", id));
  return ReadCase(*row, true);
}

std::string CaseRef(int64_t id) { return record::Ref("case", id); }

StatusOr<Instant> Deadline(Connection& conn, const WorkingCalendar& calendar, const std::string& stage, const Case& c,
                           Instant from) {
  ASSIGN_OR_RETURN(
      storage::Result rows,
      conn.Execute("SELECT case_type, category, urgency, complexity, amount, unit FROM case_time_limits "
                   "WHERE stage = ? AND case_type IN (?, '*') AND category IN (?, '*') AND urgency IN "
                   "(?, '*') AND complexity IN (?, '*')",
                   {stage, c.type, c.category, c.urgency, std::string(c.complex ? "complex" : "ordinary")}));
  int best = -1;
  int64_t amount = 24;
  std::string unit = "hours";
  for (const auto& row : rows.rows) {
    int score = (row.Text(2) != "*" ? 8 : 0) + (row.Text(3) != "*" ? 4 : 0) + (row.Text(1) != "*" ? 2 : 0) +
                (row.Text(0) != "*" ? 1 : 0);
    if (score > best) {
      best = score;
      amount = row.Int(4);
      unit = row.Text(5);
    }
  }
  if (unit == "working_days") return calendar.AddWorkingDays(from, static_cast<int>(amount));
  return WorkingCalendar::AddHours(from, static_cast<int>(amount));
}

Status CheckUnit(Connection& conn, int64_t unit_id, const char* field) {
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT active FROM handling_units WHERE id = ?", {unit_id}));
  if (!row) return InvalidArgumentError(Msg("no handling unit {}", unit_id), field);
  if (!row->Bool(0)) return InvalidArgumentError(Msg("handling unit {} is inactive", unit_id), field);
  return OkStatus();
}

Status EndAssignments(Connection& tx, int64_t case_id, Instant now, const std::string& reason) {
  return tx
      .Execute("UPDATE case_assignments SET ended_at = ?, end_reason = ? WHERE case_id = ? AND ended_at IS NULL",
               {ToUnix(now), reason, case_id})
      .status();
}

StatusOr<RoutingProposal> Propose(Connection& conn, const Case& c) {
  RoutingProposal p;
  ASSIGN_OR_RETURN(storage::Result rules,
                   conn.Execute("SELECT r.id, r.lead_unit_id, r.co_unit_ids FROM case_routing_rules r JOIN "
                                "area_paths ap ON ap.ancestor_id = r.area_id WHERE ap.descendant_id = ? AND "
                                "r.category = ? ORDER BY ap.depth, r.id LIMIT 1",
                                {c.area_id, c.category}));
  if (!rules.rows.empty()) {
    p.rule_id = rules.rows[0].Int(0);
    p.lead_unit_id = rules.rows[0].Int(1);
    auto co = nlohmann::json::parse(rules.rows[0].Text(2), nullptr, false);
    if (co.is_array()) {
      for (const auto& v : co) {
        if (v.is_number_integer()) p.co_unit_ids.push_back(v.get<int64_t>());
      }
    }
    return p;
  }
  ASSIGN_OR_RETURN(auto office, conn.QueryOptional("SELECT id FROM handling_units WHERE area_id = ? AND kind = "
                                                   "'subdistrict_office' AND active = 1 ORDER BY id LIMIT 1",
                                                   {c.subdistrict_id}));
  if (office) p.lead_unit_id = office->Int(0);
  return p;
}

Status SaveCase(Connection& tx, const Case& c, CaseState read_state, ExtensionState read_extension) {
  ASSIGN_OR_RETURN(
      storage::Result r,
      tx.Execute("UPDATE cases SET state = ?, extension_state = ?, updated_at = ?, due_at = ?, reply_due_at = ?, "
                 "overdue_since = ?, closed_at = ?, lead_unit_id = ?, merged_into = ?, complex = ?, reopen_count = ?, "
                 "me_too_count = ? WHERE id = ? AND state = ? AND extension_state = ?",
                 {std::string(StateName(c.state)), std::string(ExtensionStateName(c.extension)), ToUnix(c.updated_at),
                  OptUnix(c.due_at), OptUnix(c.reply_due_at), OptUnix(c.overdue_since), OptUnix(c.closed_at),
                  storage::Nullable(c.lead_unit_id), storage::Nullable(c.merged_into), int64_t{c.complex ? 1 : 0},
                  c.reopen_count, c.me_too_count, c.id, std::string(StateName(read_state)),
                  std::string(ExtensionStateName(read_extension))}));
  if (r.rows_affected != 1) return AbortedError(Msg("case {} changed meanwhile", c.id));
  return OkStatus();
}

namespace {

// Whether the category has the long (complex) reply limit.
StatusOr<bool> CategoryComplex(Connection& conn, const std::string& code) {
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT complex FROM case_categories WHERE code = ?", {code}));
  return row && row->Bool(0);
}

// Where a new case lies: its area's neighborhood, subdistrict and building, from area_paths.
struct Place {
  int64_t neighborhood = 0;
  int64_t subdistrict = 0;
  std::optional<int64_t> building;
};

// The place of `in.area_id` (a neighborhood, building or entrance), and that the apartment, if any, is in it.
StatusOr<Place> ResolvePlace(Connection& tx, const NewCase& in) {
  ASSIGN_OR_RETURN(storage::Result path,
                   tx.Execute("SELECT a.id, a.kind FROM area_paths p JOIN areas a ON a.id = p.ancestor_id WHERE "
                              "p.descendant_id = ? ORDER BY p.depth",
                              {in.area_id}));
  if (path.rows.empty()) return InvalidArgumentError(Msg("no area {}", in.area_id), "area_id");
  const std::string kind = path.rows[0].Text(1);
  if (kind != "neighborhood" && kind != "building" && kind != "entrance") {
    return InvalidArgumentError("a case is located in a neighborhood, building or entrance", "area_id");
  }
  Place place;
  for (const auto& row : path.rows) {
    if (row.Text(1) == "neighborhood") place.neighborhood = row.Int(0);
    if (row.Text(1) == "subdistrict") place.subdistrict = row.Int(0);
    if (row.Text(1) == "building") place.building = row.Int(0);
  }
  if (place.neighborhood == 0 || place.subdistrict == 0) {
    return InvalidArgumentError("the area is not inside a neighborhood", "area_id");
  }
  if (in.unit_id) {
    if (!place.building) return InvalidArgumentError("an apartment needs its building as the area", "unit_id");
    ASSIGN_OR_RETURN(auto unit, tx.QueryOptional("SELECT building_id FROM units WHERE id = ?", {*in.unit_id}));
    if (!unit || unit->Int(0) != *place.building) {
      return InvalidArgumentError(Msg("apartment {} is not in that building", *in.unit_id), "unit_id");
    }
  }
  return place;
}

// Stores the files of a new case; returns their ids.
StatusOr<nlohmann::json> AddCaseFiles(Connection& tx, int64_t id, const auth::Principal& by, Instant now,
                                      const std::vector<CaseFile>& files, const record::AttachmentLimits& limits) {
  record::AttachmentLimits file_limits = limits;
  file_limits.max_per_object = std::min(file_limits.max_per_object, kMaxCaseFiles);
  nlohmann::json file_ids = nlohmann::json::array();
  for (const CaseFile& f : files) {
    ASSIGN_OR_RETURN(record::Attachment a, record::AddAttachment(tx, CaseRef(id), f.name, f.bytes,
                                                                 std::max<int64_t>(by.user_id, 0), now, file_limits));
    file_ids.push_back(a.id);
  }
  return file_ids;
}

}  // namespace

StatusOr<int64_t> InsertCase(Connection& tx, const WorkingCalendar& calendar, const auth::Principal& by,
                             const NewCase& in, Instant now, const std::vector<CaseFile>& files,
                             const record::AttachmentLimits& limits) {
  const bool staff_channel = Contains(StaffChannels(), in.channel);
  ASSIGN_OR_RETURN(auto cat, tx.QueryOptional("SELECT active FROM case_categories WHERE code = ?", {in.category}));
  if (!cat || !cat->Bool(0))
    return InvalidArgumentError(Msg("unknown category {}", QuoteForMessage(in.category)), "category");
  ASSIGN_OR_RETURN(Place place, ResolvePlace(tx, in));
  if (staff_channel) {
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, in.area_id));
    if (!staff) return Denied(by, Msg("only staff over the area enter cases from the {} channel", in.channel));
  }
  ASSIGN_OR_RETURN(bool complex, CategoryComplex(tx, in.category));
  Case c;
  c.type = in.type;
  c.category = in.category;
  c.urgency = in.urgency;
  c.complex = complex;
  ASSIGN_OR_RETURN(Instant due, Deadline(tx, calendar, "dispatch", c, now));
  std::optional<int64_t> reporter;
  if (by.has_account() && !staff_channel) reporter = by.user_id;
  std::optional<int64_t> entered_by;
  if (staff_channel && by.has_account()) entered_by = by.user_id;
  storage::Param lat = nullptr, lon = nullptr;
  if (in.latitude) lat = static_cast<int64_t>(std::llround(*in.latitude * 1e6));
  if (in.longitude) lon = static_cast<int64_t>(std::llround(*in.longitude * 1e6));
  ASSIGN_OR_RETURN(
      Row row,
      tx.QueryOne("INSERT INTO cases (case_type, category, title, description, area_id, neighborhood_id, "
                  "subdistrict_id, building_id, unit_id, lat_e6, lon_e6, urgency, complex, channel, contact_name, "
                  "contact_phone, is_public, unit_public, reporter_id, entered_by, state, submitted_at, updated_at, "
                  "due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?) "
                  "RETURNING id",
                  {in.type,
                   in.category,
                   std::string(Trim(in.title)),
                   in.description,
                   in.area_id,
                   place.neighborhood,
                   place.subdistrict,
                   storage::Nullable(place.building),
                   storage::Nullable(in.unit_id),
                   lat,
                   lon,
                   in.urgency,
                   int64_t{complex ? 1 : 0},
                   in.channel,
                   std::string(Trim(in.contact_name)),
                   std::string(Trim(in.contact_phone)),
                   int64_t{in.is_public ? 1 : 0},
                   int64_t{in.unit_public && in.unit_id ? 1 : 0},
                   storage::Nullable(reporter),
                   storage::Nullable(entered_by),
                   ToUnix(now),
                   ToUnix(now),
                   ToUnix(due)}));
  const int64_t id = row.Int(0);
  if (reporter) {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO case_followers (case_id, user_id, since) VALUES (?, ?, ?)",
                               {id, *reporter, ToUnix(now)}));
  }
  ASSIGN_OR_RETURN(nlohmann::json file_ids, AddCaseFiles(tx, id, by, now, files, limits));
  const record::Actor actor = auth::ActorOf(by);
  nlohmann::json event_data = {{"channel", in.channel}, {"type", in.type}, {"category", in.category}};
  if (!files.empty()) event_data["files"] = files.size();
  RETURN_IF_ERROR(record::AddEvent(tx, CaseRef(id), now, actor, "submitted", "", event_data));
  RETURN_IF_ERROR(record::Audit(
      tx, now, actor, "case.submit", CaseRef(id),
      {{"after", {{"state", "submitted"}, {"channel", in.channel}, {"area_id", in.area_id}, {"files", file_ids}}}}));
  return id;
}

Status RecordStep(Connection& tx, const Case& c, Instant now, const record::Actor& actor, CaseAction action,
                  CaseState from, const nlohmann::json& data, const std::string& note) {
  const std::string ref = CaseRef(c.id);
  RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, ActionName(action), note, data));
  return record::Audit(
      tx, now, actor, "case." + std::string(ActionName(action)), ref,
      {{"before", {{"state", StateName(from)}}}, {"after", {{"state", StateName(c.state)}}}, {"data", data}});
}

}  // namespace ningju::cases::internal
