// Cases (诉求 / 工单): a resident's enquiry, help request, complaint, report or suggestion, followed from intake
// through dispatch, reply and follow-up, with deadlines in working days, overdue marking, escalation to a joint
// consultation (约请会商) and the rates of every handling unit. The rules are in docs/CASES.md; the workflow table is
// in workflow.h.
//
// Every call authorizes inside (the routes only decode), writes its change, a timeline event on "case:<id>" and an
// audit record in one transaction. Who may do what:
//   - anyone (anonymous with a contact phone) submits through the web and door-QR channels; staff channels (phone,
//     visit, letter, reception) need staff over the area; "api" and "open311" need a signed-in principal;
//   - staff: neighborhood staff, subdistrict staff and district admins over the case's area (grants cover the area and
//     everything below); the system principal (CLI, jobs) counts as staff everywhere;
//   - unit members: users listed as members of a handling unit act for it on the cases assigned to it;
//   - a case is visible to its reporter, its followers (me too), staff over its area, the members of every unit it
//     was assigned to, and, when marked public, to everyone; the contact name and phone and the reporter's id only to
//     the reporter, staff over the area and the assigned units' members (Case::personal_visible).
// Not visible is kPermissionDenied (kUnauthenticated for an anonymous viewer); a missing case is kNotFound.
//
// Thread-safety: a CaseService is safe to use from many threads (state lives in the database).
#ifndef NINGJU_GOVERNANCE_CASES_CASES_H_
#define NINGJU_GOVERNANCE_CASES_CASES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/calendar.h"
#include "common/clock.h"
#include "common/status.h"
#include "governance/cases/intake_limits.h"
#include "governance/cases/workflow.h"
#include "record/attachments.h"
#include "storage/database.h"

namespace ningju::text {
class Normalizer;
}

namespace ningju::cases {

// The value lists (validated on intake; the names are the API's and the catalog keys' "case_type_<name>" ...).
const std::vector<std::string>& CaseTypes();      // enquiry help complaint report suggestion
const std::vector<std::string>& Urgencies();      // normal urgent emergency
const std::vector<std::string>& Channels();       // web door_qr phone visit letter reception api open311
const std::vector<std::string>& StaffChannels();  // phone visit letter reception
const std::vector<std::string>& Satisfactions();  // satisfied basically_satisfied dissatisfied
const std::vector<std::string>& UnitKinds();      // department subdistrict_office neighborhood_committee

// Limits on what a stranger sends (characters, not bytes).
inline constexpr size_t kMaxTitleChars = 100;
inline constexpr size_t kMaxDescriptionChars = 4000;
inline constexpr size_t kMaxNoteChars = 2000;
inline constexpr size_t kMaxNameChars = 50;
inline constexpr int kMaxPageSize = 200;
inline constexpr int kMaxExtensionDays = 30;

// A new case as submitted. Unset optional fields are absent.
struct NewCase {
  std::string type = "complaint";
  std::string category;            // a code of Categories()
  std::string title;               // 1..100 characters
  std::string description;         // 1..4000 characters
  int64_t area_id = 0;             // a neighborhood, building or entrance (door QR: the building)
  std::optional<int64_t> unit_id;  // an apartment of that building
  std::optional<double> latitude;  // WGS-84 degrees, both or neither
  std::optional<double> longitude;
  std::string urgency = "normal";
  std::string channel = "web";
  std::string contact_name;   // up to 50 characters
  std::string contact_phone;  // required when the submitter is anonymous (web, door_qr)
  bool is_public = false;     // may be shown in the public list (never with name or phone)
  bool unit_public = false;   // the apartment may be shown to those who see the case without its personal data
                              // (default: they see the building only)
};

// A file sent with a new case (the web form): stored on "case:<id>" with record::AddAttachment.
struct CaseFile {
  std::string name;   // as uploaded (sanitized by AddAttachment)
  std::string bytes;  // the type is sniffed from these, never taken from the name
};
inline constexpr int kMaxCaseFiles = 6;

// Public cases of one building of a neighborhood (the schematic plot of the public list).
struct BuildingCount {
  int64_t building_id = 0;
  int64_t open = 0;   // public cases still open
  int64_t total = 0;  // public cases, open or not
};

struct Case {
  int64_t id = 0;
  std::string type;
  std::string category;
  std::string title;
  std::string description;
  int64_t area_id = 0;  // as given: neighborhood, building or entrance
  int64_t neighborhood_id = 0;
  int64_t subdistrict_id = 0;
  std::optional<int64_t> building_id;
  std::optional<int64_t> unit_id;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string urgency;
  bool complex = false;  // the long reply limit applies
  std::string channel;
  bool is_public = false;
  bool unit_public = false;  // the reporter allowed the apartment to be shown; else unit_id is personal data
  CaseState state = CaseState::kSubmitted;
  ExtensionState extension = ExtensionState::kNone;
  Instant submitted_at;
  Instant updated_at;
  std::optional<Instant> due_at;         // the deadline of the current stage (dispatch, sign or reply); none after
  std::optional<Instant> reply_due_at;   // the reply deadline once dispatched (moved by an approved extension)
  std::optional<Instant> overdue_since;  // set by the overdue job while the current stage is past its deadline
  std::optional<Instant> closed_at;
  std::optional<int64_t> lead_unit_id;  // the current lead unit, while assigned
  std::optional<int64_t> merged_into;   // closed as a duplicate of this case
  std::optional<Instant> escalated_at;  // a joint consultation was called
  int64_t reopen_count = 0;
  int64_t overdue_count = 0;
  int64_t me_too_count = 0;
  // Personal data: filled only when personal_visible (unit_id too, unless unit_public).
  bool personal_visible = false;
  std::string contact_name;
  std::string contact_phone;
  std::optional<int64_t> reporter_id;

