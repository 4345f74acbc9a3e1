#include "governance/decisions/meetings.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "auth/policy.h"
#include "common/text_util.h"
#include "common/time.h"
#include "common/utf8.h"
#include "storage/locking.h"

namespace ningju::decisions {

namespace policy = auth::policy;
namespace {

using json = nlohmann::json;

constexpr std::pair<MeetingState, std::string_view> kStates[] = {
    {MeetingState::kDraft, "draft"},     {MeetingState::kNoticed, "noticed"},     {MeetingState::kHeld, "held"},
    {MeetingState::kMinuted, "minuted"}, {MeetingState::kCancelled, "cancelled"},
};

constexpr std::pair<AttendeeRole, std::string_view> kRoles[] = {
    {AttendeeRole::kResident, "resident"},
    {AttendeeRole::kOwner, "owner"},
    {AttendeeRole::kDeputy, "deputy"},
    {AttendeeRole::kStaff, "staff"},
    {AttendeeRole::kOrganization, "organization"},
    {AttendeeRole::kGuest, "guest"},
};

// The relations of the links table (migrations/0001) and the kinds of object a meeting may be linked to.
constexpr std::array<std::string_view, 6> kRelations = {"became",     "refers_to",    "decided_by",
                                                        "implements", "duplicate_of", "answered_by"};
constexpr std::array<std::string_view, 7> kLinkKinds = {"case",   "suggestion", "opinion", "recommendation",
                                                        "ballot", "project",    "meeting"};

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kSignInOpensBefore = 2 * 3600;  // sign-in opens two hours before the start
constexpr size_t kMaxAgendaItems = 20;
constexpr size_t kMaxLinks = 20;
constexpr int64_t kMaxAttendance = 5000;
constexpr int64_t kMaxActions = 200;
constexpr int64_t kMaxDecisions = 100;
constexpr int64_t kMaxHands = 100000;

constexpr char kMeetingColumns[] =
    "m.id, m.kind, m.subject, m.area_id, a.name, m.neighborhood_id, n.name, m.convener_id, u.display_name, "
    "m.starts_at, m.ends_at, m.place, m.description, m.state, m.noticed_at, m.held_at, m.minuted_at, "
    "m.cancel_reason, m.sequence, m.updated_at, m.minutes "
    "FROM meetings m JOIN areas a ON a.id = m.area_id JOIN areas n ON n.id = m.neighborhood_id "
    "JOIN users u ON u.id = m.convener_id";

struct Row {
  Meeting meeting;
  std::string minutes;  // raw, whoever may see it
};

Row ReadMeeting(const storage::Row& r) {
  Row out;
  Meeting& m = out.meeting;
  m.id = r.Int(0);
  m.kind = r.Text(1);
  m.subject = r.Text(2);
  m.area_id = r.Int(3);
  m.area_name = r.Text(4);
  m.neighborhood_id = r.Int(5);
  m.neighborhood_name = r.Text(6);
  m.convener = {r.Int(7), r.Text(8)};
  m.starts_at = FromUnix(r.Int(9));
  m.ends_at = FromUnix(r.Int(10));
  m.place = r.Text(11);
  m.description = r.Text(12);
  m.state = ParseMeetingState(r.Text(13)).value_or(MeetingState::kDraft);
  m.noticed_at = FromUnix(r.Int(14));
  m.held_at = FromUnix(r.Int(15));
  m.minuted_at = FromUnix(r.Int(16));
  m.cancel_reason = r.Text(17);
  m.sequence = r.Int(18);
  m.updated_at = FromUnix(r.Int(19));
  out.minutes = r.Text(20);
  return out;
}

// Checks the length of a trimmed text in code points; returns the trimmed text.
StatusOr<std::string> CleanText(std::string_view value, const char* field, size_t min_chars, size_t max_chars) {
  RETURN_IF_ERROR(utf8::Validate(value, field));
  std::string text(Trim(value));
  if (text.find('\0') != std::string::npos) return InvalidArgumentError(Msg("{} holds a NUL", FieldName{field}), field);
  size_t n = utf8::CodePointCount(text);
  if (n < min_chars) return InvalidArgumentError(Msg("{} must not be empty", FieldName{field}), field);
  if (n > max_chars) {
    return InvalidArgumentError(Msg("{} has at most {} characters", FieldName{field}, max_chars), field);
  }
  return text;
}

std::string Label(MeetingState s) { return std::string(MeetingStateName(s)); }

Status WrongState(const Meeting& m, Msg what) {
  return FailedPreconditionError(Msg("{} (the meeting is {})", what, Label(m.state)));
}

StatusOr<Row> LoadRow(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional(std::string("SELECT ") + kMeetingColumns + " WHERE m.id = ?", {id}));
  if (!row) return NotFoundError(Msg("no meeting {}", id));
  return ReadMeeting(*row);
}

// What the policy's kManageMeeting is asked about: the meeting's area (its staff) and its convener.
policy::Subject ManagedBy(const Meeting& m) {
  policy::Subject s = policy::Subject::Area(m.area_id);
  s.person = policy::Operand::Value(m.convener.user_id);
  return s;
}

// Staff of the meeting's area (kEditArea) or its convener: who manages it, and sees it while a draft.
StatusOr<bool> IsManager(storage::Connection& conn, const auth::Principal& p, const Meeting& m) {
  return policy::Holds(conn, policy::Rule(p, policy::Action::kManageMeeting, ManagedBy(m)));
}

Status RequireManager(storage::Connection& conn, const auth::Principal& p, const Meeting& m) {
  Status allowed = policy::Require(conn, p, policy::Action::kManageMeeting, ManagedBy(m));
  if (allowed.ok() || allowed.code() != StatusCode::kPermissionDenied) return allowed;
  ASSIGN_OR_RETURN(bool manager, IsManager(conn, p, m));
  if (manager) return allowed;  // a read-only token of a manager
  if (m.state == MeetingState::kDraft) return NotFoundError(Msg("no meeting {}", m.id));
  return PermissionDeniedError(Msg("only the staff of the area or the convener may change meeting {}", m.id));
}

// The kinds are the district's: kEditArea over the root of the area tree.
Status RequireKindsManager(storage::Connection& conn, const auth::Principal& p) {
  ASSIGN_OR_RETURN(auto root, conn.QueryOptional("SELECT id FROM areas WHERE parent_id IS NULL ORDER BY id LIMIT 1"));
  if (!root) return FailedPreconditionError("the area tree is empty");
  return policy::Require(conn, p, policy::Action::kEditArea, policy::Subject::Area(root->Int(0)));
}

// The assignee of action `action_id` ticks it; anyone else must manage the meeting.
Status RequireActionTicker(storage::Connection& conn, const auth::Principal& p, const Meeting& m, int64_t action_id,
                           bool* done) {
  ASSIGN_OR_RETURN(auto action, conn.QueryOptional("SELECT assignee_id, done FROM meeting_actions WHERE id = ? AND "
                                                   "meeting_id = ?",
                                                   {action_id, m.id}));
  if (!action) return NotFoundError(Msg("no action {} in meeting {}", action_id, m.id));
  if (done) *done = action->Bool(1);
  ASSIGN_OR_RETURN(bool assignee, policy::Holds(conn, policy::IsAccount(p, policy::Operand::Value(action->Int(0)))));
  if (assignee && !p.read_only()) return OkStatus();
  return RequireManager(conn, p, m);
}

StatusOr<MeetingKind> LoadKind(storage::Connection& conn, const std::string& code) {
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional("SELECT code, name_zh, name_en, notice_days, sort_key, active "
                                                "FROM meeting_kinds WHERE code = ?",
                                                {code}));
  if (!row) return InvalidArgumentError(Msg("unknown meeting kind {}", QuoteForMessage(code)), "kind");
  return MeetingKind{
      row->Text(0), row->Text(1), row->Text(2), static_cast<int>(row->Int(3)), static_cast<int>(row->Int(4)),
      row->Bool(5)};
}

