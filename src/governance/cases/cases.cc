#include "governance/cases/cases.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <set>

#include "common/text_util.h"
#include "common/utf8.h"
#include "governance/cases/intake_queue.h"
#include "record/attachments.h"
#include "record/record.h"
#include "storage/locking.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace ningju::cases {
namespace {

using storage::Connection;
using storage::Params;
using storage::Row;

constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

// Columns read by ReadCase, in order.
constexpr char kCaseColumns[] =
    "c.id, c.case_type, c.category, c.title, c.description, c.area_id, c.neighborhood_id, c.subdistrict_id, "
    "c.building_id, c.unit_id, c.lat_e6, c.lon_e6, c.urgency, c.complex, c.channel, c.is_public, c.state, "
    "c.extension_state, c.submitted_at, c.updated_at, c.due_at, c.reply_due_at, c.overdue_since, c.closed_at, "
    "c.lead_unit_id, c.merged_into, c.escalated_at, c.reopen_count, c.overdue_count, c.me_too_count, "
    "c.contact_name, c.contact_phone, c.reporter_id, c.unit_public";
// How many columns kCaseColumns has: the first column a query appends after them is at this index.
constexpr size_t kCaseColumnCount = 34;

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

template <typename T>
nlohmann::json OptJson(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Drops what only those who may see a case's personal data see: the contact name and phone, the reporter and, unless
// the reporter allowed it to be shown, the apartment (others see the building).
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

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status CheckText(std::string_view value, const char* field, size_t max_chars, bool required) {
  RETURN_IF_ERROR(utf8::Validate(value, field));
  if (required && Trim(value).empty())
    return InvalidArgumentError(Msg("{} must not be empty", FieldName{field}), field);
  if (utf8::CodePointCount(value) > max_chars) {
    return InvalidArgumentError(Msg("{} has at most {} characters", FieldName{field}, max_chars), field);
  }
  return OkStatus();
}

Status CheckPhone(std::string_view phone) {
  if (phone.size() < 5 || phone.size() > 20) {
    return InvalidArgumentError("contact_phone has 5 to 20 characters", "contact_phone");
  }
  for (char ch : phone) {
    if (!(std::isdigit(static_cast<unsigned char>(ch)) || ch == '+' || ch == '-' || ch == ' ')) {
      return InvalidArgumentError("contact_phone holds digits, '+', '-' and spaces only", "contact_phone");
    }
  }
  return OkStatus();
}

Status CheckLimit(int limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return InvalidArgumentError(Msg("limit must be between 1 and {}", kMaxPageSize), "limit");
  }
  return OkStatus();
}

bool IsSystem(const auth::Principal& p) { return p.user_id < 0; }

bool IsStaffRole(auth::Role r) {
  return r == auth::Role::kNeighborhoodStaff || r == auth::Role::kSubdistrictStaff || r == auth::Role::kDistrictAdmin;
}

std::vector<int64_t> StaffAreas(const auth::Principal& p) {
  std::vector<int64_t> out;
  for (const auto& g : p.grants) {
    if (IsStaffRole(g.role)) out.push_back(g.area_id);
  }
  return out;
}

// Staff over `area_id`: a staff grant on it or one of its ancestors (or the system).
StatusOr<bool> IsStaffFor(Connection& conn, const auth::Principal& p, int64_t area_id) {
  if (IsSystem(p)) return true;
  if (!p.signed_in()) return false;
  std::vector<int64_t> scope = StaffAreas(p);
  if (scope.empty()) return false;
  ASSIGN_OR_RETURN(storage::Result anc,
                   conn.Execute("SELECT ancestor_id FROM area_paths WHERE descendant_id = ?", {area_id}));
  for (const auto& row : anc.rows) {
    if (std::find(scope.begin(), scope.end(), row.Int(0)) != scope.end()) return true;
  }
  return false;
}

StatusOr<bool> IsMember(Connection& conn, const auth::Principal& p, int64_t unit_id) {
  if (IsSystem(p)) return true;
  if (!p.signed_in()) return false;
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT 1 FROM handling_unit_members WHERE unit_id = ? AND user_id = ?",
                                                {unit_id, p.user_id}));
  return row.has_value();
}

// A member of some unit the case was ever assigned to (`current_only`: a unit whose assignment has not ended).
StatusOr<bool> IsAssignedMember(Connection& conn, const auth::Principal& p, int64_t case_id, bool current_only) {
  if (!p.signed_in() || IsSystem(p)) return false;
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional(std::string("SELECT 1 FROM case_assignments a JOIN "
                                                            "handling_unit_members m ON m.unit_id = a.unit_id WHERE "
                                                            "a.case_id = ? AND m.user_id = ?") +
                                                    (current_only ? " AND a.ended_at IS NULL" : "") + " LIMIT 1",
                                                {case_id, p.user_id}));
  return row.has_value();
}

StatusOr<bool> IsFollower(Connection& conn, const auth::Principal& p, int64_t case_id) {
  if (!p.signed_in() || IsSystem(p)) return false;
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT 1 FROM case_followers WHERE case_id = ? AND user_id = ?",
                                                {case_id, p.user_id}));
  return row.has_value();
}

struct Access {
  bool visible = false;
  bool personal = false;
  bool staff = false;
  bool reporter = false;
};

StatusOr<Access> AccessTo(Connection& conn, const auth::Principal& p, int64_t case_id, int64_t area_id,
                          std::optional<int64_t> reporter_id, bool is_public) {
  Access a;
  ASSIGN_OR_RETURN(a.staff, IsStaffFor(conn, p, area_id));
  a.reporter = p.signed_in() && reporter_id && *reporter_id == p.user_id;
  // A unit sees the personal data while its part lasts; once its assignment ended (returned, redispatched, reopened,
  // closed) it still sees the case, not the reporter.
  ASSIGN_OR_RETURN(bool current_member, IsAssignedMember(conn, p, case_id, true));
  a.personal = a.staff || a.reporter || current_member;
  bool past_member = false, follower = false;
  if (!a.personal && !is_public) {
    ASSIGN_OR_RETURN(past_member, IsAssignedMember(conn, p, case_id, false));
    if (!past_member) {
      ASSIGN_OR_RETURN(follower, IsFollower(conn, p, case_id));
    }
  }
  a.visible = a.personal || is_public || past_member || follower;
  return a;
}