  // The API form. Without personal_visible the keys contact_name, contact_phone and reporter_id are absent.
  nlohmann::json ToJson() const;
};

struct Assignment {
  int64_t id = 0;
  int64_t unit_id = 0;
  std::string unit_name;
  std::string role;  // "lead" | "co"
  Instant assigned_at;
  std::optional<Instant> sign_due_at;  // lead only
  std::optional<Instant> signed_at;
  std::optional<Instant> reply_due_at;  // lead only
  std::optional<Instant> replied_at;
  std::optional<Instant> ended_at;
  std::string end_reason;  // "", "returned", "redispatched", "reopened", "closed"
  nlohmann::json ToJson() const;
};

struct FollowUp {
  Instant at;
  bool resolved = false;
  std::string satisfaction;
  std::string comment;
  nlohmann::json ToJson() const;
};

// A joint consultation (约请会商): called by the overdue job for a case overdue or reopened twice; staff record the
// outcome.
struct Consultation {
  int64_t id = 0;
  Instant called_at;
  std::string reason;             // "overdue_twice" | "reopened_twice"
  std::vector<int64_t> unit_ids;  // every unit the case was assigned to
  std::string outcome;            // empty until recorded
  std::optional<Instant> outcome_at;
  nlohmann::json ToJson() const;
};

struct TimelineEntry {
  Instant at;
  std::string kind;  // "submitted", an action name, "overdue", "reminder", "consultation_called", "merged", ...
  std::string note;
  nlohmann::json data;
  std::optional<int64_t> actor_id;  // only when personal_visible
  nlohmann::json ToJson() const;
};

struct CaseDetail {
  Case c;
  std::vector<TimelineEntry> timeline;  // oldest first
  std::vector<Assignment> assignments;
  std::vector<FollowUp> follow_ups;
  std::vector<Consultation> consultations;
  std::vector<CaseAction> actions;  // what this viewer may take now (state, role and side-path guards applied)
  bool following = false;           // the viewer said "me too" (or reported it)
  std::vector<int64_t> duplicates;  // cases merged into this one
  bool can_merge = false;           // the viewer may merge this case into another (staff over its area; open)
  nlohmann::json ToJson() const;
};

// What an action carries; each action reads only its fields (docs/CASES.md).
struct ActionInput {
  std::string note;                     // reject/return/request_extension: reason (required); answer/reply: the
                                        // text (required); others: optional remark; follow_up: the comment
  std::optional<int64_t> lead_unit_id;  // dispatch/redispatch: default the routing proposal
  std::vector<int64_t> co_unit_ids;     // dispatch/redispatch
  std::optional<bool> complex;          // dispatch/redispatch: the long reply limit (default: the category's)
  int extension_days = 0;               // request_extension: 1..30 working days
  std::optional<bool> resolved;         // follow_up: required
  std::string satisfaction;             // follow_up: required, one of Satisfactions()
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty on the last page
};

struct CaseFilter {
  std::optional<CaseState> state;
  std::optional<int64_t> area_id;  // cases in this area or below
  std::optional<int64_t> unit_id;  // cases with a current assignment to this unit
  bool mine = false;               // reported or followed by the viewer
  bool overdue = false;            // the current stage is past its deadline
  bool public_only = false;        // only cases marked public (the public list)
  std::vector<CaseState> states;   // any of these (with `state`, both apply)
  bool reported = false;           // reported by the viewer (not only followed)
  bool as_staff = false;           // only cases the viewer acts on as staff (policy kActOnCaseAsStaff on the area)
};

// A search over many cases at once (Open311's requests.json, exports): every condition optional, newest first.
struct CaseSearch {
  std::vector<int64_t> ids;               // only these cases (then the other conditions still apply)
  std::vector<std::string> categories;    // any of these category codes
  std::vector<CaseState> states;          // any of these states
  std::optional<Instant> submitted_from;  // submitted_at >= from
  std::optional<Instant> submitted_to;    // submitted_at <= to
  bool public_only = false;               // only cases marked public (and no personal data, whoever asks)
  int limit = 1000;                       // 1..kMaxSearchResults
};
inline constexpr int kMaxSearchResults = 1000;

// One intake: who submits what (IntakeQueue batches them; cases.h keeps the type so both sides share it).
struct Intake {
  auth::Principal by;
  NewCase input;
};

// Group commit of intakes (intake_queue.h): how large a batch may grow and how many may wait.
struct GroupCommitOptions {
  size_t max_batch = 256;      // intakes committed in one transaction at most
  size_t max_pending = 20000;  // waiting intakes beyond which Submit answers kResourceExhausted (429)
};

struct SimilarQuery {
  int64_t area_id = 0;  // a neighborhood, building or entrance; the search covers its neighborhood
  std::optional<int64_t> building_id;
  std::string title;
  std::string description;
  int limit = 5;  // 1..20
};
struct SimilarCase {
  Case c;
  double score = 0;  // overlap of the search tokens, 0..1
  bool same_building = false;
};

struct HandlingUnit {
  int64_t id = 0;
  std::string code;
  std::string name;
  std::string kind;  // UnitKinds()
  int64_t area_id = 0;
  bool active = true;
  nlohmann::json ToJson() const;
};

struct Category {
  std::string code;
  std::string name_zh;
  std::string name_en;
  bool complex = false;  // cases of this category default to the long reply limit
  nlohmann::json ToJson() const;
};

struct RoutingProposal {
  std::optional<int64_t> lead_unit_id;  // none when no rule matches and the subdistrict has no office
  std::vector<int64_t> co_unit_ids;
  int64_t rule_id = 0;  // 0: the fallback (the subdistrict office of the case's area, 属地兜底)
  nlohmann::json ToJson() const;
};

// The cases card of the home page (platform/home.h): what is the viewer's and what waits for them, by role. Every
// list and count is read through the policy's filters, so what the viewer may not see is never counted.
struct CaseHome {
  std::vector<Case> open;     // open cases the viewer reported or follows, newest first (at most `limit`)
  std::vector<Case> to_rate;  // cases they reported that were replied to or answered: waiting for their follow-up
  struct Inbox {
    HandlingUnit unit;
    int64_t open = 0;
    int64_t overdue = 0;
    int64_t due_today = 0;
  };
  // The units the viewer is a member of, then the intake units (neighborhood committees, subdistrict offices) of
  // the areas they are staff of.
  std::vector<Inbox> inboxes;
  int64_t awaiting_acceptance = 0;  // submitted cases the viewer may accept as staff (none for others)
  std::vector<Case> recent_public;  // an anonymous visitor: the district's newest public cases
};

struct InboxView {
  std::vector<Case> items;  // sorted by due_at (none last), then id
  std::string next_cursor;
  int64_t open = 0;       // all open cases assigned to the unit
  int64_t overdue = 0;    // of them, past their current deadline
  int64_t due_today = 0;  // of them, due before the end of today (Shanghai) and not yet overdue
};

// numerator / denominator, kept apart so that every rate shows what it counts.
struct Rate {
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::optional<double> value() const;  // nullopt when the denominator is 0
  nlohmann::json ToJson() const;        // {"numerator", "denominator", "value"}
};

// The composite score's weights (any non-negative numbers; normalized by their sum). The default 10/50/40 over
// response, resolution and satisfaction is the weighting often quoted for 12345 assessment (docs/CASES.md).
struct MetricWeights {
  double response = 10;
  double resolution = 50;
  double satisfaction = 40;
  double on_time = 0;
  double reopen = 0;  // counts as 1 - reopen rate
};

struct MetricsQuery {
  std::string group = "unit";  // "unit" or "area" (by subdistrict)
  Instant from;                // lead assignments made in [from, to)
  Instant to;
};

struct MetricsRow {
  int64_t id = 0;  // unit or area id
  std::string name;
  int64_t dispatched = 0;
  Rate response;                // signed within the sign limit / dispatched
  Rate resolution;              // resolved at follow-up / followed up
  Rate satisfaction;            // satisfied + basically satisfied / followed up
  Rate on_time;                 // replied within the reply limit / replied
  Rate reopen;                  // reopened after the reply / replied
  std::optional<double> score;  // 0..100, weights over the rates that have a denominator
  nlohmann::json ToJson() const;
};

struct OverdueReport {
  int64_t marked = 0;     // cases newly past their deadline
  int64_t reminders = 0;  // reminder events written for units
  int64_t escalated = 0;  // joint consultations called
};

struct CaseOptions {
  MetricWeights weights;
  int escalate_after_overdue = 2;    // times a case went overdue before a joint consultation; default 2
  int escalate_after_reopen = 2;     // times it was reopened; default 2
  int similar_candidates = 300;      // recent open cases of the neighborhood compared for "similar"; default 300
  double similar_min_score = 0.2;    // below this a case is not shown as similar; default 0.2
  IntakeLimitOptions intake_limits;  // the rate limit on anonymous intake (intake_limits.h), applied by the routes
};

class CaseService {
 public:
  // `clock` and `calendars` must outlive the service. Each action counts its deadlines with the calendar
  // `calendars` holds when it starts (a stored State Council notice takes effect without a restart).
  CaseService(storage::Database& db, const Clock& clock, const CalendarHolder& calendars, CaseOptions options = {});
  // A service over a calendar that never changes (tests, the demo seed). `clock` must outlive the service.
  CaseService(storage::Database& db, const Clock& clock, const WorkingCalendar& calendar, CaseOptions options = {});
  ~CaseService();
  CaseService(const CaseService&) = delete;
  CaseService& operator=(const CaseService&) = delete;

