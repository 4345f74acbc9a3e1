#include "governance/cases/cases.h"

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "auth/accounts.h"
#include "auth/policy.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "governance/cases/actions.h"
#include "governance/cases/case_policy.h"
#include "governance/cases/checks.h"
#include "governance/cases/intake_queue.h"
#include "governance/cases/store.h"
#include "platform/notify/follows.h"
#include "record/attachments.h"
#include "record/record.h"
#include "text/normalize.h"
#include "text/tokenize.h"

namespace ningju::cases {

using internal::Access;
using internal::AccessTo;
using internal::ActionHandler;
using internal::ActionStep;
using internal::CaseRef;
using internal::CheckActor;
using internal::CheckLimit;
using internal::CheckNewCase;
using internal::CheckText;
using internal::Denied;
using internal::EndAssignments;
using internal::HandlerFor;
using internal::HidePersonal;
using internal::InsertCase;
using internal::IsFollower;
using internal::IsMember;
using internal::IsStaffFor;
using internal::kCaseColumnCount;
using internal::kCaseColumns;
using internal::LoadCase;
using internal::LoadCaseForUpdate;
using internal::MayAct;
using internal::OptInstant;
using internal::PersonalExpression;
using internal::Propose;
using internal::ReadCase;
using internal::RecordStep;
using internal::Reopen;
using internal::SaveCase;
using internal::SelectVisible;
using internal::VisibleCondition;
using storage::Connection;
using storage::Params;
using storage::Row;

namespace {

constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

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
  ASSIGN_OR_RETURN(Access access, AccessTo(*conn, viewer, c));
  if (!access.visible) return Denied(viewer, Msg("case {} is not public", case_id));
  // Who the viewer may act as on this case (the policy, with the case whole, before its personal data is hidden).
  std::map<ActorKind, bool> may_act;
  for (ActorKind who : {ActorKind::kStaff, ActorKind::kLeadUnit, ActorKind::kStaffOrReporter}) {
    ASSIGN_OR_RETURN(may_act[who], MayAct(*conn, viewer, c, who));
  }
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
  for (CaseAction a : AllowedActions(c.state)) {
    auto t = FindTransition(c.state, a);
    bool may = may_act[t->who];
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

StatusOr<std::string> CaseService::ListSql(storage::Connection& conn, const auth::Principal& viewer,
                                           const CaseFilter& filter, Params* out) {
  Params& params = *out;
  std::string sql = SelectVisible(viewer, filter.public_only, &params);
  if (filter.state) {
    sql += " AND c.state = ?";
    params.push_back(std::string(StateName(*filter.state)));
  }
  if (!filter.states.empty()) {
    sql += " AND c.state IN (";
    for (size_t i = 0; i < filter.states.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.push_back(std::string(StateName(filter.states[i])));
    }
    sql += ")";
  }
  if (filter.reported) {
    if (!viewer.signed_in()) return UnauthenticatedError("sign in to see your cases");
    sql += " AND c.reporter_id = ?";
    params.push_back(viewer.user_id);
  }
  if (filter.as_staff) {
    auth::policy::Subject columns;
    columns.area = auth::policy::Operand::Column("c.area_id");
    auth::policy::Condition staff = auth::policy::Filter(viewer, auth::policy::Action::kActOnCaseAsStaff, columns);
    sql += " AND " + staff.sql;
    params.insert(params.end(), staff.params.begin(), staff.params.end());
  }
  if (filter.area_id) {
    // "In the area or below" by the case's own column for the area's kind: a case carries its neighborhood,
    // subdistrict and building, taken from area_paths at intake (neither a case's area nor an area's parent ever
    // changes), so the condition is the same, and an index range read in id order answers it (0007). No index
    // serves the EXISTS over area_paths, which is probed case by case from the newest: PostgreSQL took 300 ms for
    // a neighborhood's public list at a million cases. The district and entrances keep the general form.
    ASSIGN_OR_RETURN(auto area, conn.QueryOptional("SELECT kind FROM areas WHERE id = ?", {*filter.area_id}));
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
  return sql;
}

StatusOr<Page<Case>> CaseService::List(const auth::Principal& viewer, const CaseFilter& filter, std::string_view cursor,
                                       int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  Params params;
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(std::string sql, ListSql(*conn, viewer, filter, &params));
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
  ASSIGN_OR_RETURN(Access access, AccessTo(*conn, viewer, c));
  if (!access.personal) return Denied(viewer, Msg("the files of case {} are not public", case_id));
  return record::ListAttachments(*conn, CaseRef(case_id));
}

StatusOr<std::pair<record::Attachment, std::string>> CaseService::File(const auth::Principal& viewer, int64_t case_id,
                                                                       int64_t file_id, bool thumbnail) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Case c, LoadCase(*conn, case_id));
  ASSIGN_OR_RETURN(Access access, AccessTo(*conn, viewer, c));
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

namespace {

// The handling unit (its area_id, kind) whose inbox `viewer` reads: its members, or staff over its area.
StatusOr<storage::Row> LoadInboxUnit(Connection& conn, const auth::Principal& viewer, int64_t unit_id) {
  ASSIGN_OR_RETURN(auto unit, conn.QueryOptional("SELECT area_id, kind FROM handling_units WHERE id = ?", {unit_id}));
  if (!unit) return NotFoundError(Msg("no handling unit {}", unit_id));
  ASSIGN_OR_RETURN(bool member, IsMember(conn, viewer, unit_id));
  if (!member) {
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(conn, viewer, unit->Int(0)));
    if (!staff) return Denied(viewer, Msg("the inbox of unit {} is for its members", unit_id));
  }
  return *std::move(unit);
}

}  // namespace

Status CaseService::CheckInbox(const auth::Principal& viewer, int64_t unit_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return LoadInboxUnit(*conn, viewer, unit_id).status();
}

Status CaseService::CheckStaffOn(const auth::Principal& by, int64_t case_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Case c, LoadCase(*conn, case_id));
  ASSIGN_OR_RETURN(bool staff, IsStaffFor(*conn, by, c.area_id));
  if (!staff) return Denied(by, "only staff over the case's area take this action");
  return OkStatus();
}

StatusOr<InboxView> CaseService::Inbox(const auth::Principal& viewer, int64_t unit_id, std::string_view cursor,
                                       int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Row unit, LoadInboxUnit(*conn, viewer, unit_id));
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
  const std::string& unit_kind = unit.Text(1);
  if (unit_kind == "neighborhood_committee" || unit_kind == "subdistrict_office") {
    base +=
        " OR c.state IN ('submitted', 'accepted', 'returned', 'reopened') AND c.area_id IN (SELECT "
        "p.descendant_id FROM area_paths p WHERE p.ancestor_id = ?)";
    where.push_back(unit.Int(0));
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
    ASSIGN_OR_RETURN(Access access, AccessTo(tx, by, c));
    if (!access.visible) return Denied(by, Msg("case {} is not public", case_id));
    auto t = FindTransition(c.state, action);
    if (!t) return IllegalAction(c.state, action);
    RETURN_IF_ERROR(CheckActor(tx, by, c, action, t->who));
    const ActionHandler handler = HandlerFor(action);
    if (handler == nullptr) return InternalError(Msg("action {} has no handler", ActionName(action)));
    const record::Actor actor = auth::ActorOf(by);
    ActionStep step{tx, *calendar, actor, now, in, c};
    RETURN_IF_ERROR(handler(step));
    c.state = t->to;
    c.updated_at = now;
    RETURN_IF_ERROR(RecordStep(tx, c, now, actor, action, read_state, step.data, in.note));
    if (step.reopen_after) {
      // Unresolved or dissatisfied: reopened at once (counted), by the same hand.
      const CaseState from = c.state;
      RETURN_IF_ERROR(Reopen(step));
      RETURN_IF_ERROR(RecordStep(tx, c, now, actor, CaseAction::kReopen, from,
                                 {{"reopen_count", c.reopen_count}, {"after_follow_up", true}}, ""));
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
  if (!by.has_account()) return UnauthenticatedError("sign in to follow a case");
  Case out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(Case c, LoadCaseForUpdate(tx, case_id));
    ASSIGN_OR_RETURN(Access access, AccessTo(tx, by, c));
    if (!access.visible) return Denied(by, Msg("case {} is not public", case_id));
    if (!IsOpen(c.state)) {
      return FailedPreconditionError(
          Msg("case {} is {}; only open cases take a \"me too\"", case_id, StateName(c.state)));
    }
    ASSIGN_OR_RETURN(bool following, IsFollower(tx, by, case_id));
    if (following) return AlreadyExistsError(Msg("you follow case {} already", case_id));
    // A "me too" counts a person: a phone that has not come back with its code is not yet one.
    RETURN_IF_ERROR(auth::RequireSettledPhone(tx, by));
    RETURN_IF_ERROR(tx.Execute("INSERT INTO case_followers (case_id, user_id, since) VALUES (?, ?, ?)",
                               {case_id, by.user_id, ToUnix(now)}));
    RETURN_IF_ERROR(tx.Execute("UPDATE cases SET me_too_count = me_too_count + 1 WHERE id = ?", {case_id}));
    // "Me too" also follows the case (its notifications); unfollowing later leaves the "me too" and its count.
    RETURN_IF_ERROR(notify::AddFollow(tx, by.user_id, CaseRef(case_id), now));
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

}  // namespace ningju::cases