// Loads a case with its raw personal fields (callers decide what to show).
StatusOr<Case> LoadCase(Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(auto row,
                   conn.QueryOptional(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = ?", {id}));
  if (!row) return NotFoundError(Msg("no case {}", id));
  return ReadCase(*row, true);
}

// LoadCase for a read-modify-write: the case's row stays locked until `tx` ends, so a concurrent "me too", merge,
// overdue mark or action waits and then reads what this one wrote (STYLE.md item 17).
StatusOr<Case> LoadCaseForUpdate(Connection& tx, int64_t id) {
  ASSIGN_OR_RETURN(auto row, tx.QueryOptional(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = ?" +
                                                  storage::ForUpdate(tx.dialect()),
                                              {id}));
  if (!row) return NotFoundError(Msg("no case {}", id));
  return ReadCase(*row, true);
}

Status Denied(const auth::Principal& p, Msg what) {
  if (!p.signed_in()) return UnauthenticatedError("sign in first");
  return PermissionDeniedError(what);
}

std::string CaseRef(int64_t id) { return record::Ref("case", id); }

// Appends " OR <case c lies in an area where `p` is staff>" with its parameters (nothing when `p` is staff nowhere).
void AppendStaffScope(const auth::Principal& p, std::string* sql, Params* params) {
  std::vector<int64_t> scope = StaffAreas(p);
  if (scope.empty()) return;
  *sql += " OR EXISTS (SELECT 1 FROM area_paths ap WHERE ap.descendant_id = c.area_id AND ap.ancestor_id IN (";
  for (size_t i = 0; i < scope.size(); ++i) {
    *sql += i ? ", ?" : "?";
    params->push_back(scope[i]);
  }
  *sql += "))";
}

// The SQL condition "the viewer may see case c" and its parameters; empty for the system.
void VisibleCondition(const auth::Principal& p, std::string* sql, Params* params) {
  if (IsSystem(p)) {
    *sql = "1 = 1";
    return;
  }
  if (!p.signed_in()) {
    *sql = "c.is_public = 1";
    return;
  }
  std::string s =
      "(c.is_public = 1 OR c.reporter_id = ? OR EXISTS (SELECT 1 FROM case_followers f WHERE f.case_id = c.id AND "
      "f.user_id = ?) OR EXISTS (SELECT 1 FROM case_assignments a JOIN handling_unit_members m ON m.unit_id = "
      "a.unit_id WHERE a.case_id = c.id AND m.user_id = ?)";
  params->push_back(p.user_id);
  params->push_back(p.user_id);
  params->push_back(p.user_id);
  AppendStaffScope(p, &s, params);
  s += ")";
  *sql = s;
}

// The SQL expression "the viewer may see personal data of case c" (1/0) and its parameters.
void PersonalExpression(const auth::Principal& p, std::string* sql, Params* params) {
  if (IsSystem(p)) {
    *sql = "1";
    return;
  }
  if (!p.signed_in()) {
    *sql = "0";
    return;
  }
  std::string s =
      "CASE WHEN c.reporter_id = ? OR EXISTS (SELECT 1 FROM case_assignments a JOIN handling_unit_members m ON "
      "m.unit_id = a.unit_id WHERE a.case_id = c.id AND m.user_id = ? AND a.ended_at IS NULL)";
  params->push_back(p.user_id);
  params->push_back(p.user_id);
  AppendStaffScope(p, &s, params);
  s += " THEN 1 ELSE 0 END";
  *sql = s;
}

// "SELECT <case columns>, <may see personal data> FROM cases c WHERE <visible to viewer>[ AND c.is_public = 1]", with
// its parameters: the start of every list and search.
std::string SelectVisible(const auth::Principal& viewer, bool public_only, Params* params) {
  std::string personal = "0", visible;
  if (!public_only) PersonalExpression(viewer, &personal, params);
  std::string sql = std::string("SELECT ") + kCaseColumns + ", " + personal + " FROM cases c WHERE ";
  VisibleCondition(viewer, &visible, params);
  sql += visible;
  if (public_only) sql += " AND c.is_public = 1";
  return sql;
}

// The most specific time limit of `stage` for a case, as a deadline from `from`.
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

StatusOr<bool> CategoryComplex(Connection& conn, const std::string& code) {
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT complex FROM case_categories WHERE code = ?", {code}));
  return row && row->Bool(0);
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

// Writes the case's mutable columns; the update is conditional on the state read, so that two concurrent actions
// cannot both apply (the loser is retried by InTransaction and then sees the new state).
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

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Value lists and JSON

const std::vector<std::string>& CaseTypes() {
  static const std::vector<std::string> v = {"enquiry", "help", "complaint", "report", "suggestion"};
  return v;
}
const std::vector<std::string>& Urgencies() {
  static const std::vector<std::string> v = {"normal", "urgent", "emergency"};
  return v;
}
const std::vector<std::string>& Channels() {
  static const std::vector<std::string> v = {"web",    "door_qr",   "phone", "visit",
                                             "letter", "reception", "api",   "open311"};
  return v;
}
const std::vector<std::string>& StaffChannels() {
  static const std::vector<std::string> v = {"phone", "visit", "letter", "reception"};
  return v;
}
const std::vector<std::string>& Satisfactions() {
  static const std::vector<std::string> v = {"satisfied", "basically_satisfied", "dissatisfied"};
  return v;
}
const std::vector<std::string>& UnitKinds() {
  static const std::vector<std::string> v = {"department", "subdistrict_office", "neighborhood_committee"};
  return v;
}

nlohmann::json Case::ToJson() const {
  nlohmann::json j = {{"id", id},
                      {"type", type},
                      {"category", category},
                      {"title", title},
                      {"description", description},
                      {"area_id", area_id},
                      {"neighborhood_id", neighborhood_id},
                      {"subdistrict_id", subdistrict_id},
                      {"building_id", OptJson(building_id)},
                      {"unit_id", OptJson(unit_id)},
                      {"latitude", OptJson(latitude)},
                      {"longitude", OptJson(longitude)},
                      {"urgency", urgency},
                      {"complex", complex},
                      {"channel", channel},
                      {"public", is_public},
                      {"unit_public", unit_public},
                      {"state", StateName(state)},
                      {"extension_state", ExtensionStateName(extension)},
                      {"submitted_at", FormatUtc(submitted_at)},
                      {"updated_at", FormatUtc(updated_at)},
                      {"due_at", OptTime(due_at)},
                      {"reply_due_at", OptTime(reply_due_at)},
                      {"overdue", overdue_since.has_value()},
                      {"overdue_since", OptTime(overdue_since)},
                      {"closed_at", OptTime(closed_at)},
                      {"lead_unit_id", OptJson(lead_unit_id)},
                      {"merged_into", OptJson(merged_into)},
                      {"escalated_at", OptTime(escalated_at)},
                      {"reopen_count", reopen_count},
                      {"overdue_count", overdue_count},
                      {"me_too_count", me_too_count}};
  if (personal_visible) {
    j["contact_name"] = contact_name;
    j["contact_phone"] = contact_phone;
    j["reporter_id"] = OptJson(reporter_id);
  }
  return j;
}

nlohmann::json Assignment::ToJson() const {
  return {{"id", id},
          {"unit_id", unit_id},
          {"unit_name", unit_name},
          {"role", role},
          {"assigned_at", FormatUtc(assigned_at)},
          {"sign_due_at", OptTime(sign_due_at)},
          {"signed_at", OptTime(signed_at)},
          {"reply_due_at", OptTime(reply_due_at)},
          {"replied_at", OptTime(replied_at)},
          {"ended_at", OptTime(ended_at)},
          {"end_reason", end_reason}};
}

nlohmann::json FollowUp::ToJson() const {
  return {{"at", FormatUtc(at)}, {"resolved", resolved}, {"satisfaction", satisfaction}, {"comment", comment}};
}

nlohmann::json Consultation::ToJson() const {
  return {{"id", id},           {"called_at", FormatUtc(called_at)}, {"reason", reason}, {"unit_ids", unit_ids},
          {"outcome", outcome}, {"outcome_at", OptTime(outcome_at)}};
}

nlohmann::json TimelineEntry::ToJson() const {
  return {{"at", FormatUtc(at)}, {"kind", kind}, {"note", note}, {"data", data}, {"actor_id", OptJson(actor_id)}};
}

nlohmann::json CaseDetail::ToJson() const {
  nlohmann::json j = c.ToJson();
  j["timeline"] = nlohmann::json::array();
  for (const auto& e : timeline) j["timeline"].push_back(e.ToJson());
  j["assignments"] = nlohmann::json::array();
  for (const auto& a : assignments) j["assignments"].push_back(a.ToJson());
  j["follow_ups"] = nlohmann::json::array();
  for (const auto& f : follow_ups) j["follow_ups"].push_back(f.ToJson());
  j["consultations"] = nlohmann::json::array();
  for (const auto& k : consultations) j["consultations"].push_back(k.ToJson());
  j["actions"] = nlohmann::json::array();
  for (CaseAction a : actions) j["actions"].push_back(ActionName(a));
  j["following"] = following;
  j["duplicates"] = duplicates;
  return j;
}

nlohmann::json HandlingUnit::ToJson() const {
  return {{"id", id}, {"code", code}, {"name", name}, {"kind", kind}, {"area_id", area_id}, {"active", active}};
}

nlohmann::json Category::ToJson() const {
  return {{"code", code}, {"name_zh", name_zh}, {"name_en", name_en}, {"complex", complex}};
}

nlohmann::json RoutingProposal::ToJson() const {
  return {{"lead_unit_id", OptJson(lead_unit_id)}, {"co_unit_ids", co_unit_ids}, {"rule_id", rule_id}};
}

std::optional<double> Rate::value() const {
  if (denominator == 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

nlohmann::json Rate::ToJson() const {
  auto v = value();
  return {{"numerator", numerator},
          {"denominator", denominator},
          {"value", v ? nlohmann::json(std::round(*v * 10000) / 10000) : nlohmann::json(nullptr)}};
}

nlohmann::json MetricsRow::ToJson() const {
  return {{"id", id},
          {"name", name},
          {"dispatched", dispatched},
          {"response_rate", response.ToJson()},
          {"resolution_rate", resolution.ToJson()},
          {"satisfaction_rate", satisfaction.ToJson()},
          {"on_time_rate", on_time.ToJson()},
          {"reopen_rate", reopen.ToJson()},
          {"score", score ? nlohmann::json(std::round(*score * 10) / 10) : nlohmann::json(nullptr)}};
}

// ---------------------------------------------------------------------------------------------------------------
// The service

namespace {

// The checks of an intake that need no database (before it joins a batch).
Status CheckNewCase(const auth::Principal& by, const NewCase& in) {
  if (!Contains(CaseTypes(), in.type)) {
    return InvalidArgumentError(Msg("type is one of {}", Join(CaseTypes())), "type");
  }
  if (!Contains(Urgencies(), in.urgency)) {
    return InvalidArgumentError(Msg("urgency is one of {}", Join(Urgencies())), "urgency");
  }
  if (!Contains(Channels(), in.channel)) {
    return InvalidArgumentError(Msg("channel is one of {}", Join(Channels())), "channel");
  }
  RETURN_IF_ERROR(CheckText(in.title, "title", kMaxTitleChars, true));
  RETURN_IF_ERROR(CheckText(in.description, "description", kMaxDescriptionChars, true));
  RETURN_IF_ERROR(CheckText(in.contact_name, "contact_name", kMaxNameChars, false));
  RETURN_IF_ERROR(utf8::Validate(in.contact_phone, "contact_phone"));
  if (!in.contact_phone.empty()) RETURN_IF_ERROR(CheckPhone(in.contact_phone));
  if (in.latitude.has_value() != in.longitude.has_value()) {
    return InvalidArgumentError("give latitude and longitude together", "latitude");
  }
  if (in.latitude && (!std::isfinite(*in.latitude) || std::abs(*in.latitude) > 90)) {
    return InvalidArgumentError("latitude is between -90 and 90", "latitude");
  }
  if (in.longitude && (!std::isfinite(*in.longitude) || std::abs(*in.longitude) > 180)) {
    return InvalidArgumentError("longitude is between -180 and 180", "longitude");
  }
  if ((in.channel == "api" || in.channel == "open311") && !by.signed_in()) {
    return UnauthenticatedError(Msg("the {} channel needs an authenticated client", in.channel));
  }
  if (!by.signed_in() && in.contact_phone.empty()) {
    return InvalidArgumentError("an anonymous report needs a contact phone", "contact_phone");
  }

  return OkStatus();
}

// Writes one case with its follower row, event and audit record inside `tx`; returns its id. REQUIRES: CheckNewCase
// passed.
StatusOr<int64_t> InsertCase(Connection& tx, const WorkingCalendar& calendar, const auth::Principal& by,
                             const NewCase& in, Instant now, const std::vector<CaseFile>& files = {},
                             const record::AttachmentLimits& limits = {}) {
  const bool staff_channel = Contains(StaffChannels(), in.channel);
  ASSIGN_OR_RETURN(auto cat, tx.QueryOptional("SELECT active FROM case_categories WHERE code = ?", {in.category}));
  if (!cat || !cat->Bool(0))
    return InvalidArgumentError(Msg("unknown category {}", QuoteForMessage(in.category)), "category");
  ASSIGN_OR_RETURN(storage::Result path,
                   tx.Execute("SELECT a.id, a.kind FROM area_paths p JOIN areas a ON a.id = p.ancestor_id WHERE "
                              "p.descendant_id = ? ORDER BY p.depth",
                              {in.area_id}));
  if (path.rows.empty()) return InvalidArgumentError(Msg("no area {}", in.area_id), "area_id");
  const std::string kind = path.rows[0].Text(1);
  if (kind != "neighborhood" && kind != "building" && kind != "entrance") {
    return InvalidArgumentError("a case is located in a neighborhood, building or entrance", "area_id");
  }
  int64_t neighborhood = 0, subdistrict = 0;
  std::optional<int64_t> building;
  for (const auto& row : path.rows) {
    if (row.Text(1) == "neighborhood") neighborhood = row.Int(0);
    if (row.Text(1) == "subdistrict") subdistrict = row.Int(0);
    if (row.Text(1) == "building") building = row.Int(0);
  }
  if (neighborhood == 0 || subdistrict == 0) {
    return InvalidArgumentError("the area is not inside a neighborhood", "area_id");
  }
  if (in.unit_id) {
    if (!building) return InvalidArgumentError("an apartment needs its building as the area", "unit_id");
    ASSIGN_OR_RETURN(auto unit, tx.QueryOptional("SELECT building_id FROM units WHERE id = ?", {*in.unit_id}));
    if (!unit || unit->Int(0) != *building) {
      return InvalidArgumentError(Msg("apartment {} is not in that building", *in.unit_id), "unit_id");
    }
  }
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
  if (by.signed_in() && !IsSystem(by) && !staff_channel) reporter = by.user_id;
  std::optional<int64_t> entered_by;
  if (staff_channel && by.user_id > 0) entered_by = by.user_id;
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
                   neighborhood,
                   subdistrict,
                   storage::Nullable(building),
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
  record::AttachmentLimits file_limits = limits;
  file_limits.max_per_object = std::min(file_limits.max_per_object, kMaxCaseFiles);
  nlohmann::json file_ids = nlohmann::json::array();
  for (const CaseFile& f : files) {
    ASSIGN_OR_RETURN(record::Attachment a, record::AddAttachment(tx, CaseRef(id), f.name, f.bytes,
                                                                 std::max<int64_t>(by.user_id, 0), now, file_limits));
    file_ids.push_back(a.id);
  }
  const record::Actor actor = auth::ActorOf(by);
  nlohmann::json event_data = {{"channel", in.channel}, {"type", in.type}, {"category", in.category}};
  if (!files.empty()) event_data["files"] = files.size();
  RETURN_IF_ERROR(record::AddEvent(tx, CaseRef(id), now, actor, "submitted", "", event_data));
  RETURN_IF_ERROR(record::Audit(
      tx, now, actor, "case.submit", CaseRef(id),
      {{"after", {{"state", "submitted"}, {"channel", in.channel}, {"area_id", in.area_id}, {"files", file_ids}}}}));
  return id;
}

}  // namespace

struct CaseService::Impl {
  std::once_flag normalizer_once;
  std::unique_ptr<text::Normalizer> normalizer;
  Status normalizer_status;
  std::unique_ptr<IntakeQueue> queue;  // set by EnableGroupCommit
};

CaseService::CaseService(storage::Database& db, const Clock& clock, const CalendarHolder& calendars,
                         CaseOptions options)
    : impl_(std::make_unique<Impl>()),
      db_(db),
      clock_(clock),
      calendars_(calendars),
      options_(options),
      intake_limiter_(db, clock, options.intake_limits) {}

CaseService::CaseService(storage::Database& db, const Clock& clock, const WorkingCalendar& calendar,
                         CaseOptions options)
    : impl_(std::make_unique<Impl>()),
      db_(db),
      clock_(clock),
      own_calendars_(std::make_unique<CalendarHolder>(calendar)),
      calendars_(*own_calendars_),
      options_(options),
      intake_limiter_(db, clock, options.intake_limits) {}

CaseService::~CaseService() {
  // The queue's writer calls back into this service: stop it (committing what waits) while the service is whole.
  impl_->queue.reset();
}

StatusOr<Case> CaseService::Submit(const auth::Principal& by, const NewCase& in) {
  RETURN_IF_ERROR(CheckNewCase(by, in));
  if (impl_->queue) return impl_->queue->Submit(Intake{by, in});
  return SubmitUnbatched(by, in);
}

// Files go in the same transaction as their case, and not through the group-commit queue (they are large and few).
StatusOr<Case> CaseService::SubmitWithFiles(const auth::Principal& by, const NewCase& in,
                                            const std::vector<CaseFile>& files,
                                            const record::AttachmentLimits& limits) {
  if (files.size() > static_cast<size_t>(kMaxCaseFiles)) {
    return InvalidArgumentError(Msg("at most {} files", kMaxCaseFiles), "files");
  }
  if (files.empty()) return Submit(by, in);
  RETURN_IF_ERROR(CheckNewCase(by, in));
  const Instant now = clock_.Now();
  Case out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, InsertCase(tx, *calendars_.Get(), by, in, now, files, limits));
    ASSIGN_OR_RETURN(out, LoadCase(tx, id));
    return OkStatus();
  }));
  return out;
}

StatusOr<Case> CaseService::SubmitUnbatched(const auth::Principal& by, const NewCase& in) {
  RETURN_IF_ERROR(CheckNewCase(by, in));
  const Instant now = clock_.Now();
  Case out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, InsertCase(tx, *calendars_.Get(), by, in, now));
    ASSIGN_OR_RETURN(out, LoadCase(tx, id));
    return OkStatus();
  }));
  return out;
}