  // ---- intake
  // Validates (kInvalidArgument naming the field), authorizes the channel, computes the dispatch deadline, writes
  // the case, its "submitted" event and the audit record. The reporter is the signed-in principal (none when
  // anonymous or for staff channels). With EnableGroupCommit the write joins the next batch; either way the case is
  // committed when this returns.
  StatusOr<Case> Submit(const auth::Principal& by, const NewCase& input);
  // Submit with up to kMaxCaseFiles files stored on the case in the same transaction (images and PDF; the per-file
  // size and the types from `limits`; kInvalidArgument naming the file when one is refused, and nothing is stored).
  StatusOr<Case> SubmitWithFiles(const auth::Principal& by, const NewCase& input, const std::vector<CaseFile>& files,
                                 const record::AttachmentLimits& limits);
  // Submit without the group-commit queue: one transaction for this intake (the benchmark's baseline, and the
  // queue's path when a batch failed and its members are retried one by one).
  StatusOr<Case> SubmitUnbatched(const auth::Principal& by, const NewCase& input);
  // Validates every intake, then writes them all in ONE transaction (all or nothing): the cases in input order, or
  // the first error (nothing written). Used by the group-commit queue.
  StatusOr<std::vector<Case>> SubmitBatch(const std::vector<Intake>& intakes);
  // From now on Submit() validates the intake and hands it to a single writer that commits concurrent intakes
  // together (group commit, intake_queue.h); each caller is answered once its batch committed. Without it every
  // Submit is one transaction (one fsync on SQLite). Call once, before serving.
  void EnableGroupCommit(const GroupCommitOptions& options = {});
  // Open cases of the same neighborhood like the query (same building first, then by score), visible to `viewer`:
  // staff see all, others the public ones and their own.
  StatusOr<std::vector<SimilarCase>> Similar(const auth::Principal& viewer, const SimilarQuery& query);
  // "Me too": the signed-in viewer follows the case and its count grows by one. kAlreadyExists when already
  // following (the reporter follows from the start); kFailedPrecondition when the case is not open.
  StatusOr<Case> MeToo(const auth::Principal& by, int64_t case_id);
  // Staff close `duplicate_id` as a duplicate of `into_id` (link duplicate_of, both timelines kept, the duplicate's
  // reporter and followers follow the kept case, its me-too count grows by theirs).
  StatusOr<Case> Merge(const auth::Principal& by, int64_t duplicate_id, int64_t into_id, const std::string& note);

