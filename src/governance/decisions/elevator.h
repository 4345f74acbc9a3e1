// Elevator retrofit (加装电梯) as a guided template for one building (docs/ELEVATOR.md): a project goes through ten
// dated steps in order, each a record with who, when and notes, and the ballots and meetings that belong to it:
//
//   feasibility -> survey -> plan -> building_ballot -> estate_ballot (skipped unless the plan uses the estate's
//   common parts) -> cost_shares -> plan_notice -> construction -> acceptance -> registration
//
// Feasibility grade C (unsuitable) stops the project with a reason. The building ballot (民法典 art. 278 ¶1 item 7,
// thresholds of art. 278 ¶2) and the estate ballot (item 9, majority: 沪建房管联〔2020〕801号) are OwnersBallots of
// ballots.h, created and opened in the same transaction that links them; their step completes only when the
// latest ballot of the step closed and passed. The plan notice runs 10 natural days plus 7 days for written
// objections, counted from the day after publication (民法典 art. 201).
//
// Authorization is inside every method:
//   - create, complete steps, plan, ballots, cost shares, notice, objections, meetings: kManageRoster on the building
//     (the staff who keep its owners' records);
//   - answer the intention survey: an owner of a unit of the building (owners.user_id), for their own units; staff
//     for any unit (answers collected on paper);
//   - read: everyone sees the progress (steps, dates, grade, survey figures, cost table); notes, per-unit answers
//     and objections are for the building's owners and staff; names are masked unless kViewPersonalData.
// Every change is one transaction with its audit record and an event on "elevator:<id>".
#ifndef NINGJU_GOVERNANCE_DECISIONS_ELEVATOR_H_
#define NINGJU_GOVERNANCE_DECISIONS_ELEVATOR_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/decimal.h"
#include "common/status.h"
#include "governance/decisions/tally.h"
#include "record/attachments.h"
#include "storage/database.h"