StatusOr<std::vector<Case>> CaseService::SubmitBatch(const std::vector<Intake>& intakes) {
  for (const auto& item : intakes) RETURN_IF_ERROR(CheckNewCase(item.by, item.input));
  const Instant now = clock_.Now();
  std::vector<Case> out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    out.clear();
    out.reserve(intakes.size());
    for (const auto& item : intakes) {
      ASSIGN_OR_RETURN(int64_t id, InsertCase(tx, *calendars_.Get(), item.by, item.input, now));
      ASSIGN_OR_RETURN(Case c, LoadCase(tx, id));
      out.push_back(std::move(c));
    }
    return OkStatus();
  }));
  return out;
}

void CaseService::EnableGroupCommit(const GroupCommitOptions& options) {
  impl_->queue =
      std::make_unique<IntakeQueue>([this](const std::vector<Intake>& batch) { return SubmitBatch(batch); },
                                    [this](const Intake& one) { return SubmitUnbatched(one.by, one.input); }, options);
}

StatusOr<CaseDetail> CaseService::Get(const auth::Principal& viewer, int64_t case_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Case c, LoadCase(*conn, case_id));
  ASSIGN_OR_RETURN(Access access, AccessTo(*conn, viewer, c.id, c.area_id, c.reporter_id, c.is_public));
  if (!access.visible) return Denied(viewer, Msg("case {} is not public", case_id));
  CaseDetail d;
  if (!access.personal) HidePersonal(c);
  ASSIGN_OR_RETURN(auto events, record::ListEvents(*conn, CaseRef(case_id)));
  for (const auto& e : events) {
    TimelineEntry t{e.at, e.kind, e.note, nlohmann::json::parse(e.data, nullptr, false), std::nullopt};
    if (t.data.is_discarded()) t.data = nlohmann::json::object();
    if (access.personal) t.actor_id = e.actor_id;
    d.timeline.push_back(std::move(t));
  }
  ASSIGN_OR_RETURN(storage::Result as,
                   conn->Execute("SELECT a.id, a.unit_id, u.name, a.role, a.assigned_at, a.sign_due_at, a.signed_at, "
                                 "a.reply_due_at, a.replied_at, a.ended_at, a.end_reason FROM case_assignments a "
                                 "JOIN handling_units u ON u.id = a.unit_id WHERE a.case_id = ? ORDER BY a.id",
                                 {case_id}));
  for (const auto& r : as.rows) {
    d.assignments.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), FromUnix(r.Int(4)), OptInstant(r, 5),
                             OptInstant(r, 6), OptInstant(r, 7), OptInstant(r, 8), OptInstant(r, 9), r.Text(10)});
  }
  ASSIGN_OR_RETURN(storage::Result fs,
                   conn->Execute("SELECT at, resolved, satisfaction, comment FROM case_follow_ups WHERE case_id = ? "
                                 "ORDER BY id",
                                 {case_id}));
  for (const auto& r : fs.rows) d.follow_ups.push_back({FromUnix(r.Int(0)), r.Bool(1), r.Text(2), r.Text(3)});
  ASSIGN_OR_RETURN(storage::Result ks,
                   conn->Execute("SELECT id, called_at, reason, unit_ids, outcome, outcome_at FROM case_consultations "
                                 "WHERE case_id = ? ORDER BY id",
                                 {case_id}));
  for (const auto& r : ks.rows) {
    Consultation k{r.Int(0), FromUnix(r.Int(1)), r.Text(2), {}, r.Text(4), OptInstant(r, 5)};
    auto units = nlohmann::json::parse(r.Text(3), nullptr, false);
    if (units.is_array()) {
      for (const auto& u : units) {
        if (u.is_number_integer()) k.unit_ids.push_back(u.get<int64_t>());
      }
    }
    d.consultations.push_back(std::move(k));
  }
  ASSIGN_OR_RETURN(storage::Result dups,
                   conn->Execute("SELECT id FROM cases WHERE merged_into = ? ORDER BY id", {case_id}));
  for (const auto& r : dups.rows) d.duplicates.push_back(r.Int(0));
  ASSIGN_OR_RETURN(d.following, IsFollower(*conn, viewer, case_id));
  bool lead_member = false;
  if (c.lead_unit_id) {
    ASSIGN_OR_RETURN(lead_member, IsMember(*conn, viewer, *c.lead_unit_id));
  }
  for (CaseAction a : AllowedActions(c.state)) {
    auto t = FindTransition(c.state, a);
    bool may = t->who == ActorKind::kStaff      ? access.staff
               : t->who == ActorKind::kLeadUnit ? lead_member
                                                : (access.staff || access.reporter);
    if (a == CaseAction::kAnswer && c.type != "enquiry") may = false;
    if (a == CaseAction::kRequestExtension && c.extension == ExtensionState::kRequested) may = false;
    if ((a == CaseAction::kApproveExtension || a == CaseAction::kRefuseExtension) &&
        c.extension != ExtensionState::kRequested) {
      may = false;
    }
    if (may) d.actions.push_back(a);
  }
  d.can_merge = access.staff && IsOpen(c.state);
  d.c = std::move(c);
  return d;
}