  // ---- reading
  StatusOr<CaseDetail> Get(const auth::Principal& viewer, int64_t case_id);
  // Cases visible to `viewer` matching `filter`, newest first, `limit` (1..200) after `cursor`.
  StatusOr<Page<Case>> List(const auth::Principal& viewer, const CaseFilter& filter, std::string_view cursor,
                            int limit);
  // The files of a case, oldest first: for those who may see its personal data (the reporter, staff over its area,
  // members of the units it was assigned to), since photos show people, doors and number plates. Others who may see
  // the case get kPermissionDenied, like strangers.
  StatusOr<std::vector<record::Attachment>> Files(const auth::Principal& viewer, int64_t case_id);
  // One file of a case (or its thumbnail), under the same rule; kNotFound when the file is not on that case.
  StatusOr<std::pair<record::Attachment, std::string>> File(const auth::Principal& viewer, int64_t case_id,
                                                            int64_t file_id, bool thumbnail);
  // Public cases per building of a neighborhood (buildings without any are absent). Public data: anyone.
  StatusOr<std::vector<BuildingCount>> PublicCountsByBuilding(int64_t neighborhood_id);
  // Cases visible to `viewer` matching `search`, newest first, at most search.limit; personal data as in List
  // (never with public_only).
  StatusOr<std::vector<Case>> Search(const auth::Principal& viewer, const CaseSearch& search);
  // The lead unit's name and the area's display address ("华阳路街道 / 长宁小区 / 3号楼") of cases, for outputs that
  // show them (Open311). Unknown ids are left out.
  StatusOr<std::map<int64_t, std::string>> UnitNames(const std::vector<int64_t>& unit_ids);
  // The neighborhoods, buildings and entrances `text` names: an area code (only that one), else an exact address or
  // name, else "<neighborhood name> <building name>". At most 5; empty when none.
  StatusOr<std::vector<int64_t>> FindPlaces(const std::string& text);
  StatusOr<std::map<int64_t, std::string>> AreaAddresses(const std::vector<int64_t>& area_ids);
  // How many cases List would give over all pages (the same visibility).
  StatusOr<int64_t> Count(const auth::Principal& viewer, const CaseFilter& filter);
  // The intake units (neighborhood committees, subdistrict offices) over whose area `viewer` acts as staff: the
  // inboxes that are theirs besides their own units' (at most 10, by id).
  StatusOr<std::vector<int64_t>> IntakeUnitsOf(const auth::Principal& viewer);
  // The home page's card for `viewer` (CaseHome): lists of at most `limit` (1..20).
  StatusOr<CaseHome> Home(const auth::Principal& viewer, int limit = 5);
  // The open cases of a unit, by deadline; members of the unit and staff over its area.
  StatusOr<InboxView> Inbox(const auth::Principal& viewer, int64_t unit_id, std::string_view cursor, int limit);
  // The checks of the actions of staff over a case's area (merge, a consultation's outcome) and of a unit's inbox
  // (its members, or staff over the unit's area), for a route to ask before it reads its input (web::Site's gate):
  // kNotFound, kUnauthenticated or kPermissionDenied as the action would answer.
  Status CheckStaffOn(const auth::Principal& by, int64_t case_id);
  Status CheckInbox(const auth::Principal& viewer, int64_t unit_id);