namespace ningju::decisions {

// ---- Steps.

enum class Step {
  kFeasibility,
  kSurvey,
  kPlan,
  kBuildingBallot,
  kEstateBallot,
  kCostShares,
  kPlanNotice,
  kConstruction,
  kAcceptance,
  kRegistration,
};
inline constexpr std::array<Step, 10> kSteps = {
    Step::kFeasibility, Step::kSurvey,     Step::kPlan,         Step::kBuildingBallot, Step::kEstateBallot,
    Step::kCostShares,  Step::kPlanNotice, Step::kConstruction, Step::kAcceptance,     Step::kRegistration};
// "feasibility", "survey", "plan", "building_ballot", "estate_ballot", "cost_shares", "plan_notice", "construction",
// "acceptance", "registration".
std::string_view StepName(Step step);
// kInvalidArgument (field "step") for an unknown name.
StatusOr<Step> ParseStep(std::string_view name);

enum class StepState { kPending, kCurrent, kDone, kSkipped };
std::string_view StepStateName(StepState state);

enum class ProjectState { kActive, kStopped, kCompleted };
std::string_view ProjectStateName(ProjectState state);

enum class Feasibility { kSuitable, kDifficult, kUnsuitable };  // Changning's map: A, B, C
// "A", "B", "C"; anything else kInvalidArgument (field "grade").
StatusOr<Feasibility> ParseGrade(std::string_view text);
std::string_view GradeName(Feasibility grade);

enum class Intention { kWilling, kUnwilling, kUndecided };
std::string_view IntentionName(Intention intention);
StatusOr<Intention> ParseIntention(std::string_view text);

// ---- Notice dates (Asia/Shanghai civil dates; CivilDate and its parser are in common/time.h).

inline constexpr int kNoticeDays = 10;    // 规划公示 10 natural days
inline constexpr int kObjectionDays = 7;  // then 7 days for written objections (postmark)

// The plan notice's dates. The day of publication does not count (民法典 art. 201): the notice runs from the next
// day for 10 days, and written objections are accepted (by postmark) from publication to the 7th day after the
// notice's last day.
struct NoticeDates {
  CivilDate published;
  CivilDate notice_first;     // published + 1
  CivilDate notice_last;      // published + 10
  CivilDate objections_last;  // published + 17
  Instant window_ends;        // 00:00 Asia/Shanghai after objections_last: the step may complete from then on
};
NoticeDates NoticeDatesFrom(CivilDate published);

// ---- Cost shares (fixed point: a share in hundredths of a percent, amounts in fen).

struct PercentTag {
  static constexpr std::string_view kName = "share";
};
// A percentage with two decimals ("12.50" is 12.50%), held as hundredths: 100.00% is 10000.
using Percent = Decimal2<PercentTag>;
inline constexpr int64_t kWholeCenti = 10000;                  // 100.00%
inline constexpr int64_t kMaxTotalCostCents = 10'000'000'000;  // 100,000,000.00 yuan

struct FloorShare {
  int64_t floor = 0;
  Percent share;
};
struct UnitOnFloor {
  int64_t unit_id = 0;
  std::string number;  // "1-601"
  int64_t floor = 0;
};
struct UnitAmount {
  int64_t unit_id = 0;
  std::string number;
  Money amount;
  bool extra_cent = false;  // carries one fen of its floor's remainder
};
struct FloorCost {
  int64_t floor = 0;
  Percent share;
  Money amount;                 // the floor's part of the total
  bool extra_cent = false;      // carries one fen of the total's remainder
  Money per_unit;               // amount / units, rounded down
  int64_t remainder_cents = 0;  // amount - per_unit * units: one fen each to the first units by number
  std::vector<UnitAmount> units;
};
struct CostTable {
  Money total;
  int64_t total_remainder_cents = 0;  // total - the sum of the floors' rounded-down parts
  std::vector<FloorCost> floors;      // by floor, lowest first
};
// Splits `total` by floor and then equally among each floor's units, exactly, in fen:
//   floor part = floor(total x share / 100.00%); the fen left over go one each to the floors with the largest
//   dropped fraction (ties: the higher floor first);
//   unit amount = floor(floor part / units); the fen left over go one each to the floor's units in order of number.
// The amounts sum to `total` exactly. kInvalidArgument (field "shares") unless every floor that holds a unit appears
// exactly once, no other floor appears, each share is at most 100.00% and the shares sum to exactly 100.00%;
// (field "total_cost") unless 0 < total <= kMaxTotalCostCents.
StatusOr<CostTable> AllocateCosts(Money total, const std::vector<FloorShare>& shares,
                                  const std::vector<UnitOnFloor>& units);

// ---- The project.

inline constexpr size_t kMaxElevatorTitleBytes = 200;
inline constexpr size_t kMaxNotesBytes = 4000;
inline constexpr size_t kMaxPlanBytes = 20000;
inline constexpr size_t kMaxObjectionBodyBytes = 2000;
inline constexpr size_t kMaxObjectorBytes = 100;
inline constexpr int kMaxDrawings = 6;
inline constexpr int kMaxObjections = 1000;  // per project
inline constexpr int kMaxRefsPerStep = 50;

struct StepRecord {
  Step step = Step::kFeasibility;
  StepState state = StepState::kPending;
  std::optional<Instant> started_at;
  std::optional<Instant> completed_at;
  std::string completed_by;  // the staff member's name (shown to owners and staff only)
  std::string done_on;       // "YYYY-MM-DD", or "" before completion
  std::string notes;
  nlohmann::json data = nlohmann::json::object();
  std::vector<std::string> refs;  // "ballot:12", "meeting:3", in the order added
};

struct Project {
  int64_t id = 0;
  int64_t building_id = 0;
  int64_t neighborhood_id = 0;
  std::string building_name;
  std::string title;
  ProjectState state = ProjectState::kActive;
  std::string stop_reason;
  std::string plan_text;
  bool uses_estate_common_parts = false;
  Money total_cost;
  std::string notice_published_on;  // "" until the plan notice is published
  Instant created_at;
  std::vector<StepRecord> steps;  // all ten, in order