StatusOr<Page<Case>> CaseService::List(const auth::Principal& viewer, const CaseFilter& filter, std::string_view cursor,
                                       int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  Params params;
  std::string sql = SelectVisible(viewer, filter.public_only, &params);
  if (filter.state) {
    sql += " AND c.state = ?";
    params.push_back(std::string(StateName(*filter.state)));
  }
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  if (filter.area_id) {
    // "In the area or below" by the case's own column for the area's kind: a case carries its neighborhood,
    // subdistrict and building, taken from area_paths at intake (neither a case's area nor an area's parent ever
    // changes), so the condition is the same, and an index range read in id order answers it (0007). No index
    // serves the EXISTS over area_paths, which is probed case by case from the newest: PostgreSQL took 300 ms for
    // a neighborhood's public list at a million cases. The district and entrances keep the general form.
    ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT kind FROM areas WHERE id = ?", {*filter.area_id}));
    const std::string kind = area ? area->Text(0) : "";
    if (kind == "subdistrict") {
      sql += " AND c.subdistrict_id = ?";
    } else if (kind == "neighborhood") {
      sql += " AND c.neighborhood_id = ?";
    } else if (kind == "building") {
      sql += " AND c.building_id = ?";
    } else {
      sql += " AND EXISTS (SELECT 1 FROM area_paths fp WHERE fp.descendant_id = c.area_id AND fp.ancestor_id = ?)";
    }
    params.push_back(*filter.area_id);
  }
  if (filter.unit_id) {
    sql +=
        " AND EXISTS (SELECT 1 FROM case_assignments fa WHERE fa.case_id = c.id AND fa.unit_id = ? AND "
        "fa.ended_at IS NULL)";
    params.push_back(*filter.unit_id);
  }
  if (filter.mine) {
    if (!viewer.signed_in()) return UnauthenticatedError("sign in to see your cases");
    sql +=
        " AND (c.reporter_id = ? OR EXISTS (SELECT 1 FROM case_followers ff WHERE ff.case_id = c.id AND "
        "ff.user_id = ?))";
    params.push_back(viewer.user_id);
    params.push_back(viewer.user_id);
  }
  if (filter.overdue) {
    sql += " AND c.due_at < ?";
    params.push_back(ToUnix(clock_.Now()));
  }
  if (!cursor.empty()) {
    auto keys = DecodeCursor(cursor, 1);
    if (!keys) return InvalidArgumentError("malformed cursor", "cursor");
    sql += " AND c.id < ?";
    params.push_back((*keys)[0]);
  }
  sql += " ORDER BY c.id DESC LIMIT ?";
  params.push_back(int64_t{limit + 1});
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(sql, params));
  Page<Case> page;
  for (const auto& row : result.rows) page.items.push_back(ReadCase(row, row.Bool(kCaseColumnCount)));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = EncodeCursor({page.items.back().id});
  }
  return page;
}

StatusOr<std::vector<record::Attachment>> CaseService::Files(const auth::Principal& viewer, int64_t case_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Case c, LoadCase(*conn, case_id));
  ASSIGN_OR_RETURN(Access access, AccessTo(*conn, viewer, c.id, c.area_id, c.reporter_id, c.is_public));
  if (!access.personal) return Denied(viewer, Msg("the files of case {} are not public", case_id));
  return record::ListAttachments(*conn, CaseRef(case_id));
}

StatusOr<std::pair<record::Attachment, std::string>> CaseService::File(const auth::Principal& viewer, int64_t case_id,
                                                                       int64_t file_id, bool thumbnail) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Case c, LoadCase(*conn, case_id));
  ASSIGN_OR_RETURN(Access access, AccessTo(*conn, viewer, c.id, c.area_id, c.reporter_id, c.is_public));
  if (!access.personal) return Denied(viewer, Msg("the files of case {} are not public", case_id));
  auto attachment = record::GetAttachment(*conn, file_id);
  if (!attachment.ok() || attachment->object_ref != CaseRef(case_id)) {
    return NotFoundError(Msg("no file {} on case {}", file_id, case_id));
  }
  ASSIGN_OR_RETURN(std::string bytes, record::AttachmentBytes(*conn, file_id, thumbnail));
  return std::make_pair(std::move(attachment).value(), std::move(bytes));
}

StatusOr<std::vector<BuildingCount>> CaseService::PublicCountsByBuilding(int64_t neighborhood_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result rows,
                   conn->Execute("SELECT building_id, SUM(CASE WHEN state NOT IN ('rejected', 'answered', 'closed') "
                                 "THEN 1 ELSE 0 END), COUNT(*) FROM cases WHERE neighborhood_id = ? AND is_public = 1 "
                                 "AND building_id IS NOT NULL GROUP BY building_id ORDER BY building_id",
                                 {neighborhood_id}));
  std::vector<BuildingCount> out;
  for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Int(1), r.Int(2)});
  return out;
}

StatusOr<std::vector<Case>> CaseService::Search(const auth::Principal& viewer, const CaseSearch& q) {
  if (q.limit < 1 || q.limit > kMaxSearchResults) {
    return InvalidArgumentError(Msg("limit must be between 1 and {}", kMaxSearchResults), "limit");
  }
  if (q.ids.size() > static_cast<size_t>(kMaxSearchResults)) {
    return InvalidArgumentError(Msg("at most {} ids", kMaxSearchResults), "ids");
  }
  if (q.categories.size() > 100) return InvalidArgumentError("at most 100 categories", "categories");
  Params params;
  std::string sql = SelectVisible(viewer, q.public_only, &params);
  auto in_list = [&](const char* column, size_t n) {
    sql += std::string(" AND ") + column + " IN (";
    for (size_t i = 0; i < n; ++i) sql += i ? ", ?" : "?";
    sql += ")";
  };
  if (!q.ids.empty()) {
    in_list("c.id", q.ids.size());
    for (int64_t id : q.ids) params.push_back(id);
  }
  if (!q.categories.empty()) {
    in_list("c.category", q.categories.size());
    for (const auto& code : q.categories) params.push_back(code);
  }
  if (!q.states.empty()) {
    in_list("c.state", q.states.size());
    for (CaseState st : q.states) params.push_back(std::string(StateName(st)));
  }
  if (q.submitted_from) {
    sql += " AND c.submitted_at >= ?";
    params.push_back(ToUnix(*q.submitted_from));
  }
  if (q.submitted_to) {
    sql += " AND c.submitted_at <= ?";
    params.push_back(ToUnix(*q.submitted_to));
  }
  sql += " ORDER BY c.id DESC LIMIT ?";
  params.push_back(int64_t{q.limit});
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(sql, params));
  std::vector<Case> out;
  out.reserve(result.rows.size());
  for (const auto& row : result.rows) out.push_back(ReadCase(row, row.Bool(kCaseColumnCount)));
  return out;
}

namespace {

// "SELECT <columns> FROM <table> WHERE id IN (?, ...)" over distinct ids, into id -> the row.
StatusOr<std::vector<Row>> RowsByIds(Connection& conn, const std::string& select, std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Row> rows;
  for (size_t start = 0; start < ids.size(); start += 500) {
    const size_t end = std::min(ids.size(), start + 500);
    std::string sql = select + " IN (";
    Params params;
    for (size_t i = start; i < end; ++i) {
      sql += i > start ? ", ?" : "?";
      params.push_back(ids[i]);
    }
    sql += ")";
    ASSIGN_OR_RETURN(storage::Result r, conn.Execute(sql, params));
    for (auto& row : r.rows) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

StatusOr<std::map<int64_t, std::string>> CaseService::UnitNames(const std::vector<int64_t>& unit_ids) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto rows, RowsByIds(*conn, "SELECT id, name FROM handling_units WHERE id", unit_ids));
  std::map<int64_t, std::string> out;
  for (const auto& row : rows) out[row.Int(0)] = row.Text(1);
  return out;
}

StatusOr<std::vector<int64_t>> CaseService::FindPlaces(const std::string& text) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  std::vector<int64_t> out;
  auto collect = [&](const storage::Result& r) {
    for (const auto& row : r.rows) out.push_back(row.Int(0));
  };
  const std::string kinds = "kind IN ('neighborhood', 'building', 'entrance')";
  ASSIGN_OR_RETURN(storage::Result by_code,
                   conn->Execute("SELECT id FROM areas WHERE " + kinds + " AND code = ?", {text}));
  collect(by_code);
  if (!out.empty()) return out;
  ASSIGN_OR_RETURN(storage::Result by_name, conn->Execute("SELECT id FROM areas WHERE " + kinds +
                                                              " AND (address = ? OR name = ?) ORDER BY id "
                                                              "LIMIT 5",
                                                          {text, text}));
  collect(by_name);
  if (!out.empty()) return out;
  const size_t space = text.rfind(' ');
  if (space == std::string::npos) return out;
  ASSIGN_OR_RETURN(
      storage::Result pair,
      conn->Execute("SELECT b.id FROM areas b JOIN areas n ON n.id = b.parent_id WHERE n.kind = "
                    "'neighborhood' AND b.kind = 'building' AND n.name = ? AND b.name = ? ORDER BY b.id "
                    "LIMIT 5",
                    {std::string(Trim(text.substr(0, space))), std::string(Trim(text.substr(space + 1)))}));
  collect(pair);
  return out;
}

StatusOr<std::map<int64_t, std::string>> CaseService::AreaAddresses(const std::vector<int64_t>& area_ids) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  // Every ancestor below the district, outermost first: "华阳路街道 / 长宁小区 / 3号楼".
  ASSIGN_OR_RETURN(auto rows, RowsByIds(*conn,
                                        "SELECT p.descendant_id, a.name, p.depth FROM area_paths p JOIN areas a ON "
                                        "a.id = p.ancestor_id WHERE a.kind <> 'district' AND p.descendant_id",
                                        area_ids));
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.Int(0) != b.Int(0) ? a.Int(0) < b.Int(0) : a.Int(2) > b.Int(2);
  });
  std::map<int64_t, std::string> out;
  for (const auto& row : rows) {
    std::string& address = out[row.Int(0)];
    address += (address.empty() ? "" : " / ") + row.Text(1);
  }
  return out;
}