  // ---- workflow
  // Applies `action` (workflow.h): kFailedPrecondition naming the state and the allowed actions when illegal,
  // kPermissionDenied when the principal may not take it, kInvalidArgument for a missing or bad field.
  StatusOr<Case> Act(const auth::Principal& by, int64_t case_id, CaseAction action, const ActionInput& input);
  // The lead and co-units the routing rules give (category x the deepest area of the case that has a rule), else the
  // subdistrict office. Staff only.
  StatusOr<RoutingProposal> ProposeRouting(const auth::Principal& by, int64_t case_id);
  // Staff record the outcome of a consultation (once; kFailedPrecondition when already recorded).
  StatusOr<Consultation> RecordConsultationOutcome(const auth::Principal& by, int64_t case_id, int64_t consultation_id,
                                                   const std::string& outcome);

  // ---- background work (the job "cases.overdue", run by the app's job runner)
  // Marks cases whose current deadline passed, writes a reminder event for each unit concerned (on the case and on
  // "handling_unit:<id>"), and calls a joint consultation for open cases overdue or reopened
  // options.escalate_after_* times. Idempotent: a second run at the same time changes nothing.
  StatusOr<OverdueReport> RunOverdue();

  // ---- metrics
  // Per unit or per subdistrict, over lead assignments made in [from, to). Staff, deputies and unit members.
  StatusOr<std::vector<MetricsRow>> Metrics(const auth::Principal& viewer, const MetricsQuery& query);