StatusOr<std::optional<int64_t>> FindUser(storage::Connection& conn, const std::string& login) {
  ASSIGN_OR_RETURN(auto row,
                   conn.QueryOptional("SELECT id FROM users WHERE (username = ? OR phone = ?) AND disabled = 0 LIMIT 1",
                                      {login, login}));
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

StatusOr<std::string> DisplayName(storage::Connection& conn, int64_t user_id) {
  ASSIGN_OR_RETURN(storage::Row row, conn.QueryOne("SELECT display_name FROM users WHERE id = ?", {user_id}));
  return row.Text(0);
}

// The two areas lie on one branch of the tree (one is the other or below it).
constexpr char kOnOneBranch[] =
    "((p.ancestor_id = x.area_id AND p.descendant_id = ?) OR (p.descendant_id = x.area_id AND p.ancestor_id = ?))";

// "owner" when `user_id` owns a unit inside `area_id`; "resident" when they live there (a residency or a resident
// role on the same branch of the tree); nullopt otherwise.
StatusOr<std::optional<std::string>> RegistrationRole(storage::Connection& conn, int64_t user_id, int64_t area_id) {
  ASSIGN_OR_RETURN(auto owner, conn.QueryOptional("SELECT 1 FROM owners o JOIN unit_owners uo ON uo.owner_id = o.id "
                                                  "JOIN units u ON u.id = uo.unit_id "
                                                  "JOIN area_paths p ON p.descendant_id = u.entrance_id "
                                                  "WHERE o.user_id = ? AND p.ancestor_id = ? LIMIT 1",
                                                  {user_id, area_id}));
  if (owner) return std::optional<std::string>("owner");
  ASSIGN_OR_RETURN(auto resident, conn.QueryOptional(std::string("SELECT 1 FROM residencies x JOIN area_paths p ON ") +
                                                         kOnOneBranch + " WHERE x.user_id = ? LIMIT 1",
                                                     {area_id, area_id, user_id}));
  if (resident) return std::optional<std::string>("resident");
  ASSIGN_OR_RETURN(auto grant,
                   conn.QueryOptional(std::string("SELECT 1 FROM role_grants x JOIN area_paths p ON ") + kOnOneBranch +
                                          " WHERE x.user_id = ? AND x.role = 'resident' AND "
                                          "x.revoked_at = 0 LIMIT 1",
                                      {area_id, area_id, user_id}));
  if (grant) return std::optional<std::string>("resident");
  return std::optional<std::string>();
}

struct Checked {
  MeetingKind kind;
  std::string subject;
  std::string place;
  std::string description;
  int64_t neighborhood_id = 0;
  int64_t convener_id = 0;
  std::vector<std::string> agenda;
  std::vector<std::pair<std::string, std::string>> links;
};

StatusOr<Checked> CheckInput(storage::Connection& conn, const auth::Principal& by, const MeetingInput& in) {
  Checked c;
  ASSIGN_OR_RETURN(c.kind, LoadKind(conn, in.kind));
  ASSIGN_OR_RETURN(c.subject, CleanText(in.subject, "subject", 1, 120));
  ASSIGN_OR_RETURN(c.place, CleanText(in.place, "place", 1, 120));
  ASSIGN_OR_RETURN(c.description, CleanText(in.description, "description", 0, 2000));
  if (in.agenda.size() > kMaxAgendaItems) {
    return InvalidArgumentError(Msg("an agenda has at most {} items", kMaxAgendaItems), "agenda");
  }
  for (const auto& item : in.agenda) {
    ASSIGN_OR_RETURN(std::string text, CleanText(item, "agenda", 1, 200));
    c.agenda.push_back(std::move(text));
  }
  if (in.ends_at <= in.starts_at) return InvalidArgumentError("the meeting must end after it starts", "ends_at");
  if (in.ends_at - in.starts_at > std::chrono::seconds(kDay)) {
    return InvalidArgumentError("a meeting lasts at most 24 hours", "ends_at");
  }
  ASSIGN_OR_RETURN(auto area, conn.QueryOptional("SELECT kind, parent_id FROM areas WHERE id = ?", {in.area_id}));
  if (!area) return NotFoundError(Msg("no area {}", in.area_id));
  if (area->Text(0) == "neighborhood") {
    c.neighborhood_id = in.area_id;
  } else if (area->Text(0) == "building") {
    c.neighborhood_id = area->Int(1);
  } else {
    return InvalidArgumentError("a meeting belongs to a neighborhood or a building", "area_id");
  }
  if (in.convener.empty()) {
    c.convener_id = by.user_id;
  } else {
    ASSIGN_OR_RETURN(auto user, FindUser(conn, in.convener));
    if (!user) return InvalidArgumentError(Msg("no account {}", QuoteForMessage(in.convener)), "convener");
    c.convener_id = *user;
  }
  if (in.links.size() > kMaxLinks) {
    return InvalidArgumentError(Msg("at most {} links", kMaxLinks), "links");
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [relation_in, ref] : in.links) {
    std::string relation = relation_in.empty() ? "refers_to" : relation_in;
    if (std::find(kRelations.begin(), kRelations.end(), relation) == kRelations.end()) {
      return InvalidArgumentError(Msg("unknown relation {}", QuoteForMessage(relation)), "links");
    }
    size_t colon = ref.find(':');
    std::string kind = colon == std::string::npos ? "" : ref.substr(0, colon);
    if (std::find(kLinkKinds.begin(), kLinkKinds.end(), kind) == kLinkKinds.end()) {
      return InvalidArgumentError(
          Msg("a link names an object as kind:id (case:12, project:3, ballot:7), not {}", QuoteForMessage(ref)),
          "links");
    }
    ASSIGN_OR_RETURN(int64_t id, ParseId(std::string_view(ref).substr(colon + 1), "links"));
    std::string canonical = record::Ref(kind, id);
    if (seen.insert({relation, canonical}).second) c.links.push_back({relation, canonical});
  }
  return c;
}

// The notice period: the start must be at least the kind's notice days after `now` (and in the future).
Status CheckNoticePeriod(const MeetingKind& kind, Instant starts_at, Instant now, std::string_view locale_name) {
  if (starts_at <= now) return FailedPreconditionError("a meeting is noticed before it starts");
  if (ToUnix(starts_at) - ToUnix(now) < kind.notice_days * kDay) {
    return FailedPreconditionError(
        Msg("{} must be noticed at least {} days before it starts", locale_name, kind.notice_days));
  }
  return OkStatus();
}

Status AddLinks(storage::Connection& tx, int64_t id, const std::vector<std::pair<std::string, std::string>>& links,
                Instant now, const record::Actor& actor) {
  if (links.empty()) return OkStatus();
  const std::string ref = record::Ref("meeting", id);
  ASSIGN_OR_RETURN(auto existing, record::ListLinks(tx, ref));
  for (const auto& [relation, to] : links) {
    bool present = std::any_of(existing.begin(), existing.end(), [&](const record::Link& l) {
      return l.from_ref == ref && l.relation == relation && l.to_ref == to;
    });
    if (!present) RETURN_IF_ERROR(record::AddLink(tx, ref, relation, to, now, actor));
  }
  return OkStatus();
}

Status WriteAgenda(storage::Connection& tx, int64_t id, const std::vector<std::string>& agenda) {
  RETURN_IF_ERROR(tx.Execute("DELETE FROM meeting_agenda_items WHERE meeting_id = ?", {id}));
  for (size_t i = 0; i < agenda.size(); ++i) {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO meeting_agenda_items (meeting_id, position, title) VALUES (?, ?, ?)",
                               {id, static_cast<int64_t>(i + 1), agenda[i]}));
  }
  return OkStatus();
}

json Summary(const Meeting& m) {
  return {{"kind", m.kind},
          {"subject", m.subject},
          {"area_id", m.area_id},
          {"starts_at", FormatUtc(m.starts_at)},
          {"ends_at", FormatUtc(m.ends_at)},
          {"place", m.place},
          {"agenda", m.agenda},
          {"state", MeetingStateName(m.state)}};
}