StatusOr<InboxView> CaseService::Inbox(const auth::Principal& viewer, int64_t unit_id, std::string_view cursor,
                                       int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto unit, conn->QueryOptional("SELECT area_id, kind FROM handling_units WHERE id = ?", {unit_id}));
  if (!unit) return NotFoundError(Msg("no handling unit {}", unit_id));
  ASSIGN_OR_RETURN(bool member, IsMember(*conn, viewer, unit_id));
  if (!member) {
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(*conn, viewer, unit->Int(0)));
    if (!staff) return Denied(viewer, Msg("the inbox of unit {} is for its members", unit_id));
  }
  const Instant now = clock_.Now();
  const Instant end_of_today = EndOfShanghaiDay(ShanghaiDate(now));
  // The cases assigned to the unit, and for the intake units (居委会, and the subdistrict office for places no
  // neighborhood committee covers) the cases of their area that wait for the intake: to be accepted, dispatched,
  // reviewed after a return, or dispatched again after a reopening. Those have no assignment yet (or none left), so
  // without this the inbox of the neighborhood stayed empty while they waited (docs/CASES.md, "Inbox").
  std::string base =
      " FROM cases c WHERE (c.id IN (SELECT a.case_id FROM case_assignments a WHERE a.unit_id = ? AND "
      "a.ended_at IS NULL) AND c.state NOT IN ('rejected', 'answered', 'closed')";  // driven by the unit's index
  Params where = {unit_id};
  const std::string& unit_kind = unit->Text(1);
  if (unit_kind == "neighborhood_committee" || unit_kind == "subdistrict_office") {
    base +=
        " OR c.state IN ('submitted', 'accepted', 'returned', 'reopened') AND c.area_id IN (SELECT "
        "p.descendant_id FROM area_paths p WHERE p.ancestor_id = ?)";
    where.push_back(unit->Int(0));
    if (unit_kind == "subdistrict_office") {
      base +=
          " AND NOT EXISTS (SELECT 1 FROM area_paths q JOIN handling_units h ON h.area_id = q.ancestor_id WHERE "
          "q.descendant_id = c.area_id AND h.kind = 'neighborhood_committee' AND h.active = 1)";
    }
  }
  base += ")";
  InboxView view;
  Params count_params = {ToUnix(now), ToUnix(now), ToUnix(end_of_today)};
  count_params.insert(count_params.end(), where.begin(), where.end());
  ASSIGN_OR_RETURN(Row counts,
                   conn->QueryOne("SELECT COUNT(*), SUM(CASE WHEN c.due_at < ? THEN 1 ELSE 0 END), SUM(CASE WHEN "
                                  "c.due_at >= ? AND c.due_at <= ? THEN 1 ELSE 0 END)" +
                                      base,
                                  count_params));
  view.open = counts.Int(0);
  view.overdue = counts.Int(1);
  view.due_today = counts.Int(2);
  // Personal data by the case's area (and the unit's current assignment), not by the unit's area: staff over a
  // department's district-wide area see no more here than on the case page.
  Params params;
  std::string personal;
  PersonalExpression(viewer, &personal, &params);
  std::string sql =
      std::string("SELECT ") + kCaseColumns + ", " + personal + " AS personal, COALESCE(c.due_at, ?) AS due_key" + base;
  params.push_back(kNoDeadline);
  params.insert(params.end(), where.begin(), where.end());
  if (!cursor.empty()) {
    auto keys = DecodeCursor(cursor, 2);
    if (!keys) return InvalidArgumentError("malformed cursor", "cursor");
    sql += " AND (COALESCE(c.due_at, ?) > ? OR (COALESCE(c.due_at, ?) = ? AND c.id > ?))";
    params.insert(params.end(), {kNoDeadline, (*keys)[0], kNoDeadline, (*keys)[0], (*keys)[1]});
  }
  sql += " ORDER BY due_key, c.id LIMIT ?";
  params.push_back(int64_t{limit + 1});
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(sql, params));
  std::vector<int64_t> keys;
  for (const auto& row : result.rows) {
    view.items.push_back(ReadCase(row, row.Bool(kCaseColumnCount)));
    keys.push_back(row.Int(kCaseColumnCount + 1));
  }
  if (static_cast<int>(view.items.size()) > limit) {
    view.items.pop_back();
    view.next_cursor = EncodeCursor({keys[view.items.size() - 1], view.items.back().id});
  }
  return view;
}

StatusOr<Case> CaseService::Act(const auth::Principal& by, int64_t case_id, CaseAction action, const ActionInput& in) {
  // Input checks that need no state.
  RETURN_IF_ERROR(CheckText(in.note, "note", kMaxNoteChars, false));
  Case out;
  const std::shared_ptr<const WorkingCalendar> calendar = calendars_.Get();
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(Case c, LoadCaseForUpdate(tx, case_id));
    const CaseState read_state = c.state;
    const ExtensionState read_extension = c.extension;
    ASSIGN_OR_RETURN(Access access, AccessTo(tx, by, c.id, c.area_id, c.reporter_id, c.is_public));
    if (!access.visible) return Denied(by, Msg("case {} is not public", case_id));
    auto t = FindTransition(c.state, action);
    if (!t) return IllegalAction(c.state, action);
    // Who may act.
    switch (t->who) {
      case ActorKind::kStaff:
        if (!access.staff) return Denied(by, Msg("only staff over the case's area may {}", ActionName(action)));
        break;
      case ActorKind::kLeadUnit: {
        bool member = false;
        if (c.lead_unit_id) {
          ASSIGN_OR_RETURN(member, IsMember(tx, by, *c.lead_unit_id));
        }
        if (!member) {
          return Denied(by, Msg("only members of the lead unit may {}", ActionName(action)));
        }
        break;
      }
      case ActorKind::kStaffOrReporter:
        if (!access.staff && !access.reporter) {
          return Denied(by, Msg("only the reporter or staff may {}", ActionName(action)));
        }
        break;
    }
    const record::Actor actor = auth::ActorOf(by);
    const std::string ref = CaseRef(c.id);
    nlohmann::json data = nlohmann::json::object();
    auto need_note = [&](Msg message) -> Status {
      if (Trim(in.note).empty()) return InvalidArgumentError(std::move(message), "note");
      return OkStatus();
    };
    // Moves the case to `to` and records the event and the audit record.
    auto record_step = [&](CaseAction a, CaseState from, const nlohmann::json& d, const std::string& note) -> Status {
      RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, ActionName(a), note, d));
      return record::Audit(
          tx, now, actor, "case." + std::string(ActionName(a)), ref,
          {{"before", {{"state", StateName(from)}}}, {"after", {{"state", StateName(c.state)}}}, {"data", d}});
    };
    auto dispatch_to = [&](int64_t lead, const std::vector<int64_t>& co) -> Status {
      RETURN_IF_ERROR(EndAssignments(tx, c.id, now, "redispatched"));
      ASSIGN_OR_RETURN(Instant sign_due, Deadline(tx, *calendar, "sign", c, now));
      ASSIGN_OR_RETURN(Instant reply_due, Deadline(tx, *calendar, "reply", c, now));
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO case_assignments (case_id, unit_id, role, assigned_at, sign_due_at, "
                     "reply_due_at) VALUES (?, ?, 'lead', ?, ?, ?)",
                     {c.id, lead, ToUnix(now), ToUnix(sign_due), ToUnix(reply_due)}));
      for (int64_t u : co) {
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO case_assignments (case_id, unit_id, role, assigned_at) VALUES (?, ?, 'co', ?)",
                       {c.id, u, ToUnix(now)}));
      }
      c.lead_unit_id = lead;
      c.due_at = sign_due;
      c.reply_due_at = reply_due;
      c.overdue_since.reset();
      c.extension = ExtensionState::kNone;
      data = {{"lead_unit_id", lead},
              {"co_unit_ids", co},
              {"sign_due_at", FormatUtc(sign_due)},
              {"reply_due_at", FormatUtc(reply_due)},
              {"complex", c.complex}};
      return OkStatus();
    };
    auto reopen = [&]() -> Status {
      c.reopen_count += 1;
      RETURN_IF_ERROR(
          tx.Execute("UPDATE case_assignments SET reopened = 1 WHERE id = (SELECT MAX(id) FROM "
                     "case_assignments WHERE case_id = ? AND role = 'lead' AND replied_at IS NOT NULL)",
                     {c.id}));
      RETURN_IF_ERROR(EndAssignments(tx, c.id, now, "reopened"));
      c.lead_unit_id.reset();
      c.closed_at.reset();
      c.reply_due_at.reset();
      c.overdue_since.reset();
      c.extension = ExtensionState::kNone;
      c.state = CaseState::kReopened;
      ASSIGN_OR_RETURN(Instant due, Deadline(tx, *calendar, "dispatch", c, now));
      c.due_at = due;
      return OkStatus();
    };

    std::optional<CaseAction> then_reopen;
    switch (action) {
      case CaseAction::kAccept:
        break;
      case CaseAction::kReject:
        RETURN_IF_ERROR(need_note("a reason is required"));
        RETURN_IF_ERROR(EndAssignments(tx, c.id, now, "closed"));
        c.due_at.reset();
        c.overdue_since.reset();
        c.lead_unit_id.reset();
        c.closed_at = now;
        break;
      case CaseAction::kAnswer:
        if (c.type != "enquiry") {
          return FailedPreconditionError(Msg("only enquiries are answered directly; this case is a {}", c.type));
        }
        RETURN_IF_ERROR(need_note("the answer is required"));
        c.due_at.reset();
        c.overdue_since.reset();
        break;
      case CaseAction::kDispatch:
      case CaseAction::kRedispatch: {
        if (in.complex) c.complex = *in.complex;
        std::optional<int64_t> lead = in.lead_unit_id;
        std::vector<int64_t> co = in.co_unit_ids;
        if (!lead) {
          ASSIGN_OR_RETURN(RoutingProposal p, Propose(tx, c));
          lead = p.lead_unit_id;
          if (in.co_unit_ids.empty()) co = p.co_unit_ids;
        }
        if (!lead) return InvalidArgumentError("no routing rule matches: choose the lead unit", "lead_unit_id");
        RETURN_IF_ERROR(CheckUnit(tx, *lead, "lead_unit_id"));
        if (co.size() > 10) return InvalidArgumentError("at most 10 co-units", "co_unit_ids");
        std::set<int64_t> seen = {*lead};
        for (int64_t u : co) {
          RETURN_IF_ERROR(CheckUnit(tx, u, "co_unit_ids"));
          if (!seen.insert(u).second) {
            return InvalidArgumentError(Msg("unit {} is named twice", u), "co_unit_ids");
          }
        }
        RETURN_IF_ERROR(dispatch_to(*lead, co));
        break;
      }
      case CaseAction::kReviewReturn: {
        ASSIGN_OR_RETURN(storage::Result prev,
                         tx.Execute("SELECT unit_id, role FROM case_assignments WHERE case_id = ? AND end_reason = "
                                    "'returned' AND ended_at = (SELECT MAX(ended_at) FROM case_assignments WHERE "
                                    "case_id = ? AND end_reason = 'returned') ORDER BY id",
                                    {c.id, c.id}));
        std::optional<int64_t> lead;
        std::vector<int64_t> co;
        for (const auto& r : prev.rows) {
          if (r.Text(1) == "lead") {
            lead = r.Int(0);
          } else {
            co.push_back(r.Int(0));
          }
        }
        if (!lead) return InternalError(Msg("case {} is returned without a returned unit", c.id));
        RETURN_IF_ERROR(dispatch_to(*lead, co));
        data["return_refused"] = true;
        break;
      }
      case CaseAction::kSign:
        RETURN_IF_ERROR(
            tx.Execute("UPDATE case_assignments SET signed_at = ? WHERE case_id = ? AND role = 'lead' AND "
                       "ended_at IS NULL",
                       {ToUnix(now), c.id}));
        c.due_at = c.reply_due_at;
        c.overdue_since.reset();
        break;
      case CaseAction::kStart:
        break;
      case CaseAction::kReply:
        RETURN_IF_ERROR(need_note("the reply is required"));
        RETURN_IF_ERROR(
            tx.Execute("UPDATE case_assignments SET replied_at = ? WHERE case_id = ? AND role = 'lead' "
                       "AND ended_at IS NULL",
                       {ToUnix(now), c.id}));
        data["on_time"] = !c.reply_due_at || now <= *c.reply_due_at;
        c.due_at.reset();
        c.overdue_since.reset();
        break;
      case CaseAction::kReturn:
        RETURN_IF_ERROR(need_note("a reason is required"));
        data["unit_id"] = OptJson(c.lead_unit_id);
        RETURN_IF_ERROR(EndAssignments(tx, c.id, now, "returned"));
        c.lead_unit_id.reset();
        c.reply_due_at.reset();
        c.overdue_since.reset();
        c.extension = ExtensionState::kNone;
        {
          ASSIGN_OR_RETURN(Instant due, Deadline(tx, *calendar, "dispatch", c, now));
          c.due_at = due;
        }
        break;
      case CaseAction::kRequestExtension:
        if (c.extension == ExtensionState::kRequested) {
          return FailedPreconditionError(Msg("an extension request is already pending on case {}", c.id));
        }
        if (in.extension_days < 1 || in.extension_days > kMaxExtensionDays) {
          return InvalidArgumentError(Msg("extension_days is between 1 and {}", kMaxExtensionDays), "extension_days");
        }
        RETURN_IF_ERROR(need_note("a reason is required"));
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO case_extensions (case_id, unit_id, days, reason, requested_at) "
                       "VALUES (?, ?, ?, ?, ?)",
                       {c.id, *c.lead_unit_id, int64_t{in.extension_days}, in.note, ToUnix(now)}));
        c.extension = ExtensionState::kRequested;
        data["days"] = in.extension_days;
        break;
      case CaseAction::kApproveExtension:
      case CaseAction::kRefuseExtension: {
        if (c.extension != ExtensionState::kRequested) {
          return FailedPreconditionError(Msg("no extension request is pending on case {}", c.id));
        }
        ASSIGN_OR_RETURN(Row ext, tx.QueryOne("SELECT id, days FROM case_extensions WHERE case_id = ? AND decision = "
                                              "'' ORDER BY id DESC LIMIT 1",
                                              {c.id}));
        const bool approve = action == CaseAction::kApproveExtension;
        RETURN_IF_ERROR(
            tx.Execute("UPDATE case_extensions SET decision = ?, decided_at = ?, decided_by = ? WHERE id = ?",
                       {std::string(approve ? "approved" : "refused"), ToUnix(now), storage::Nullable(actor.user_id),
                        ext.Int(0)}));
        data["days"] = ext.Int(1);
        if (approve) {
          Instant base = c.reply_due_at.value_or(now);
          Instant due = calendar->AddWorkingDays(base, static_cast<int>(ext.Int(1)));
          c.reply_due_at = due;
          RETURN_IF_ERROR(
              tx.Execute("UPDATE case_assignments SET reply_due_at = ? WHERE case_id = ? AND role = "
                         "'lead' AND ended_at IS NULL",
                         {ToUnix(due), c.id}));
          c.due_at = due;
          if (due > now) c.overdue_since.reset();
          data["reply_due_at"] = FormatUtc(due);
        }
        c.extension = approve ? ExtensionState::kApproved : ExtensionState::kRefused;
        break;
      }
      case CaseAction::kFollowUp: {
        if (!in.resolved) return InvalidArgumentError("say whether it was resolved", "resolved");
        if (!Contains(Satisfactions(), in.satisfaction)) {
          return InvalidArgumentError(Msg("satisfaction is one of {}", Join(Satisfactions())), "satisfaction");
        }
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO case_follow_ups (case_id, at, by_user, resolved, satisfaction, "
                       "comment) VALUES (?, ?, ?, ?, ?, ?)",
                       {c.id, ToUnix(now), storage::Nullable(actor.user_id), int64_t{*in.resolved ? 1 : 0},
                        in.satisfaction, in.note}));
        RETURN_IF_ERROR(
            tx.Execute("UPDATE case_assignments SET followed_up_at = ?, resolved = ?, satisfaction = ? "
                       "WHERE id = (SELECT MAX(id) FROM case_assignments WHERE case_id = ? AND role = "
                       "'lead' AND replied_at IS NOT NULL)",
                       {ToUnix(now), int64_t{*in.resolved ? 1 : 0}, in.satisfaction, c.id}));
        data = {{"resolved", *in.resolved}, {"satisfaction", in.satisfaction}};
        if (!*in.resolved || in.satisfaction == "dissatisfied") then_reopen = CaseAction::kReopen;
        break;
      }
      case CaseAction::kClose:
        RETURN_IF_ERROR(EndAssignments(tx, c.id, now, "closed"));
        c.closed_at = now;
        c.due_at.reset();
        c.overdue_since.reset();
        c.lead_unit_id.reset();
        break;
      case CaseAction::kReopen:
        RETURN_IF_ERROR(reopen());
        data["reopen_count"] = c.reopen_count;
        break;
    }
    c.state = t->to;
    c.updated_at = now;
    RETURN_IF_ERROR(record_step(action, read_state, data, in.note));
    if (then_reopen) {
      // Unresolved or dissatisfied: reopened at once (counted), by the same hand.
      const CaseState from = c.state;
      RETURN_IF_ERROR(reopen());
      RETURN_IF_ERROR(
          record_step(CaseAction::kReopen, from, {{"reopen_count", c.reopen_count}, {"after_follow_up", true}}, ""));
    }
    RETURN_IF_ERROR(SaveCase(tx, c, read_state, read_extension));
    ASSIGN_OR_RETURN(out, LoadCase(tx, c.id));
    if (!access.personal) HidePersonal(out);
    return OkStatus();
  }));
  return out;
}