  // ---- configuration (staff over the area concerned; district admins for district-wide settings)
  StatusOr<std::vector<Category>> Categories();
  StatusOr<std::vector<HandlingUnit>> Units();
  StatusOr<HandlingUnit> GetUnit(int64_t unit_id);
  // The units `user_id` is a member of.
  StatusOr<std::vector<HandlingUnit>> UnitsOf(int64_t user_id);
  StatusOr<HandlingUnit> CreateUnit(const auth::Principal& by, const HandlingUnit& unit);
  Status AddUnitMember(const auth::Principal& by, int64_t unit_id, int64_t user_id);
  // Category x area -> lead + co-units; a rule on an area covers the areas below it unless a deeper rule exists.
  StatusOr<int64_t> AddRoutingRule(const auth::Principal& by, const std::string& category, int64_t area_id,
                                   int64_t lead_unit_id, const std::vector<int64_t>& co_unit_ids);
  // Sets (or replaces) a time limit. stage: dispatch | sign | reply; type, category, urgency: a value or "*";
  // complexity: "ordinary" | "complex" | "*"; unit: "hours" | "working_days". District admins only.
  Status SetTimeLimit(const auth::Principal& by, const std::string& stage, const std::string& type,
                      const std::string& category, const std::string& urgency, const std::string& complexity,
                      int amount, const std::string& unit);

  std::shared_ptr<const WorkingCalendar> calendar() const { return calendars_.Get(); }
  // The rate limit on anonymous intake (options.intake_limits): the routes check it before Submit and count the
  // accepted case after.
  IntakeLimiter& intake_limiter() { return intake_limiter_; }
  // The service's clock (routes use it for default periods, so tests can hold time still).
  Instant Now() const { return clock_.Now(); }

 private:
  // The SELECT of List for `filter` (without cursor and order), its parameters appended to `params`.
  StatusOr<std::string> ListSql(storage::Connection& conn, const auth::Principal& viewer, const CaseFilter& filter,
                                storage::Params* params);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  storage::Database& db_;
  const Clock& clock_;
  std::unique_ptr<CalendarHolder> own_calendars_;  // set by the constructor taking a fixed calendar
  const CalendarHolder& calendars_;
  CaseOptions options_;
  IntakeLimiter intake_limiter_;
};

// The demo: handling units (each subdistrict's office and neighborhood committees, district departments) with a
// member account each ("unit-<code>", the demo password hash given), routing rules, and `count` cases in varied
// states spread over the last 60 days, driven through the workflow so that timelines, deadlines and rates are real.
// Deterministic for a seed. REQUIRES: the demo district exists.
struct DemoUnitAccount {
  std::string login;
  std::string unit_name;
};
StatusOr<std::vector<DemoUnitAccount>> SeedDemoCases(storage::Database& db, const Clock& clock, uint64_t seed,
                                                     int count, const std::string& password_hash);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_CASES_H_