// Audit record and timeline event together, as every change needs both.
Status Record(storage::Connection& tx, Instant now, const auth::Principal& by, int64_t id, std::string_view action,
              std::string_view event, const json& summary) {
  const record::Actor actor = auth::ActorOf(by);
  const std::string ref = record::Ref("meeting", id);
  RETURN_IF_ERROR(record::Audit(tx, now, actor, "meeting." + std::string(action), ref, summary));
  return record::AddEvent(tx, ref, now, actor, event, "", summary);
}

// Locks the meeting's row until `tx` ends: every change of a meeting takes it before reading the meeting, so two
// changes run one after the other and the second sees the first (STYLE.md item 17).
Status LockMeeting(storage::Connection& tx, int64_t id) {
  ASSIGN_OR_RETURN(auto row,
                   tx.QueryOptional("SELECT id FROM meetings WHERE id = ?" + storage::ForUpdate(tx.dialect()), {id}));
  if (!row) return NotFoundError(Msg("no meeting {}", id));
  return OkStatus();
}

Status Touch(storage::Connection& tx, int64_t id, Instant now) {
  return tx.Execute("UPDATE meetings SET updated_at = ? WHERE id = ?", {ToUnix(now), id}).status();
}

json OptInt(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

json PersonJson(const Person& p) { return {{"user_id", p.user_id}, {"name", p.name}}; }

}  // namespace

std::string_view MeetingStateName(MeetingState state) {
  for (const auto& [s, n] : kStates) {
    if (s == state) return n;
  }
  return "unknown";
}

std::optional<MeetingState> ParseMeetingState(std::string_view name) {
  for (const auto& [s, n] : kStates) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::string_view AttendeeRoleName(AttendeeRole role) {
  for (const auto& [r, n] : kRoles) {
    if (r == role) return n;
  }
  return "unknown";
}

std::optional<AttendeeRole> ParseAttendeeRole(std::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return std::nullopt;
}

const std::vector<AttendeeRole>& AllAttendeeRoles() {
  static const std::vector<AttendeeRole> roles = [] {
    std::vector<AttendeeRole> out;
    for (const auto& [r, n] : kRoles) out.push_back(r);
    return out;
  }();
  return roles;
}

json MeetingKind::ToJson() const {
  return {{"code", code},         {"name_zh", name_zh}, {"name_en", name_en}, {"notice_days", notice_days},
          {"sort_key", sort_key}, {"active", active}};
}

json Meeting::ToJson() const {
  auto instant = [](Instant t) { return ToUnix(t) == 0 ? json(nullptr) : json(FormatUtc(t)); };
  json out = {{"id", id},
              {"kind", kind},
              {"subject", subject},
              {"area", {{"id", area_id}, {"name", area_name}}},
              {"neighborhood", {{"id", neighborhood_id}, {"name", neighborhood_name}}},
              {"convener", PersonJson(convener)},
              {"starts_at", FormatUtc(starts_at)},
              {"ends_at", FormatUtc(ends_at)},
              {"starts_at_local", FormatShanghai(starts_at)},
              {"place", place},
              {"description", description},
              {"state", MeetingStateName(state)},
              {"noticed_at", instant(noticed_at)},
              {"held_at", instant(held_at)},
              {"minuted_at", instant(minuted_at)},
              {"cancel_reason", cancel_reason},
              {"sequence", sequence},
              {"agenda", agenda}};
  out["links"] = json::array();
  for (const auto& l : links)
    out["links"].push_back({{"from", l.from_ref}, {"relation", l.relation}, {"to", l.to_ref}});
  out["registered"] = registered_count;
  out["viewer_registered"] = viewer_registered;
  json counts = json::object();
  for (const auto& [role, n] : attendance) counts[std::string(AttendeeRoleName(role))] = n;
  out["attendance"] = {{"total", attendance_total}, {"by_role", counts}};
  out["minutes"] = minutes ? json(*minutes) : json(nullptr);
  if (record_visible) {
    out["decisions"] = json::array();
    for (const auto& d : decisions) {
      json hands =
          d.votes_for
              ? json{{"for", *d.votes_for}, {"against", OptInt(d.votes_against)}, {"abstain", OptInt(d.votes_abstain)}}
              : json(nullptr);
      out["decisions"].push_back({{"id", d.id}, {"text", d.text}, {"show_of_hands", hands}, {"at", FormatUtc(d.at)}});
    }
    out["actions"] = json::array();
    for (const auto& a : actions) {
      out["actions"].push_back({{"id", a.id},
                                {"title", a.title},
                                {"assignee", PersonJson(a.assignee)},
                                {"due_date", a.due_date},
                                {"done", a.done},
                                {"done_at", instant(a.done_at)}});
    }
  }
  if (can_manage) {
    out["registrations"] = json::array();
    for (const auto& r : registrations) {
      out["registrations"].push_back(
          {{"user_id", r.person.user_id}, {"name", r.person.name}, {"role", r.role}, {"at", FormatUtc(r.at)}});
    }
    out["attendees"] = json::array();
    for (const auto& a : attendees) {
      out["attendees"].push_back({{"id", a.id},
                                  {"user_id", OptInt(a.user_id)},
                                  {"name", a.name},
                                  {"role", AttendeeRoleName(a.role)},
                                  {"at", FormatUtc(a.at)}});
    }
  }
  out["can_manage"] = can_manage;
  out["can_register"] = can_register;
  return out;
}

StatusOr<std::vector<MeetingKind>> MeetingService::Kinds(bool include_inactive) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result result,
                   conn->Execute(std::string("SELECT code, name_zh, name_en, notice_days, sort_key, active FROM "
                                             "meeting_kinds") +
                                 (include_inactive ? "" : " WHERE active = 1") + " ORDER BY sort_key, code"));
  std::vector<MeetingKind> out;
  for (const auto& r : result.rows) {
    out.push_back({r.Text(0), r.Text(1), r.Text(2), static_cast<int>(r.Int(3)), static_cast<int>(r.Int(4)), r.Bool(5)});
  }
  return out;
}

StatusOr<MeetingKind> MeetingService::SaveKind(const auth::Principal& by, const MeetingKind& in) {
  MeetingKind kind = in;
  if (kind.code.size() < 2 || kind.code.size() > 32 ||
      !std::all_of(kind.code.begin(), kind.code.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; })) {
    return InvalidArgumentError("a kind's code is 2-32 letters a-z or '_'", "code");
  }
  ASSIGN_OR_RETURN(kind.name_zh, CleanText(in.name_zh, "name_zh", 1, 20));
  ASSIGN_OR_RETURN(kind.name_en, CleanText(in.name_en, "name_en", 1, 40));
  if (kind.notice_days < 0 || kind.notice_days > 90) {
    return InvalidArgumentError("notice_days is 0 to 90", "notice_days");
  }
  if (kind.sort_key < 0 || kind.sort_key > 1000) return InvalidArgumentError("sort_key is 0 to 1000", "sort_key");
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(RequireKindsManager(tx, by));
    ASSIGN_OR_RETURN(auto before, tx.QueryOptional("SELECT name_zh, name_en, notice_days, sort_key, active FROM "
                                                   "meeting_kinds WHERE code = ?" +
                                                       storage::ForUpdate(tx.dialect()),
                                                   {kind.code}));
    const storage::Params values = {
        kind.name_zh, kind.name_en, int64_t{kind.notice_days}, int64_t{kind.sort_key}, int64_t{kind.active ? 1 : 0},
        kind.code};
    if (before) {
      RETURN_IF_ERROR(
          tx.Execute("UPDATE meeting_kinds SET name_zh = ?, name_en = ?, notice_days = ?, sort_key = ?, "
                     "active = ? WHERE code = ?",
                     values));
    } else {
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO meeting_kinds (name_zh, name_en, notice_days, sort_key, active, code) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     values));
    }
    json summary = {{"after", kind.ToJson()}};
    if (before) {
      summary["before"] = {{"name_zh", before->Text(0)},
                           {"name_en", before->Text(1)},
                           {"notice_days", before->Int(2)},
                           {"sort_key", before->Int(3)},
                           {"active", before->Bool(4)}};
    }
    return record::Audit(tx, now, auth::ActorOf(by), "meeting_kind.save", "meeting_kind:" + kind.code, summary);
  }));
  return kind;
}