StatusOr<RoutingProposal> CaseService::ProposeRouting(const auth::Principal& by, int64_t case_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Case c, LoadCase(*conn, case_id));
  ASSIGN_OR_RETURN(bool staff, IsStaffFor(*conn, by, c.area_id));
  if (!staff) return Denied(by, "routing is for staff over the case's area");
  return Propose(*conn, c);
}

StatusOr<Consultation> CaseService::RecordConsultationOutcome(const auth::Principal& by, int64_t case_id,
                                                              int64_t consultation_id, const std::string& outcome) {
  RETURN_IF_ERROR(CheckText(outcome, "outcome", kMaxNoteChars, true));
  Consultation out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(Case c, LoadCaseForUpdate(tx, case_id));
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, c.area_id));
    if (!staff) return Denied(by, "only staff over the case's area record a consultation's outcome");
    ASSIGN_OR_RETURN(auto row, tx.QueryOptional("SELECT outcome FROM case_consultations WHERE id = ? AND case_id = ?",
                                                {consultation_id, case_id}));
    if (!row) return NotFoundError(Msg("no consultation {} on case {}", consultation_id, case_id));
    if (!row->Text(0).empty()) return FailedPreconditionError("the outcome of this consultation is recorded already");
    const record::Actor actor = auth::ActorOf(by);
    RETURN_IF_ERROR(tx.Execute("UPDATE case_consultations SET outcome = ?, outcome_at = ?, outcome_by = ? WHERE id = ?",
                               {outcome, ToUnix(now), storage::Nullable(actor.user_id), consultation_id}));
    RETURN_IF_ERROR(record::AddEvent(tx, CaseRef(case_id), now, actor, "consultation_outcome", outcome,
                                     {{"consultation_id", consultation_id}}));
    RETURN_IF_ERROR(record::Audit(tx, now, actor, "case.consultation_outcome", CaseRef(case_id),
                                  {{"consultation_id", consultation_id}}));
    ASSIGN_OR_RETURN(Row k, tx.QueryOne("SELECT id, called_at, reason, unit_ids, outcome, outcome_at FROM "
                                        "case_consultations WHERE id = ?",
                                        {consultation_id}));
    out = {k.Int(0), FromUnix(k.Int(1)), k.Text(2), {}, k.Text(4), OptInstant(k, 5)};
    auto units = nlohmann::json::parse(k.Text(3), nullptr, false);
    if (units.is_array()) {
      for (const auto& u : units) out.unit_ids.push_back(u.get<int64_t>());
    }
    return OkStatus();
  }));
  return out;
}

StatusOr<OverdueReport> CaseService::RunOverdue() {
  OverdueReport report;
  const Instant now = clock_.Now();
  const record::Actor actor = record::Actor::System("job:cases.overdue");
  constexpr int kBatch = 500;
  for (;;) {
    std::vector<int64_t> ids;
    {
      ASSIGN_OR_RETURN(auto conn, db_.Acquire());
      ASSIGN_OR_RETURN(storage::Result due,
                       conn->Execute("SELECT id FROM cases WHERE due_at < ? AND overdue_since IS NULL ORDER BY due_at, "
                                     "id LIMIT ?",
                                     {ToUnix(now), int64_t{kBatch}}));
      for (const auto& r : due.rows) ids.push_back(r.Int(0));
    }
    for (int64_t id : ids) {
      RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
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
      }));
    }
    if (static_cast<int>(ids.size()) < kBatch) break;
  }
  for (;;) {
    std::vector<int64_t> ids;
    {
      ASSIGN_OR_RETURN(auto conn, db_.Acquire());
      ASSIGN_OR_RETURN(storage::Result due,
                       conn->Execute("SELECT id FROM cases WHERE escalated_at IS NULL AND state NOT IN ('rejected', "
                                     "'answered', 'closed') AND (overdue_count >= ? OR reopen_count >= ?) ORDER BY id "
                                     "LIMIT ?",
                                     {int64_t{options_.escalate_after_overdue}, int64_t{options_.escalate_after_reopen},
                                      int64_t{kBatch}}));
      for (const auto& r : due.rows) ids.push_back(r.Int(0));
    }
    for (int64_t id : ids) {
      RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
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
        const std::string reason =
            c.overdue_count >= options_.escalate_after_overdue ? "overdue_twice" : "reopened_twice";
        ASSIGN_OR_RETURN(Row k, tx.QueryOne("INSERT INTO case_consultations (case_id, called_at, reason, unit_ids) "
                                            "VALUES (?, ?, ?, ?) RETURNING id",
                                            {id, ToUnix(now), reason, nlohmann::json(unit_ids).dump()}));
        const std::string ref = CaseRef(id);
        RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "consultation_called", "",
                                         {{"consultation_id", k.Int(0)}, {"reason", reason}, {"unit_ids", unit_ids}}));
        RETURN_IF_ERROR(record::Audit(tx, now, actor, "case.consultation_called", ref,
                                      {{"reason", reason}, {"unit_ids", unit_ids}}));
        ++report.escalated;
        return OkStatus();
      }));
    }
    if (static_cast<int>(ids.size()) < kBatch) break;
  }
  return report;
}