  // The step under way; none when the project stopped or completed.
  std::optional<Step> current() const;
  const StepRecord& record(Step step) const;
};

struct SurveyFigures {
  int64_t units = 0;
  int64_t area_centi = 0;
};
// The intention survey's figures. Headcount is by unit (one unit, one person: interpretation art. 9's base rule);
// the legal count, with owners of several units counted once, is the ballot's.
struct SurveySummary {
  SurveyFigures total;  // every unit of the building
  SurveyFigures willing, unwilling, undecided, unanswered;
};
// num / den as a percentage with two decimals, rounded half up ("66.67%"; "0.00%" when den is 0). For display:
// every decision compares exact integers.
std::string SharePercent(int64_t num, int64_t den);

struct SurveyAnswer {
  int64_t unit_id = 0;
  std::string number;
  int64_t floor = 0;
  int64_t area_centi = 0;
  std::optional<Intention> answer;
  std::string channel;  // "online" or "staff"
};

struct ObjectionRecord {
  int64_t id = 0;
  std::string received_on;
  std::string objector;  // masked unless the viewer may see personal data
  std::string body;
};

struct ElevatorViewer {
  bool is_staff = false;  // kManageRoster on the building
  bool is_owner = false;  // owns a unit of the building
  bool personal_data = false;
  std::vector<int64_t> own_units;
};

// Everything the project page and the API show, filtered for the viewer.
struct ProjectView {
  Project project;
  ElevatorViewer viewer;
  SurveySummary survey;
  std::vector<SurveyAnswer> answers;  // staff: every unit; owners: their own units; public: none
  std::vector<FloorShare> shares;     // as agreed (may be empty)
  bool shares_fixed = false;          // the cost_shares step is complete: the shares no longer change
  std::optional<CostTable> costs;     // when the shares are set
  std::optional<NoticeDates> notice;
  int64_t objection_count = 0;
  std::vector<ObjectionRecord> objections;  // staff and owners only
  std::vector<record::Attachment> drawings;
  // Each ballot of the project (its outcome public once closed): ref -> {"id", "title", "state", "passed", "matter"
  // (art. 278 item), "consent_rule" ("majority" | "three_quarters"), "closes_at"}.
  nlohmann::json ballots = nlohmann::json::object();
  // Each related meeting (meetings.h): ref -> {"id", "kind", "kind_zh", "kind_en", "subject", "starts_at", "date",
  // "state"};
  // a draft meeting only for staff.
  nlohmann::json meetings = nlohmann::json::object();
};

// What a step's completion carries.
struct Completion {
  std::string done_on;  // "YYYY-MM-DD"; empty: today (Asia/Shanghai)
  std::string notes;
  std::string grade;   // feasibility: "A", "B" or "C"
  std::string reason;  // feasibility C: required
};

class ElevatorService {
 public:
  ElevatorService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // A project for `building_id`, at its feasibility step. kInvalidArgument (field "building_id") unless a building;
  // kAlreadyExists when the building has a project under way; kInvalidArgument for a title too long.
  StatusOr<Project> Create(const auth::Principal& by, int64_t building_id, std::string_view title);
  StatusOr<Project> Get(int64_t id);
  StatusOr<ProjectView> View(const auth::Principal& viewer, int64_t id);
  // The building's projects, newest first (at most 50).
  StatusOr<std::vector<Project>> ForBuilding(int64_t building_id);
  // The projects `filter` keeps, newest first, `limit` (1..200) after `cursor` (the index page; progress is public).
  struct ProjectFilter {
    std::optional<int64_t> area_id;  // buildings in this area or below
    std::optional<ProjectState> state;
  };
  struct ProjectPage {
    std::vector<Project> items;
    std::string next_cursor;
  };
  StatusOr<ProjectPage> List(const ProjectFilter& filter, std::string_view cursor, int limit);

  // Completes the current step with its record. kFailedPrecondition (field "step") when the project is not under
  // way, the step is done already, or an earlier step is not complete; kFailedPrecondition with the step's own
  // condition (field naming it: "ballot", "plan", "drawing", "survey", "shares", "notice", "objections") when it is
  // not met; kInvalidArgument for bad data (grade, reason, done_on in the future or before the previous step's).
  StatusOr<Project> Complete(const auth::Principal& by, int64_t id, Step step, const Completion& completion);