StatusOr<Meeting> MeetingService::Load(storage::Connection& conn, const auth::Principal& viewer, int64_t id,
                                       bool details) {
  ASSIGN_OR_RETURN(Row row, LoadRow(conn, id));
  Meeting m = std::move(row.meeting);
  ASSIGN_OR_RETURN(m.can_manage, IsManager(conn, viewer, m));
  if (m.state == MeetingState::kDraft && !m.can_manage) return NotFoundError(Msg("no meeting {}", id));
  ASSIGN_OR_RETURN(const bool personal,
                   policy::Allows(conn, viewer, policy::Action::kViewPersonalData, policy::Subject::Area(m.area_id)));
  auto name = [&](const std::string& n) { return personal ? n : MaskName(n); };
  m.convener.name = name(m.convener.name);
  ASSIGN_OR_RETURN(storage::Result agenda,
                   conn.Execute("SELECT title FROM meeting_agenda_items WHERE meeting_id = ? ORDER BY position", {id}));
  for (const auto& r : agenda.rows) m.agenda.push_back(r.Text(0));
  ASSIGN_OR_RETURN(m.links, record::ListLinks(conn, record::Ref("meeting", id)));
  if (!details) return m;

  ASSIGN_OR_RETURN(storage::Row count,
                   conn.QueryOne("SELECT COUNT(*) FROM meeting_registrations WHERE meeting_id = ?", {id}));
  m.registered_count = count.Int(0);
  if (viewer.has_account()) {
    ASSIGN_OR_RETURN(auto mine, conn.QueryOptional("SELECT 1 FROM meeting_registrations WHERE meeting_id = ? AND "
                                                   "user_id = ?",
                                                   {id, viewer.user_id}));
    m.viewer_registered = mine.has_value();
  }
  ASSIGN_OR_RETURN(
      storage::Result by_role,
      conn.Execute("SELECT role, COUNT(*) FROM meeting_attendance WHERE meeting_id = ? GROUP BY role", {id}));
  for (AttendeeRole role : AllAttendeeRoles()) {
    int64_t n = 0;
    for (const auto& r : by_role.rows) {
      if (r.Text(0) == AttendeeRoleName(role)) n = r.Int(1);
    }
    m.attendance.push_back({role, n});
    m.attendance_total += n;
  }
  if (m.state == MeetingState::kMinuted || (m.can_manage && !row.minutes.empty())) m.minutes = row.minutes;
  m.record_visible = m.state == MeetingState::kMinuted || m.can_manage;
  if (m.record_visible) {
    ASSIGN_OR_RETURN(storage::Result decisions,
                     conn.Execute("SELECT id, text, votes_for, votes_against, votes_abstain, recorded_at FROM "
                                  "meeting_decisions WHERE meeting_id = ? ORDER BY id",
                                  {id}));
    for (const auto& r : decisions.rows) {
      m.decisions.push_back({r.Int(0), r.Text(1), r.OptInt(2), r.OptInt(3), r.OptInt(4), FromUnix(r.Int(5))});
    }
    ASSIGN_OR_RETURN(storage::Result actions,
                     conn.Execute("SELECT x.id, x.title, x.assignee_id, u.display_name, x.due_date, x.done, x.done_at "
                                  "FROM meeting_actions x JOIN users u ON u.id = x.assignee_id "
                                  "WHERE x.meeting_id = ? ORDER BY x.id",
                                  {id}));
    for (const auto& r : actions.rows) {
      m.actions.push_back({r.Int(0), r.Text(1), {r.Int(2), name(r.Text(3))}, r.Text(4), r.Bool(5), FromUnix(r.Int(6))});
    }
  }
  if (m.can_manage) {
    ASSIGN_OR_RETURN(storage::Result regs,
                     conn.Execute("SELECT r.user_id, u.display_name, r.role, r.registered_at FROM "
                                  "meeting_registrations r JOIN users u ON u.id = r.user_id "
                                  "WHERE r.meeting_id = ? ORDER BY r.registered_at, r.user_id",
                                  {id}));
    for (const auto& r : regs.rows) {
      m.registrations.push_back({{r.Int(0), name(r.Text(1))}, r.Text(2), FromUnix(r.Int(3))});
    }
    ASSIGN_OR_RETURN(storage::Result att,
                     conn.Execute("SELECT id, user_id, name, role, signed_in_at FROM meeting_attendance "
                                  "WHERE meeting_id = ? ORDER BY id",
                                  {id}));
    for (const auto& r : att.rows) {
      m.attendees.push_back({r.Int(0), r.OptInt(1), name(r.Text(2)),
                             ParseAttendeeRole(r.Text(3)).value_or(AttendeeRole::kGuest), FromUnix(r.Int(4))});
    }
  }
  const Instant now = clock_.Now();
  if (viewer.has_account() && m.state == MeetingState::kNoticed && now < m.starts_at && !m.viewer_registered) {
    ASSIGN_OR_RETURN(auto role, RegistrationRole(conn, viewer.user_id, m.area_id));
    m.can_register = role.has_value() && (m.kind != "owners_assembly" || *role == "owner");
  }
  return m;
}

StatusOr<Meeting> MeetingService::Get(const auth::Principal& viewer, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return Load(*conn, viewer, id, true);
}

StatusOr<MeetingPage<Meeting>> MeetingService::List(const auth::Principal& viewer, int64_t neighborhood_id,
                                                    std::string_view cursor, int limit) {
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT kind FROM areas WHERE id = ?", {neighborhood_id}));
    if (!area) return NotFoundError(Msg("no area {}", neighborhood_id));
    if (area->Text(0) != "neighborhood") {
      return InvalidArgumentError("meetings are listed per neighborhood", "neighborhood");
    }
  }
  MeetingFilter filter;
  filter.area_id = neighborhood_id;
  return List(viewer, filter, cursor, limit);
}