StatusOr<std::vector<MetricsRow>> CaseService::Metrics(const auth::Principal& viewer, const MetricsQuery& query) {
  if (query.group != "unit" && query.group != "area") {
    return InvalidArgumentError("group is unit or area", "group");
  }
  if (query.to <= query.from) return InvalidArgumentError("the period ends after it starts", "to");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  bool allowed = IsSystem(viewer) || !StaffAreas(viewer).empty() || viewer.HasRole(auth::Role::kDeputy);
  if (!allowed && viewer.signed_in()) {
    ASSIGN_OR_RETURN(
        auto m, conn->QueryOptional("SELECT 1 FROM handling_unit_members WHERE user_id = ? LIMIT 1", {viewer.user_id}));
    allowed = m.has_value();
  }
  if (!allowed) return Denied(viewer, "the rates are for staff, deputies and handling units");
  const std::string counts =
      "COUNT(*), "
      "SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_due_at THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN a.followed_up_at IS NOT NULL THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN a.followed_up_at IS NOT NULL AND a.resolved = 1 THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN a.followed_up_at IS NOT NULL AND a.satisfaction IN ('satisfied', 'basically_satisfied') "
      "THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN a.replied_at IS NOT NULL THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN a.replied_at IS NOT NULL AND a.replied_at <= a.reply_due_at THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN a.replied_at IS NOT NULL AND a.reopened = 1 THEN 1 ELSE 0 END)";
  std::string sql;
  if (query.group == "unit") {
    sql = "SELECT u.id, u.name, " + counts +
          " FROM case_assignments a JOIN handling_units u ON u.id = a.unit_id WHERE a.role = 'lead' AND "
          "a.assigned_at >= ? AND a.assigned_at < ? GROUP BY u.id, u.name ORDER BY u.id";
  } else {
    sql = "SELECT ar.id, ar.name, " + counts +
          " FROM case_assignments a JOIN cases c ON c.id = a.case_id JOIN areas ar ON ar.id = c.subdistrict_id WHERE "
          "a.role = 'lead' AND a.assigned_at >= ? AND a.assigned_at < ? GROUP BY ar.id, ar.name ORDER BY ar.id";
  }
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(sql, {ToUnix(query.from), ToUnix(query.to)}));
  std::vector<MetricsRow> out;
  const MetricWeights& w = options_.weights;
  for (const auto& r : result.rows) {
    MetricsRow m;
    m.id = r.Int(0);
    m.name = r.Text(1);
    m.dispatched = r.Int(2);
    m.response = {r.Int(3), r.Int(2)};
    m.resolution = {r.Int(5), r.Int(4)};
    m.satisfaction = {r.Int(6), r.Int(4)};
    m.on_time = {r.Int(8), r.Int(7)};
    m.reopen = {r.Int(9), r.Int(7)};
    double sum = 0, weights = 0;
    auto add = [&](const Rate& rate, double weight, bool inverted) {
      auto v = rate.value();
      if (!v || weight <= 0) return;
      sum += weight * (inverted ? 1 - *v : *v);
      weights += weight;
    };
    add(m.response, w.response, false);
    add(m.resolution, w.resolution, false);
    add(m.satisfaction, w.satisfaction, false);
    add(m.on_time, w.on_time, false);
    add(m.reopen, w.reopen, true);
    if (weights > 0) m.score = 100 * sum / weights;
    out.push_back(std::move(m));
  }
  return out;
}

StatusOr<std::vector<SimilarCase>> CaseService::Similar(const auth::Principal& viewer, const SimilarQuery& q) {
  if (q.limit < 1 || q.limit > 20) return InvalidArgumentError("limit is between 1 and 20", "limit");
  RETURN_IF_ERROR(CheckText(q.title, "title", kMaxTitleChars, false));
  RETURN_IF_ERROR(CheckText(q.description, "description", kMaxDescriptionChars, false));
  std::call_once(impl_->normalizer_once, [this] {
    auto n = text::Normalizer::Create();
    if (n.ok()) {
      impl_->normalizer = std::move(n).value();
    } else {
      impl_->normalizer_status = n.status();
    }
  });
  if (!impl_->normalizer) return impl_->normalizer_status;
  // Bigrams and words: single characters match too much unrelated Chinese text.
  auto tokens = [&](const std::string& text) {
    std::set<std::string> out;
    for (auto& t : text::SearchTokensOfNormalized(impl_->normalizer->NormalizeValid(text))) {
      if (utf8::CodePointCount(t) >= 2) out.insert(std::move(t));
    }
    return out;
  };
  const std::set<std::string> query = tokens(q.title + " " + q.description);
  std::vector<SimilarCase> out;
  if (query.empty()) return out;
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result path,
                   conn->Execute("SELECT a.id FROM area_paths p JOIN areas a ON a.id = p.ancestor_id WHERE "
                                 "p.descendant_id = ? AND a.kind = 'neighborhood'",
                                 {q.area_id}));
  if (path.rows.empty()) return InvalidArgumentError("the area is not inside a neighborhood", "area_id");
  Params params;
  std::string personal, visible;
  PersonalExpression(viewer, &personal, &params);
  std::string sql = std::string("SELECT ") + kCaseColumns + ", " + personal + " FROM cases c WHERE ";
  VisibleCondition(viewer, &visible, &params);
  sql += visible +
         " AND c.neighborhood_id = ? AND c.state NOT IN ('rejected', 'answered', 'closed') ORDER BY c.id "
         "DESC LIMIT ?";
  params.push_back(path.rows[0].Int(0));
  params.push_back(int64_t{options_.similar_candidates});
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(sql, params));
  for (const auto& row : result.rows) {
    Case c = ReadCase(row, row.Bool(kCaseColumnCount));
    const std::set<std::string> other = tokens(c.title + " " + c.description);
    if (other.empty()) continue;
    size_t common = 0;
    for (const auto& t : query) common += other.count(t);
    // Overlap coefficient: a short report inside a longer one still scores high.
    const double score = static_cast<double>(common) / static_cast<double>(std::min(query.size(), other.size()));
    if (score < options_.similar_min_score) continue;
    const bool same_building = q.building_id && c.building_id == q.building_id;
    out.push_back({std::move(c), score, same_building});
  }
  std::stable_sort(out.begin(), out.end(), [](const SimilarCase& a, const SimilarCase& b) {
    if (a.same_building != b.same_building) return a.same_building;
    return a.score > b.score;
  });
  if (static_cast<int>(out.size()) > q.limit) out.resize(q.limit);
  return out;
}

StatusOr<Case> CaseService::MeToo(const auth::Principal& by, int64_t case_id) {
  if (!by.signed_in() || IsSystem(by)) return UnauthenticatedError("sign in to follow a case");
  Case out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(Case c, LoadCaseForUpdate(tx, case_id));
    ASSIGN_OR_RETURN(Access access, AccessTo(tx, by, c.id, c.area_id, c.reporter_id, c.is_public));
    if (!access.visible) return Denied(by, Msg("case {} is not public", case_id));
    if (!IsOpen(c.state)) {
      return FailedPreconditionError(
          Msg("case {} is {}; only open cases take a \"me too\"", case_id, StateName(c.state)));
    }
    ASSIGN_OR_RETURN(bool following, IsFollower(tx, by, case_id));
    if (following) return AlreadyExistsError(Msg("you follow case {} already", case_id));
    RETURN_IF_ERROR(tx.Execute("INSERT INTO case_followers (case_id, user_id, since) VALUES (?, ?, ?)",
                               {case_id, by.user_id, ToUnix(now)}));
    RETURN_IF_ERROR(tx.Execute("UPDATE cases SET me_too_count = me_too_count + 1 WHERE id = ?", {case_id}));
    const record::Actor actor = auth::ActorOf(by);
    RETURN_IF_ERROR(record::AddEvent(tx, CaseRef(case_id), now, actor, "me_too", "", {}));
    RETURN_IF_ERROR(record::Audit(tx, now, actor, "case.me_too", CaseRef(case_id), {{"count", c.me_too_count + 1}}));
    ASSIGN_OR_RETURN(out, LoadCase(tx, case_id));
    if (!access.personal) HidePersonal(out);
    return OkStatus();
  }));
  return out;
}

StatusOr<Case> CaseService::Merge(const auth::Principal& by, int64_t duplicate_id, int64_t into_id,
                                  const std::string& note) {
  if (duplicate_id == into_id) return InvalidArgumentError("a case is not a duplicate of itself", "into");
  RETURN_IF_ERROR(CheckText(note, "note", kMaxNoteChars, false));
  Case out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    // Both rows locked, the lower id first: two merges of the same pair (either way round) wait instead of
    // deadlocking.
    ASSIGN_OR_RETURN(Case first, LoadCaseForUpdate(tx, std::min(duplicate_id, into_id)));
    ASSIGN_OR_RETURN(Case second, LoadCaseForUpdate(tx, std::max(duplicate_id, into_id)));
    Case dup = duplicate_id < into_id ? first : second;
    Case into = duplicate_id < into_id ? second : first;
    for (const Case* c : {&dup, &into}) {
      ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, c->area_id));
      if (!staff) return Denied(by, "only staff over both cases' areas merge them");
      if (!IsOpen(c->state)) {
        return FailedPreconditionError(Msg("case {} is {}; only open cases are merged", c->id, StateName(c->state)));
      }
    }
    if (into.merged_into) return FailedPreconditionError(Msg("case {} is merged already", into_id));
    const CaseState dup_state = dup.state;
    const ExtensionState dup_ext = dup.extension;
    RETURN_IF_ERROR(EndAssignments(tx, dup.id, now, "closed"));
    dup.state = CaseState::kClosed;
    dup.closed_at = now;
    dup.due_at.reset();
    dup.overdue_since.reset();
    dup.lead_unit_id.reset();
    dup.merged_into = into_id;
    dup.updated_at = now;
    RETURN_IF_ERROR(SaveCase(tx, dup, dup_state, dup_ext));
    // The duplicate's voices join the kept case: its reporter and followers follow it and count.
    ASSIGN_OR_RETURN(storage::Result moved,
                     tx.Execute("INSERT INTO case_followers (case_id, user_id, since) SELECT ?, f.user_id, ? FROM "
                                "case_followers f WHERE f.case_id = ? ON CONFLICT DO NOTHING",
                                {into_id, ToUnix(now), duplicate_id}));
    (void)moved;
    RETURN_IF_ERROR(tx.Execute("UPDATE cases SET me_too_count = me_too_count + ?, updated_at = ? WHERE id = ?",
                               {dup.me_too_count + 1, ToUnix(now), into_id}));
    const record::Actor actor = auth::ActorOf(by);
    RETURN_IF_ERROR(record::AddLink(tx, CaseRef(duplicate_id), "duplicate_of", CaseRef(into_id), now, actor));
    RETURN_IF_ERROR(record::AddEvent(tx, CaseRef(duplicate_id), now, actor, "merged", note, {{"into", into_id}}));
    RETURN_IF_ERROR(
        record::AddEvent(tx, CaseRef(into_id), now, actor, "duplicate_merged", note, {{"duplicate", duplicate_id}}));
    RETURN_IF_ERROR(record::Audit(
        tx, now, actor, "case.merge", CaseRef(duplicate_id),
        {{"before", {{"state", StateName(dup_state)}}}, {"after", {{"state", "closed"}, {"merged_into", into_id}}}}));
    ASSIGN_OR_RETURN(out, LoadCase(tx, into_id));
    return OkStatus();
  }));
  return out;
}