  // An answer to the intention survey for `unit_id`, while the survey is the current step. kPermissionDenied unless
  // the caller owns the unit or is staff; kInvalidArgument when the unit is not in the building.
  Status Answer(const auth::Principal& by, int64_t id, int64_t unit_id, Intention answer);

  // The plan's text and whether it uses the estate's common parts, while the plan is the current step.
  StatusOr<Project> SavePlan(const auth::Principal& by, int64_t id, std::string_view text, bool uses_common_parts);
  // A drawing of the plan (PDF only), while the plan is the current step.
  StatusOr<record::Attachment> AddDrawing(const auth::Principal& by, int64_t id, std::string_view name,
                                          std::string_view bytes);
  // A drawing's bytes (public: the plan is published).
  StatusOr<std::pair<record::Attachment, std::string>> Drawing(int64_t id, int64_t attachment_id);

  // Creates and opens the ballot of the current ballot step and links it to the step. The building's: art. 278 item 7
  // over the building (`matter` absent or kRebuild). The estate's: over the neighborhood, on the matter staff choose,
  // item 8 (kCommonPartsUse: consent >= 3/4) or item 9 (kOtherMajorMatter: consent > 1/2), kInvalidArgument (field
  // "matter") when absent or another. kFailedPrecondition when the current step is not a ballot step, when the
  // step's latest ballot is still open, or when it passed already.
  StatusOr<int64_t> StartBallot(const auth::Principal& by, int64_t id, Instant closes_at,
                                std::optional<Matter> matter = std::nullopt);

  // The cost shares and the total cost, while cost_shares is the current step (see AllocateCosts for the rules).
  // Once the step is complete (the owners' written agreement) they are fixed: kFailedPrecondition (field "shares"),
  // and the step's record keeps the agreed table.
  StatusOr<CostTable> SetCostShares(const auth::Principal& by, int64_t id, Money total,
                                    const std::vector<FloorShare>& shares);

  // Publishes the plan notice on `published_on` (today or earlier, not before the cost shares were agreed), while
  // plan_notice is the current step. kFailedPrecondition when published already.
  StatusOr<NoticeDates> PublishNotice(const auth::Principal& by, int64_t id, std::string_view published_on);
  // A written objection postmarked `received_on`, inside the objection window. kFailedPrecondition unless the notice
  // is published and plan_notice is current; kInvalidArgument for a postmark outside the window.
  StatusOr<ObjectionRecord> RecordObjection(const auth::Principal& by, int64_t id, std::string_view received_on,
                                            std::string_view objector, std::string_view body);

  // Relates a meeting ("meeting:<meeting_id>", meetings.h) of the project's neighborhood to a step reached already
  // (current or done). kInvalidArgument (field "meeting_id") for no such meeting, or one of another neighborhood.
  Status LinkMeeting(const auth::Principal& by, int64_t id, Step step, int64_t meeting_id);

  bool IsStaffOn(const auth::Principal& viewer, int64_t building_id);
  // OK when `by` may run project `id` (policy::Action::kManageElevator on its building): the drawing upload routes ask
  // it before the file's body is parsed. kNotFound, kUnauthenticated or kPermissionDenied as AddDrawing() would answer.
  Status CheckManage(const auth::Principal& by, int64_t id);

 private:
  StatusOr<Project> Load(storage::Connection& conn, int64_t id);
  StatusOr<Project> LoadForStaff(storage::Connection& tx, const auth::Principal& by, int64_t id);

  storage::Database& db_;
  const Clock& clock_;
};

// Seeds the demo inside `tx`: an elevator retrofit for the building of the demo account "resident1", assessed A
// and at its intention survey, with a few answers. Does nothing when there is no "resident1".
Status SeedDemoElevator(storage::Connection& tx, Instant now);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_ELEVATOR_H_