StatusOr<MeetingPage<Meeting>> MeetingService::List(const auth::Principal& viewer, const MeetingFilter& filter,
                                                    std::string_view cursor, int limit) {
  if (limit < 1 || limit > 200) return InvalidArgumentError("limit must be between 1 and 200", "limit");
  // Who manages each meeting (the same rule as IsManager, over the row's columns): a draft only for them.
  policy::Subject columns = policy::Subject::Area(0);
  columns.area = policy::Operand::Column("m.area_id");
  columns.person = policy::Operand::Column("m.convener_id");
  const policy::Condition manage = policy::Filter(viewer, policy::Action::kManageMeeting, columns);
  // The convener's name in full only for those who may see personal data on the meeting's area.
  const policy::Condition personal =
      policy::Filter(viewer, policy::Action::kViewPersonalData, policy::Subject{.area = columns.area});
  const std::string select = kMeetingColumns;
  const size_t from = select.find(" FROM ");
  std::string sql = "SELECT " + select.substr(0, from) + ", CASE WHEN " + manage.sql + " THEN 1 ELSE 0 END" +
                    ", CASE WHEN " + personal.sql + " THEN 1 ELSE 0 END" + select.substr(from) +
                    " WHERE (m.state <> 'draft' OR " + manage.sql + ")";
  storage::Params params = manage.params;
  params.insert(params.end(), personal.params.begin(), personal.params.end());
  params.insert(params.end(), manage.params.begin(), manage.params.end());
  if (filter.area_id) {
    sql += " AND m.area_id IN (SELECT fp.descendant_id FROM area_paths fp WHERE fp.ancestor_id = ?)";
    params.push_back(*filter.area_id);
  }
  if (filter.state) {
    sql += " AND m.state = ?";
    params.push_back(std::string(MeetingStateName(*filter.state)));
  }
  if (filter.managed) {
    sql += " AND " + manage.sql;
    params.insert(params.end(), manage.params.begin(), manage.params.end());
  }
  if (filter.of_my_neighborhoods) {
    if (!viewer.has_account()) return UnauthenticatedError("sign in to see the meetings of your neighborhood");
    // A neighborhood is the viewer's when one of their roles is on it, above it or below it (a building leader), or
    // when they own a unit in it.
    sql +=
        " AND (EXISTS (SELECT 1 FROM role_grants g JOIN area_paths gp ON (gp.ancestor_id = g.area_id AND "
        "gp.descendant_id = m.neighborhood_id) OR (gp.descendant_id = g.area_id AND gp.ancestor_id = "
        "m.neighborhood_id) WHERE g.user_id = ? AND g.revoked_at = 0) OR EXISTS (SELECT 1 FROM owners o JOIN "
        "unit_owners uo ON "
        "uo.owner_id = o.id JOIN units un ON un.id = uo.unit_id JOIN area_paths op ON op.descendant_id = "
        "un.building_id AND op.ancestor_id = m.neighborhood_id WHERE o.user_id = ?))";
    params.push_back(viewer.user_id);
    params.push_back(viewer.user_id);
  }
  const bool ascending = filter.upcoming;
  if (filter.upcoming) {
    sql += " AND m.ends_at >= ?";
    params.push_back(ToUnix(clock_.Now()));
  }
  if (!cursor.empty()) {
    auto keys = DecodeCursor(cursor, 2);
    if (!keys) return InvalidArgumentError("malformed cursor", "cursor");
    sql += ascending ? " AND (m.starts_at > ? OR (m.starts_at = ? AND m.id > ?))"
                     : " AND (m.starts_at < ? OR (m.starts_at = ? AND m.id < ?))";
    params.insert(params.end(), {(*keys)[0], (*keys)[0], (*keys)[1]});
  }
  sql += ascending ? " ORDER BY m.starts_at, m.id LIMIT ?" : " ORDER BY m.starts_at DESC, m.id DESC LIMIT ?";
  params.push_back(int64_t{limit + 1});
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(sql, params));
  MeetingPage<Meeting> page;
  for (const auto& r : result.rows) {
    Meeting m = ReadMeeting(r).meeting;
    m.can_manage = r.Bool(21);
    if (!r.Bool(22)) m.convener.name = MaskName(m.convener.name);
    page.items.push_back(std::move(m));
  }
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = EncodeCursor({ToUnix(page.items.back().starts_at), page.items.back().id});
  }
  return page;
}

StatusOr<std::vector<Meeting>> MeetingService::Calendar(int64_t neighborhood_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT kind FROM areas WHERE id = ?", {neighborhood_id}));
  if (!area) return NotFoundError(Msg("no area {}", neighborhood_id));
  if (area->Text(0) != "neighborhood") {
    return InvalidArgumentError("calendars are kept per neighborhood", "id");
  }
  const std::string where =
      " WHERE m.neighborhood_id = ? AND m.starts_at >= ? AND (m.state IN ('noticed', 'held', 'minuted') OR "
      "(m.state = 'cancelled' AND m.noticed_at > 0))";
  const int64_t since = ToUnix(clock_.Now()) - 180 * kDay;
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(std::string("SELECT ") + kMeetingColumns + where +
                                                             " ORDER BY m.starts_at, m.id LIMIT 500",
                                                         {neighborhood_id, since}));
  std::vector<Meeting> out;
  for (const auto& r : result.rows) {
    Meeting m = ReadMeeting(r).meeting;
    m.convener.name = MaskName(m.convener.name);
    out.push_back(std::move(m));
  }
  if (out.empty()) return out;
  ASSIGN_OR_RETURN(storage::Result agenda, conn->Execute("SELECT g.meeting_id, g.title FROM meeting_agenda_items g "
                                                         "JOIN meetings m ON m.id = g.meeting_id" +
                                                             where + " ORDER BY g.meeting_id, g.position",
                                                         {neighborhood_id, since}));
  for (const auto& r : agenda.rows) {
    for (auto& m : out) {
      if (m.id == r.Int(0)) m.agenda.push_back(r.Text(1));
    }
  }
  return out;
}

StatusOr<std::vector<MeetingService::Place>> MeetingService::Places(int64_t neighborhood_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT kind, name FROM areas WHERE id = ?", {neighborhood_id}));
  if (!area) return NotFoundError(Msg("no area {}", neighborhood_id));
  if (area->Text(0) != "neighborhood") return InvalidArgumentError("not a neighborhood", "id");
  std::vector<Place> out = {{neighborhood_id, area->Text(1)}};
  ASSIGN_OR_RETURN(storage::Result buildings,
                   conn->Execute("SELECT id, name FROM areas WHERE parent_id = ? AND kind = 'building' "
                                 "ORDER BY sort_key, id LIMIT 500",
                                 {neighborhood_id}));
  for (const auto& r : buildings.rows) out.push_back({r.Int(0), r.Text(1)});
  return out;
}

bool MeetingService::MayCreate(const auth::Principal& by, int64_t area_id) {
  return !by.anonymous() && CheckCreate(by, area_id).ok();
}

Status MeetingService::CheckCreate(const auth::Principal& by, int64_t area_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return policy::Require(*conn, by, policy::Action::kManageMeeting, policy::Subject::Area(area_id));
}

Status MeetingService::CheckManage(const auth::Principal& by, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Meeting m, Load(*conn, by, id, false));
  return RequireManager(*conn, by, m);
}

Status MeetingService::CheckSetActionDone(const auth::Principal& by, int64_t id, int64_t action_id) {
  if (by.anonymous()) return UnauthenticatedError("sign in first");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Meeting m, Load(*conn, by, id, false));
  return RequireActionTicker(*conn, by, m, action_id, nullptr);
}

Status MeetingService::CheckManageKinds(const auth::Principal& by) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return RequireKindsManager(*conn, by);
}