StatusOr<std::vector<Category>> CaseService::Categories() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r, conn->Execute("SELECT code, name_zh, name_en, complex FROM case_categories "
                                                    "WHERE active = 1 ORDER BY sort_key, code"));
  std::vector<Category> out;
  for (const auto& row : r.rows) out.push_back({row.Text(0), row.Text(1), row.Text(2), row.Bool(3)});
  return out;
}

namespace {
constexpr char kUnitColumns[] = "id, code, name, kind, area_id, active";
HandlingUnit ReadUnit(const Row& r) { return {r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Bool(5)}; }
}  // namespace

StatusOr<std::vector<HandlingUnit>> CaseService::Units() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute(std::string("SELECT ") + kUnitColumns + " FROM handling_units ORDER BY id"));
  std::vector<HandlingUnit> out;
  for (const auto& row : r.rows) out.push_back(ReadUnit(row));
  return out;
}

StatusOr<HandlingUnit> CaseService::GetUnit(int64_t unit_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(
      auto row,
      conn->QueryOptional(std::string("SELECT ") + kUnitColumns + " FROM handling_units WHERE id = ?", {unit_id}));
  if (!row) return NotFoundError(Msg("no handling unit {}", unit_id));
  return ReadUnit(*row);
}

StatusOr<std::vector<HandlingUnit>> CaseService::UnitsOf(int64_t user_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("SELECT u.id, u.code, u.name, u.kind, u.area_id, u.active FROM handling_units u JOIN "
                                 "handling_unit_members m ON m.unit_id = u.id WHERE m.user_id = ? ORDER BY u.id",
                                 {user_id}));
  std::vector<HandlingUnit> out;
  for (const auto& row : r.rows) out.push_back(ReadUnit(row));
  return out;
}

StatusOr<HandlingUnit> CaseService::CreateUnit(const auth::Principal& by, const HandlingUnit& unit) {
  RETURN_IF_ERROR(CheckText(unit.name, "name", 100, true));
  RETURN_IF_ERROR(CheckText(unit.code, "code", 64, true));
  if (!Contains(UnitKinds(), unit.kind))
    return InvalidArgumentError(Msg("kind is one of {}", Join(UnitKinds())), "kind");
  HandlingUnit out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT id FROM areas WHERE id = ?", {unit.area_id}));
    if (!area) return InvalidArgumentError(Msg("no area {}", unit.area_id), "area_id");
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, unit.area_id));
    if (!staff) return Denied(by, "only staff over the area create its handling units");
    ASSIGN_OR_RETURN(auto dup, tx.QueryOptional("SELECT id FROM handling_units WHERE code = ?", {unit.code}));
    if (dup) return AlreadyExistsError(Msg("a handling unit has the code {}", QuoteForMessage(unit.code)), "code");
    ASSIGN_OR_RETURN(Row row, tx.QueryOne("INSERT INTO handling_units (code, name, kind, area_id, active, created_at) "
                                          "VALUES (?, ?, ?, ?, 1, ?) RETURNING id",
                                          {unit.code, unit.name, unit.kind, unit.area_id, ToUnix(now)}));
    out = unit;
    out.id = row.Int(0);
    out.active = true;
    return record::Audit(tx, now, auth::ActorOf(by), "handling_unit.create", record::Ref("handling_unit", out.id),
                         {{"after", out.ToJson()}});
  }));
  return out;
}

Status CaseService::AddUnitMember(const auth::Principal& by, int64_t unit_id, int64_t user_id) {
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto unit, tx.QueryOptional("SELECT area_id FROM handling_units WHERE id = ?", {unit_id}));
    if (!unit) return NotFoundError(Msg("no handling unit {}", unit_id));
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, unit->Int(0)));
    if (!staff) return Denied(by, "only staff over the unit's area add its members");
    ASSIGN_OR_RETURN(auto user, tx.QueryOptional("SELECT id FROM users WHERE id = ?", {user_id}));
    if (!user) return InvalidArgumentError(Msg("no user {}", user_id), "user_id");
    ASSIGN_OR_RETURN(auto dup, tx.QueryOptional("SELECT 1 FROM handling_unit_members WHERE unit_id = ? AND user_id = ?",
                                                {unit_id, user_id}));
    if (dup) return AlreadyExistsError(Msg("user {} is a member already", user_id), "user_id");
    RETURN_IF_ERROR(tx.Execute("INSERT INTO handling_unit_members (unit_id, user_id, added_at) VALUES (?, ?, ?)",
                               {unit_id, user_id, ToUnix(now)}));
    return record::Audit(tx, now, auth::ActorOf(by), "handling_unit.add_member", record::Ref("handling_unit", unit_id),
                         {{"user_id", user_id}});
  });
}

StatusOr<int64_t> CaseService::AddRoutingRule(const auth::Principal& by, const std::string& category, int64_t area_id,
                                              int64_t lead_unit_id, const std::vector<int64_t>& co_unit_ids) {
  int64_t id = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto cat, tx.QueryOptional("SELECT 1 FROM case_categories WHERE code = ?", {category}));
    if (!cat) return InvalidArgumentError(Msg("unknown category {}", QuoteForMessage(category)), "category");
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT id FROM areas WHERE id = ?", {area_id}));
    if (!area) return InvalidArgumentError(Msg("no area {}", area_id), "area_id");
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, area_id));
    if (!staff) return Denied(by, "only staff over the area set its routing");
    RETURN_IF_ERROR(CheckUnit(tx, lead_unit_id, "lead_unit_id"));
    for (int64_t u : co_unit_ids) RETURN_IF_ERROR(CheckUnit(tx, u, "co_unit_ids"));
    RETURN_IF_ERROR(
        tx.Execute("DELETE FROM case_routing_rules WHERE category = ? AND area_id = ?", {category, area_id}));
    ASSIGN_OR_RETURN(Row row,
                     tx.QueryOne("INSERT INTO case_routing_rules (category, area_id, lead_unit_id, "
                                 "co_unit_ids, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                 {category, area_id, lead_unit_id, nlohmann::json(co_unit_ids).dump(), ToUnix(now)}));
    id = row.Int(0);
    return record::Audit(tx, now, auth::ActorOf(by), "case_routing.set", record::Ref("area", area_id),
                         {{"category", category}, {"lead_unit_id", lead_unit_id}, {"co_unit_ids", co_unit_ids}});
  }));
  return id;
}

Status CaseService::SetTimeLimit(const auth::Principal& by, const std::string& stage, const std::string& type,
                                 const std::string& category, const std::string& urgency, const std::string& complexity,
                                 int amount, const std::string& unit) {
  if (stage != "dispatch" && stage != "sign" && stage != "reply") {
    return InvalidArgumentError("stage is dispatch, sign or reply", "stage");
  }
  if (type != "*" && !Contains(CaseTypes(), type)) return InvalidArgumentError("unknown type", "type");
  if (urgency != "*" && !Contains(Urgencies(), urgency)) return InvalidArgumentError("unknown urgency", "urgency");
  if (complexity != "*" && complexity != "ordinary" && complexity != "complex") {
    return InvalidArgumentError("complexity is ordinary, complex or *", "complexity");
  }
  if (unit != "hours" && unit != "working_days") return InvalidArgumentError("unit is hours or working_days", "unit");
  if (amount < 1 || amount > (unit == "hours" ? 24 * 365 : 365)) {
    return InvalidArgumentError("amount is out of range", "amount");
  }
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    if (category != "*") {
      ASSIGN_OR_RETURN(auto cat, tx.QueryOptional("SELECT 1 FROM case_categories WHERE code = ?", {category}));
      if (!cat) return InvalidArgumentError(Msg("unknown category {}", QuoteForMessage(category)), "category");
    }
    ASSIGN_OR_RETURN(auto root, tx.QueryOptional("SELECT id FROM areas WHERE parent_id IS NULL ORDER BY id LIMIT 1"));
    bool admin = IsSystem(by);
    if (!admin && root) {
      ASSIGN_OR_RETURN(admin, IsStaffFor(tx, by, root->Int(0)));
    }
    if (!admin) return Denied(by, "only district admins set time limits");
    RETURN_IF_ERROR(
        tx.Execute("DELETE FROM case_time_limits WHERE stage = ? AND case_type = ? AND category = ? AND "
                   "urgency = ? AND complexity = ?",
                   {stage, type, category, urgency, complexity}));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO case_time_limits (stage, case_type, category, urgency, complexity, "
                   "amount, unit) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {stage, type, category, urgency, complexity, int64_t{amount}, unit}));
    return record::Audit(tx, now, auth::ActorOf(by), "case_time_limit.set", "case_time_limits",
                         {{"stage", stage},
                          {"type", type},
                          {"category", category},
                          {"urgency", urgency},
                          {"complexity", complexity},
                          {"amount", amount},
                          {"unit", unit}});
  });
}

}  // namespace ningju::cases