StatusOr<Meeting> MeetingService::Create(const auth::Principal& by, const MeetingInput& input) {
  if (by.anonymous()) return UnauthenticatedError("sign in first");
  const Instant now = clock_.Now();
  int64_t id = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT id FROM areas WHERE id = ?", {input.area_id}));
    if (!area) return NotFoundError(Msg("no area {}", input.area_id));
    RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageMeeting, policy::Subject::Area(input.area_id)));
    ASSIGN_OR_RETURN(Checked c, CheckInput(tx, by, input));
    if (!c.kind.active)
      return InvalidArgumentError(Msg("the kind {} is retired", QuoteForMessage(c.kind.code)), "kind");
    if (c.convener_id <= 0) return InvalidArgumentError("name the convener", "convener");
    ASSIGN_OR_RETURN(
        storage::Row row,
        tx.QueryOne("INSERT INTO meetings (kind, subject, area_id, neighborhood_id, convener_id, "
                    "starts_at, ends_at, place, description, state, created_by, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id",
                    {c.kind.code, c.subject, input.area_id, c.neighborhood_id, c.convener_id, ToUnix(input.starts_at),
                     ToUnix(input.ends_at), c.place, c.description, by.AccountOrNull(), ToUnix(now), ToUnix(now)}));
    id = row.Int(0);
    RETURN_IF_ERROR(WriteAgenda(tx, id, c.agenda));
    RETURN_IF_ERROR(AddLinks(tx, id, c.links, now, auth::ActorOf(by)));
    ASSIGN_OR_RETURN(Row created, LoadRow(tx, id));
    created.meeting.agenda = c.agenda;
    return Record(tx, now, by, id, "create", "created", {{"after", Summary(created.meeting)}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::Update(const auth::Principal& by, int64_t id, const MeetingInput& input) {
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting before, Load(tx, by, id, false));
    RETURN_IF_ERROR(RequireManager(tx, by, before));
    if (before.state != MeetingState::kDraft && before.state != MeetingState::kNoticed) {
      return WrongState(before, "only a draft or a noticed meeting can be edited");
    }
    ASSIGN_OR_RETURN(Checked c, CheckInput(tx, by, input));
    if (c.kind.code != before.kind && !c.kind.active) {
      return InvalidArgumentError(Msg("the kind {} is retired", QuoteForMessage(c.kind.code)), "kind");
    }
    if (c.neighborhood_id != before.neighborhood_id) {
      return InvalidArgumentError("a meeting stays in its neighborhood", "area_id");
    }
    if (input.area_id != before.area_id) {
      RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageMeeting, policy::Subject::Area(input.area_id)));
    }
    const bool noticed = before.state == MeetingState::kNoticed;
    if (noticed && (input.starts_at != before.starts_at || c.kind.code != before.kind)) {
      RETURN_IF_ERROR(CheckNoticePeriod(c.kind, input.starts_at, now, c.kind.name_en));
    }
    RETURN_IF_ERROR(
        tx.Execute("UPDATE meetings SET kind = ?, subject = ?, area_id = ?, convener_id = ?, "
                   "starts_at = ?, ends_at = ?, place = ?, description = ?, sequence = sequence + ?, "
                   "updated_at = ? WHERE id = ?",
                   {c.kind.code, c.subject, input.area_id, c.convener_id, ToUnix(input.starts_at),
                    ToUnix(input.ends_at), c.place, c.description, int64_t{noticed ? 1 : 0}, ToUnix(now), id}));
    RETURN_IF_ERROR(WriteAgenda(tx, id, c.agenda));
    RETURN_IF_ERROR(AddLinks(tx, id, c.links, now, auth::ActorOf(by)));
    ASSIGN_OR_RETURN(Row after, LoadRow(tx, id));
    after.meeting.agenda = c.agenda;
    return Record(tx, now, by, id, "update", "changed",
                  {{"before", Summary(before)}, {"after", Summary(after.meeting)}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::Notice(const auth::Principal& by, int64_t id) {
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    RETURN_IF_ERROR(RequireManager(tx, by, m));
    if (m.state != MeetingState::kDraft) return WrongState(m, "only a draft can be noticed");
    if (m.agenda.empty()) return FailedPreconditionError("the notice needs an agenda of at least one item");
    ASSIGN_OR_RETURN(MeetingKind kind, LoadKind(tx, m.kind));
    if (!kind.active) return FailedPreconditionError(Msg("the kind {} is retired", QuoteForMessage(kind.code)));
    RETURN_IF_ERROR(CheckNoticePeriod(kind, m.starts_at, now, kind.name_en));
    RETURN_IF_ERROR(tx.Execute("UPDATE meetings SET state = 'noticed', noticed_at = ?, updated_at = ? WHERE id = ?",
                               {ToUnix(now), ToUnix(now), id}));
    return Record(tx, now, by, id, "notice", "noticed",
                  {{"starts_at", FormatUtc(m.starts_at)}, {"notice_days", kind.notice_days}, {"agenda", m.agenda}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::Register(const auth::Principal& by, int64_t id) {
  if (!by.has_account()) return UnauthenticatedError("sign in first");
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    if (m.state != MeetingState::kNoticed) return WrongState(m, "registration is open only for a noticed meeting");
    if (now >= m.starts_at) return FailedPreconditionError("registration closed when the meeting started");
    ASSIGN_OR_RETURN(auto existing, tx.QueryOptional("SELECT 1 FROM meeting_registrations WHERE meeting_id = ? AND "
                                                     "user_id = ?",
                                                     {id, by.user_id}));
    if (existing) return AlreadyExistsError(Msg("already registered for meeting {}", id));
    ASSIGN_OR_RETURN(auto role, RegistrationRole(tx, by.user_id, m.area_id));
    if (!role) {
      return PermissionDeniedError(Msg("only residents and owners of {} may register for this meeting", m.area_name));
    }
    if (m.kind == "owners_assembly" && *role != "owner") {
      return PermissionDeniedError("only owners may register for an owners' assembly");
    }
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO meeting_registrations (meeting_id, user_id, role, registered_at) "
                   "VALUES (?, ?, ?, ?)",
                   {id, by.user_id, *role, ToUnix(now)}));
    RETURN_IF_ERROR(Touch(tx, id, now));
    return Record(tx, now, by, id, "register", "registered", {{"user_id", by.user_id}, {"role", *role}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::SignIn(const auth::Principal& by, int64_t id, const SignInInput& input) {
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    RETURN_IF_ERROR(RequireManager(tx, by, m));
    if (m.state != MeetingState::kNoticed && m.state != MeetingState::kHeld) {
      return WrongState(m, "sign-in is recorded for a noticed or held meeting");
    }
    if (ToUnix(now) < ToUnix(m.starts_at) - kSignInOpensBefore) {
      return FailedPreconditionError(
          Msg("sign-in opens 2 hours before the meeting starts ({})", FormatShanghai(m.starts_at)));
    }
    std::string login(Trim(input.login));
    const std::string walk_in(Trim(input.name));
    if (login.empty() && input.user_id > 0) {
      ASSIGN_OR_RETURN(auto user,
                       tx.QueryOptional("SELECT COALESCE(username, phone) FROM users WHERE id = ?", {input.user_id}));
      if (!user) return InvalidArgumentError(Msg("no account {}", input.user_id), "user_id");
      login = user->Text(0);
    }
    if (login.empty() == walk_in.empty()) {
      return InvalidArgumentError("give either the login of a person with an account or the name of a walk-in",
                                  "login");
    }
    ASSIGN_OR_RETURN(storage::Row count,
                     tx.QueryOne("SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = ?", {id}));
    if (count.Int(0) >= kMaxAttendance) return ResourceExhaustedError("the sign-in sheet is full");
    std::optional<int64_t> user_id;
    std::string name;
    std::optional<AttendeeRole> role;
    if (!input.role.empty()) {
      role = ParseAttendeeRole(input.role);
      if (!role) return InvalidArgumentError(Msg("unknown role {}", QuoteForMessage(input.role)), "role");
    }
    if (!login.empty()) {
      ASSIGN_OR_RETURN(user_id, FindUser(tx, login));
      if (!user_id) return InvalidArgumentError(Msg("no account {}", QuoteForMessage(login)), "login");
      ASSIGN_OR_RETURN(auto signed_in, tx.QueryOptional("SELECT 1 FROM meeting_attendance WHERE meeting_id = ? AND "
                                                        "user_id = ?",
                                                        {id, *user_id}));
      if (signed_in) return AlreadyExistsError(Msg("{} has already signed in", QuoteForMessage(login)));
      ASSIGN_OR_RETURN(name, DisplayName(tx, *user_id));
      if (!role) {
        ASSIGN_OR_RETURN(auto as, RegistrationRole(tx, *user_id, m.area_id));
        ASSIGN_OR_RETURN(auto grants, auth::LoadGrants(tx, *user_id));
        auto has = [&](auth::Role r) {
          return std::any_of(grants.begin(), grants.end(), [&](const auth::Grant& g) { return g.role == r; });
        };
        if (as && *as == "owner") {
          role = AttendeeRole::kOwner;
        } else if (has(auth::Role::kDeputy)) {
          role = AttendeeRole::kDeputy;
        } else if (has(auth::Role::kNeighborhoodStaff) || has(auth::Role::kSubdistrictStaff) ||
                   has(auth::Role::kDistrictAdmin) || has(auth::Role::kBuildingLeader)) {
          role = AttendeeRole::kStaff;
        } else if (has(auth::Role::kOrganizationMember)) {
          role = AttendeeRole::kOrganization;
        } else {
          role = as ? AttendeeRole::kResident : AttendeeRole::kGuest;
        }
      }
    } else {
      ASSIGN_OR_RETURN(name, CleanText(walk_in, "name", 1, 40));
      if (!role) return InvalidArgumentError("say in which role a walk-in attends", "role");
    }
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO meeting_attendance (meeting_id, user_id, name, role, signed_in_at, "
        "recorded_by) VALUES (?, ?, ?, ?, ?, ?)",
        {id, storage::Nullable(user_id), name, std::string(AttendeeRoleName(*role)), ToUnix(now), by.AccountOrNull()}));
    if (m.state == MeetingState::kNoticed) {
      RETURN_IF_ERROR(tx.Execute("UPDATE meetings SET state = 'held', held_at = ? WHERE id = ?", {ToUnix(now), id}));
      RETURN_IF_ERROR(Record(tx, now, by, id, "hold", "held", json::object()));
    }
    RETURN_IF_ERROR(Touch(tx, id, now));
    return Record(tx, now, by, id, "sign_in", "signed_in",
                  {{"user_id", OptInt(user_id)}, {"role", AttendeeRoleName(*role)}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::SaveMinutes(const auth::Principal& by, int64_t id, const std::string& text,
                                              bool publish) {
  const Instant now = clock_.Now();
  ASSIGN_OR_RETURN(std::string minutes, CleanText(text, "minutes", publish ? 1 : 0, 20000));
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    RETURN_IF_ERROR(RequireManager(tx, by, m));
    if (m.state == MeetingState::kNoticed && now >= m.starts_at) {
      // Nobody was signed in on the system, but the meeting took place: writing its minutes says so.
      RETURN_IF_ERROR(tx.Execute("UPDATE meetings SET state = 'held', held_at = ? WHERE id = ?", {ToUnix(now), id}));
      RETURN_IF_ERROR(Record(tx, now, by, id, "hold", "held", json::object()));
      m.state = MeetingState::kHeld;
    }
    if (m.state != MeetingState::kHeld) return WrongState(m, "minutes are written for a held meeting");
    if (publish) {
      RETURN_IF_ERROR(
          tx.Execute("UPDATE meetings SET minutes = ?, state = 'minuted', minuted_at = ?, updated_at = ? "
                     "WHERE id = ?",
                     {minutes, ToUnix(now), ToUnix(now), id}));
      return Record(tx, now, by, id, "publish_minutes", "minuted", {{"chars", utf8::CodePointCount(minutes)}});
    }
    RETURN_IF_ERROR(
        tx.Execute("UPDATE meetings SET minutes = ?, updated_at = ? WHERE id = ?", {minutes, ToUnix(now), id}));
    return Record(tx, now, by, id, "save_minutes", "minutes_saved", {{"chars", utf8::CodePointCount(minutes)}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::AddDecision(const auth::Principal& by, int64_t id, const DecisionInput& input) {
  const Instant now = clock_.Now();
  ASSIGN_OR_RETURN(std::string text, CleanText(input.text, "text", 1, 2000));
  const int present = (input.votes_for ? 1 : 0) + (input.votes_against ? 1 : 0) + (input.votes_abstain ? 1 : 0);
  if (present != 0 && present != 3) {
    return InvalidArgumentError("a show of hands gives for, against and abstain together", "votes");
  }
  for (const auto* v : {&input.votes_for, &input.votes_against, &input.votes_abstain}) {
    if (*v && (**v < 0 || **v > kMaxHands)) return InvalidArgumentError("a count of hands is 0 to 100000", "votes");
  }
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    RETURN_IF_ERROR(RequireManager(tx, by, m));
    if (m.state != MeetingState::kHeld) return WrongState(m, "decisions are recorded for a held meeting");
    ASSIGN_OR_RETURN(storage::Row n, tx.QueryOne("SELECT COUNT(*) FROM meeting_decisions WHERE meeting_id = ?", {id}));
    if (n.Int(0) >= kMaxDecisions) return ResourceExhaustedError("a meeting records at most 100 decisions");
    if (present == 3) {
      ASSIGN_OR_RETURN(storage::Row att,
                       tx.QueryOne("SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = ?", {id}));
      const int64_t hands = *input.votes_for + *input.votes_against + *input.votes_abstain;
      if (hands > att.Int(0)) {
        return InvalidArgumentError(Msg("the show of hands counts {} but {} signed in", hands, att.Int(0)), "votes");
      }
    }
    ASSIGN_OR_RETURN(storage::Row row,
                     tx.QueryOne("INSERT INTO meeting_decisions (meeting_id, text, votes_for, votes_against, "
                                 "votes_abstain, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                 {id, text, storage::Nullable(input.votes_for), storage::Nullable(input.votes_against),
                                  storage::Nullable(input.votes_abstain), ToUnix(now), by.AccountOrNull()}));
    RETURN_IF_ERROR(Touch(tx, id, now));
    return Record(tx, now, by, id, "decide", "decision",
                  {{"decision_id", row.Int(0)},
                   {"text", text},
                   {"for", OptInt(input.votes_for)},
                   {"against", OptInt(input.votes_against)},
                   {"abstain", OptInt(input.votes_abstain)}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::AddAction(const auth::Principal& by, int64_t id, const ActionInput& input) {
  const Instant now = clock_.Now();
  ASSIGN_OR_RETURN(std::string title, CleanText(input.title, "title", 1, 200));
  const std::string due(Trim(input.due_date));
  const std::optional<CivilDate> due_on = ParseCivilDate(due);
  if (!due_on) {
    return InvalidArgumentError(Msg("give the due date as YYYY-MM-DD, not {}", QuoteForMessage(due)), "due_date");
  }
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    RETURN_IF_ERROR(RequireManager(tx, by, m));
    if (m.state != MeetingState::kHeld && m.state != MeetingState::kMinuted) {
      return WrongState(m, "follow-up actions come from a held meeting");
    }
    if (*due_on < ShanghaiDate(m.starts_at)) {
      return InvalidArgumentError(Msg("the due date is before the meeting ({})", FormatShanghaiDate(m.starts_at)),
                                  "due_date");
    }
    ASSIGN_OR_RETURN(auto assignee, FindUser(tx, std::string(Trim(input.assignee))));
    if (!assignee) return InvalidArgumentError(Msg("no account {}", QuoteForMessage(input.assignee)), "assignee");
    ASSIGN_OR_RETURN(storage::Row n, tx.QueryOne("SELECT COUNT(*) FROM meeting_actions WHERE meeting_id = ?", {id}));
    if (n.Int(0) >= kMaxActions) return ResourceExhaustedError("a meeting has at most 200 follow-up actions");
    ASSIGN_OR_RETURN(storage::Row row,
                     tx.QueryOne("INSERT INTO meeting_actions (meeting_id, title, assignee_id, due_date, created_at, "
                                 "created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                 {id, title, *assignee, due, ToUnix(now), by.AccountOrNull()}));
    RETURN_IF_ERROR(Touch(tx, id, now));
    return Record(tx, now, by, id, "add_action", "action",
                  {{"action_id", row.Int(0)}, {"title", title}, {"assignee_id", *assignee}, {"due_date", due}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::SetActionDone(const auth::Principal& by, int64_t id, int64_t action_id, bool done) {
  if (by.anonymous()) return UnauthenticatedError("sign in first");
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    bool was_done = false;
    RETURN_IF_ERROR(RequireActionTicker(tx, by, m, action_id, &was_done));
    if (was_done == done) return OkStatus();
    RETURN_IF_ERROR(tx.Execute("UPDATE meeting_actions SET done = ?, done_at = ? WHERE id = ?",
                               {int64_t{done ? 1 : 0}, done ? ToUnix(now) : int64_t{0}, action_id}));
    RETURN_IF_ERROR(Touch(tx, id, now));
    return Record(tx, now, by, id, done ? "action_done" : "action_reopened", done ? "action_done" : "action_reopened",
                  {{"action_id", action_id}});
  }));
  return Get(by, id);
}

StatusOr<Meeting> MeetingService::Cancel(const auth::Principal& by, int64_t id, const std::string& reason_in) {
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(LockMeeting(tx, id));
    ASSIGN_OR_RETURN(Meeting m, Load(tx, by, id, false));
    RETURN_IF_ERROR(RequireManager(tx, by, m));
    if (m.state != MeetingState::kDraft && m.state != MeetingState::kNoticed) {
      return WrongState(m, "only a draft or a noticed meeting can be cancelled");
    }
    const bool noticed = m.state == MeetingState::kNoticed;
    ASSIGN_OR_RETURN(std::string reason, CleanText(reason_in, "reason", noticed ? 1 : 0, 200));
    RETURN_IF_ERROR(
        tx.Execute("UPDATE meetings SET state = 'cancelled', cancelled_at = ?, cancel_reason = ?, "
                   "sequence = sequence + ?, updated_at = ? WHERE id = ?",
                   {ToUnix(now), reason, int64_t{noticed ? 1 : 0}, ToUnix(now), id}));
    return Record(tx, now, by, id, "cancel", "cancelled", {{"reason", reason}, {"was", MeetingStateName(m.state)}});
  }));
  return Get(by, id);
}

Status SeedDemoMeetings(storage::Connection& tx, Instant now) {
  ASSIGN_OR_RETURN(auto staff,
                   tx.QueryOptional("SELECT g.user_id, g.area_id FROM role_grants g "
                                    "JOIN areas a ON a.id = g.area_id WHERE g.role = 'neighborhood_staff' "
                                    "AND a.kind = 'neighborhood' AND g.revoked_at = 0 ORDER BY g.id LIMIT 1"));
  if (!staff) return OkStatus();
  const int64_t staff_id = staff->Int(0);
  const int64_t neighborhood = staff->Int(1);
  ASSIGN_OR_RETURN(auto building, tx.QueryOptional("SELECT id FROM areas WHERE parent_id = ? AND kind = 'building' "
                                                   "ORDER BY sort_key, id LIMIT 1",
                                                   {neighborhood}));
  ASSIGN_OR_RETURN(storage::Result residents,
                   tx.Execute("SELECT user_id FROM residencies WHERE area_id = ? ORDER BY user_id", {neighborhood}));
  const record::Actor actor = record::Actor::System("demo");
  // Meetings start at 19:00 Shanghai time, `days` from today.
  const int64_t today_19h = ToUnix(StartOfShanghaiDay(ShanghaiDate(now)) + std::chrono::hours(19));
  struct Seed {
    const char* kind;
    const char* subject;
    bool in_building;
    int days;
    const char* place;
    std::vector<const char*> agenda;
    MeetingState state;
  };
  const std::vector<Seed> seeds = {
      {"coordination",
       "1号楼加装电梯协调会",
       true,
       -20,
       "居委会议事厅",
       {"通报可行性评估结果", "听取低层住户意见", "协商费用分摊方案"},
       MeetingState::kMinuted},
      {"review",
       "居委会年度工作评议会",
       false,
       -1,
       "社区活动中心二楼",
       {"居委会年度工作报告", "居民代表评议"},
       MeetingState::kHeld},
      {"hearing",
       "小区停车收费方案听证会",
       false,
       10,
       "居委会议事厅",
       {"物业公司说明收费方案", "居民代表发言", "形成听证意见"},
       MeetingState::kNoticed},
      {"consultation",
       "1号楼加装电梯意向征询会",
       true,
       5,
       "1号楼门口",
       {"介绍加装电梯政策与流程", "登记意向"},
       MeetingState::kNoticed},
      {"residents_meeting",
       "居民会议：修订居民公约",
       false,
       30,
       "社区活动中心",
       {"居民公约修订草案说明", "讨论"},
       MeetingState::kDraft},
      {"consultation", "垃圾箱房改造征询会", false, 3, "垃圾箱房旁", {"改造方案介绍"}, MeetingState::kCancelled},
  };
  for (const Seed& s : seeds) {
    const int64_t starts = today_19h + s.days * kDay;
    const int64_t area = s.in_building && building ? building->Int(0) : neighborhood;
    const bool noticed = s.state != MeetingState::kDraft;
    const bool held = s.state == MeetingState::kHeld || s.state == MeetingState::kMinuted;
    const int64_t noticed_at = noticed ? std::min(ToUnix(now), starts - 7 * kDay) : 0;
    const std::string minutes =
        held ? std::string("会议由居委会主任主持。") + s.subject + "：与会居民充分发表意见，会议形成决定如下。" : "";
    ASSIGN_OR_RETURN(
        storage::Row row,
        tx.QueryOne("INSERT INTO meetings (kind, subject, area_id, neighborhood_id, convener_id, starts_at, ends_at, "
                    "place, description, state, noticed_at, held_at, minutes, minuted_at, cancelled_at, "
                    "cancel_reason, sequence, created_by, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {std::string(s.kind),
                     std::string(s.subject),
                     area,
                     neighborhood,
                     staff_id,
                     starts,
                     starts + 90 * 60,
                     std::string(s.place),
                     std::string("欢迎居民参加，请提前报名。"),
                     std::string(MeetingStateName(s.state)),
                     noticed_at,
                     held ? starts : int64_t{0},
                     minutes,
                     s.state == MeetingState::kMinuted ? starts + 2 * kDay : int64_t{0},
                     s.state == MeetingState::kCancelled ? ToUnix(now) : int64_t{0},
                     std::string(s.state == MeetingState::kCancelled ? "方案需进一步论证，会议延期" : ""),
                     int64_t{s.state == MeetingState::kCancelled ? 1 : 0},
                     staff_id,
                     ToUnix(now),
                     ToUnix(now)}));
    const int64_t id = row.Int(0);
    const std::string ref = record::Ref("meeting", id);
    std::vector<std::string> agenda(s.agenda.begin(), s.agenda.end());
    RETURN_IF_ERROR(WriteAgenda(tx, id, agenda));
    if (noticed) {
      for (const auto& r : residents.rows) {
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO meeting_registrations (meeting_id, user_id, role, registered_at) "
                       "VALUES (?, ?, 'resident', ?)",
                       {id, r.Int(0), std::min(ToUnix(now), starts - kDay)}));
      }
    }
    if (held) {
      // A paper sign-in sheet: residents and owners, a deputy, staff, the property company.
      const std::vector<std::pair<const char*, const char*>> sheet = {
          {"业主 王某", "owner"},           {"业主 李某", "owner"},    {"业主 张某", "owner"},
          {"业主 刘某", "owner"},           {"业主 陈某", "owner"},    {"居民 杨某", "resident"},
          {"居民 黄某", "resident"},        {"人大代表 沈", "deputy"}, {"居委会 赵某", "staff"},
          {"物业公司 周某", "organization"}};
      for (const auto& [name, role] : sheet) {
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO meeting_attendance (meeting_id, name, role, signed_in_at, "
                       "recorded_by) VALUES (?, ?, ?, ?, ?)",
                       {id, std::string(name), std::string(role), starts - 600, staff_id}));
      }
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO meeting_decisions (meeting_id, text, votes_for, votes_against, "
                     "votes_abstain, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     {id, std::string("同意按楼层分摊费用方案提交业主表决"), int64_t{7}, int64_t{2}, int64_t{1},
                      starts + 3600, staff_id}));
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO meeting_decisions (meeting_id, text, recorded_at, recorded_by) "
                     "VALUES (?, ?, ?, ?)",
                     {id, std::string("请物业公司两周内提交施工期间安全方案"), starts + 3600, staff_id}));
      RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO meeting_actions (meeting_id, title, assignee_id, due_date, done, "
          "done_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {id, std::string("发布会议纪要并张贴于楼道"), staff_id, FormatShanghaiDate(FromUnix(starts + 3 * kDay)),
           int64_t{1}, starts + 2 * kDay, starts + 3600, staff_id}));
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO meeting_actions (meeting_id, title, assignee_id, due_date, created_at, "
                     "created_by) VALUES (?, ?, ?, ?, ?, ?)",
                     {id, std::string("联系设计单位出具初步方案"), staff_id,
                      FormatShanghaiDate(FromUnix(starts + 30 * kDay)), starts + 3600, staff_id}));
    }
    RETURN_IF_ERROR(record::Audit(tx, now, actor, "meeting.seed", ref,
                                  {{"state", MeetingStateName(s.state)}, {"subject", s.subject}}));
    RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "created", "demo"));
  }
  return OkStatus();
}

}  // namespace ningju::decisions
