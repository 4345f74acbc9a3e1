#include "governance/decisions/elevator.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "auth/policy.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "governance/decisions/ballots.h"
#include "record/record.h"
#include "storage/locking.h"

namespace ningju::decisions {

namespace policy = auth::policy;
namespace {

constexpr char kProjectColumns[] =
    "p.id, p.building_id, p.neighborhood_id, a.name, p.title, p.state, p.stop_reason, p.plan_text, "
    "p.uses_estate_common_parts, p.total_cost_cents, p.notice_published_on, p.created_at";

Status CheckText(std::string_view text, size_t max_bytes, const std::string& field, bool required) {
  RETURN_IF_ERROR(utf8::Validate(text, field));
  if (required && Trim(text).empty()) return InvalidArgumentError(Msg("{} is required", FieldName{field}), field);
  if (text.size() > max_bytes) {
    return InvalidArgumentError(Msg("{} is longer than {} bytes", FieldName{field}, max_bytes), field);
  }
  return OkStatus();
}

Status Refuse(Msg message, std::string field) {
  return Status(StatusCode::kFailedPrecondition, std::move(message), std::move(field));
}

StatusOr<ProjectState> ParseProjectState(std::string_view s) {
  if (s == "active") return ProjectState::kActive;
  if (s == "stopped") return ProjectState::kStopped;
  if (s == "completed") return ProjectState::kCompleted;
  return InternalError("unknown elevator project state in the database");
}

StatusOr<StepState> ParseStepState(std::string_view s) {
  if (s == "pending") return StepState::kPending;
  if (s == "current") return StepState::kCurrent;
  if (s == "done") return StepState::kDone;
  if (s == "skipped") return StepState::kSkipped;
  return InternalError("unknown elevator step state in the database");
}

size_t IndexOf(Step step) { return static_cast<size_t>(step); }

std::string Ref(int64_t id) { return record::Ref("elevator", id); }

// The latest ballot of a step, with its state and outcome.
struct StepBallot {
  int64_t id = 0;
  std::string state;
  bool passed = false;
};
StatusOr<std::optional<StepBallot>> LatestBallot(storage::Connection& conn, int64_t project, Step step) {
  ASSIGN_OR_RETURN(auto ref, conn.QueryOptional("SELECT ref FROM elevator_step_refs WHERE project_id = ? AND step = ? "
                                                "AND ref LIKE 'ballot:%' ORDER BY id DESC LIMIT 1",
                                                {project, std::string(StepName(step))}));
  if (!ref) return std::optional<StepBallot>();
  ASSIGN_OR_RETURN(int64_t ballot, ParseId(std::string_view(ref->Text(0)).substr(7), "ballot"));
  ASSIGN_OR_RETURN(storage::Row row, conn.QueryOne("SELECT state, passed FROM ballots WHERE id = ?", {ballot}));
  return std::optional<StepBallot>(StepBallot{ballot, row.Text(0), row.Bool(1)});
}

StatusOr<std::vector<UnitOnFloor>> UnitsOf(storage::Connection& conn, int64_t building) {
  ASSIGN_OR_RETURN(auto rows, conn.Execute("SELECT id, number, floor FROM units WHERE building_id = ? "
                                           "ORDER BY floor, number, id LIMIT 5000",
                                           {building}));
  std::vector<UnitOnFloor> out;
  for (const auto& r : rows.rows) out.push_back({r.Int(0), r.Text(1), r.Int(2)});
  return out;
}

// Takes the row lock of the cost-shares step while it is current, so that a change of the shares and the step's
// completion (the owners' agreement) cannot interleave: whichever comes second waits, then finds the step done and
// is refused, or finds the shares the other committed. kFailedPrecondition (field "shares") once agreed.
Status LockCurrentCostShares(storage::Connection& tx, int64_t project) {
  ASSIGN_OR_RETURN(storage::Result locked,
                   tx.Execute("UPDATE elevator_steps SET state = state WHERE project_id = ? AND step = ? AND "
                              "state = 'current'",
                              {project, std::string(StepName(Step::kCostShares))}));
  if (locked.rows_affected == 1) return OkStatus();
  ASSIGN_OR_RETURN(auto row, tx.QueryOptional("SELECT state, done_on FROM elevator_steps WHERE project_id = ? AND "
                                              "step = ?",
                                              {project, std::string(StepName(Step::kCostShares))}));
  if (row && row->Text(0) == "done") {
    return Refuse(Msg("the cost shares were agreed on {}: they are fixed", row->Text(1)), "shares");
  }
  return Refuse("the cost shares are agreed while cost_shares is the current step", "step");
}

StatusOr<std::vector<FloorShare>> SharesOf(storage::Connection& conn, int64_t project) {
  ASSIGN_OR_RETURN(auto rows, conn.Execute("SELECT floor, share_centi FROM elevator_cost_shares WHERE project_id = ? "
                                           "ORDER BY floor",
                                           {project}));
  std::vector<FloorShare> out;
  for (const auto& r : rows.rows) out.push_back({r.Int(0), Percent::FromHundredths(r.Int(1))});
  return out;
}

// Marks `step` done and moves the project on: the next step becomes current (the estate ballot is skipped when the
// plan uses no common part of the estate); past the last step the project is completed. Audited.
// REQUIRES: inside `tx`; `step` is the project's current step; the caller validated the completion.
Status CompleteInTx(storage::Connection& tx, const Project& p, Step step, const std::string& done_on,
                    const std::string& notes, const nlohmann::json& data, const auth::Principal& by, Instant now) {
  const record::Actor actor = auth::ActorOf(by);
  const std::string name = std::string(StepName(step));
  RETURN_IF_ERROR(
      tx.Execute("UPDATE elevator_steps SET state = 'done', completed_at = ?, completed_by = ?, "
                 "completed_by_name = ?, done_on = ?, notes = ?, data = ? "
                 "WHERE project_id = ? AND step = ?",
                 {ToUnix(now), by.AccountOrNull(), by.display_name, done_on, notes, data.dump(), p.id, name}));
  const std::string ref = Ref(p.id);
  RETURN_IF_ERROR(record::Audit(tx, now, actor, "elevator.step.complete", ref,
                                {{"step", name}, {"done_on", done_on}, {"data", data}}));
  RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "step_done", name, {{"done_on", done_on}}));
  if (step == Step::kFeasibility && data.value("grade", "") == "C") {
    RETURN_IF_ERROR(
        tx.Execute("UPDATE elevator_projects SET state = 'stopped', stop_reason = ?, updated_at = ? "
                   "WHERE id = ?",
                   {data.value("reason", ""), ToUnix(now), p.id}));
    RETURN_IF_ERROR(record::Audit(tx, now, actor, "elevator.stop", ref, {{"reason", data.value("reason", "")}}));
    return record::AddEvent(tx, ref, now, actor, "stopped", data.value("reason", ""));
  }
  for (size_t i = IndexOf(step) + 1; i < kSteps.size(); ++i) {
    const std::string next = std::string(StepName(kSteps[i]));
    if (kSteps[i] == Step::kEstateBallot && !p.uses_estate_common_parts) {
      RETURN_IF_ERROR(
          tx.Execute("UPDATE elevator_steps SET state = 'skipped', completed_at = ?, data = ? "
                     "WHERE project_id = ? AND step = ?",
                     {ToUnix(now), nlohmann::json{{"reason", "no_estate_common_parts"}}.dump(), p.id, next}));
      RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "step_skipped", next));
      continue;
    }
    RETURN_IF_ERROR(
        tx.Execute("UPDATE elevator_steps SET state = 'current', started_at = ? "
                   "WHERE project_id = ? AND step = ?",
                   {ToUnix(now), p.id, next}));
    RETURN_IF_ERROR(tx.Execute("UPDATE elevator_projects SET updated_at = ? WHERE id = ?", {ToUnix(now), p.id}));
    return record::AddEvent(tx, ref, now, actor, "step_started", next);
  }
  RETURN_IF_ERROR(
      tx.Execute("UPDATE elevator_projects SET state = 'completed', updated_at = ? WHERE id = ?", {ToUnix(now), p.id}));
  RETURN_IF_ERROR(record::Audit(tx, now, actor, "elevator.complete", ref, nlohmann::json::object()));
  return record::AddEvent(tx, ref, now, actor, "completed", "");
}

// Inserts a project at its feasibility step (audited). REQUIRES: inside `tx`; authorization done by the caller.
StatusOr<int64_t> InsertProject(storage::Connection& tx, int64_t building, int64_t neighborhood,
                                const std::string& title, const auth::Principal& by, Instant now) {
  ASSIGN_OR_RETURN(auto running, tx.QueryOptional("SELECT id FROM elevator_projects WHERE building_id = ? "
                                                  "AND state = 'active'",
                                                  {building}));
  if (running) {
    return AlreadyExistsError(Msg("the building has an elevator retrofit under way: project {}", running->Int(0)),
                              "building_id");
  }
  ASSIGN_OR_RETURN(storage::Row row,
                   tx.QueryOne("INSERT INTO elevator_projects (building_id, neighborhood_id, title, state, "
                               "created_by, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?, ?) RETURNING id",
                               {building, neighborhood, title, by.AccountOrNull(), ToUnix(now), ToUnix(now)}));
  const int64_t id = row.Int(0);
  for (size_t i = 0; i < kSteps.size(); ++i) {
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO elevator_steps (project_id, step, position, state, started_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   {id, std::string(StepName(kSteps[i])), static_cast<int64_t>(i + 1),
                    std::string(i == 0 ? "current" : "pending"), i == 0 ? ToUnix(now) : int64_t{0}}));
  }
  RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "elevator.create", Ref(id),
                                {{"building_id", building}, {"title", title}}));
  RETURN_IF_ERROR(record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "created", title));
  RETURN_IF_ERROR(record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "step_started", "feasibility"));
  return id;
}

// With `lock` (inside a transaction), the project's row stays locked until it ends: every change of a project takes
// it first, so changes of one project run one after the other (STYLE.md item 17).
StatusOr<Project> LoadProject(storage::Connection& conn, int64_t id, bool lock = false) {
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional(std::string("SELECT ") + kProjectColumns +
                                                    " FROM elevator_projects p JOIN areas a ON a.id = p.building_id "
                                                    "WHERE p.id = ?" +
                                                    (lock ? storage::ForUpdate(conn.dialect(), "p") : ""),
                                                {id}));
  if (!row) return NotFoundError(Msg("no elevator retrofit project {}", id));
  Project p;
  p.id = row->Int(0);
  p.building_id = row->Int(1);
  p.neighborhood_id = row->Int(2);
  p.building_name = row->Text(3);
  p.title = row->Text(4);
  ASSIGN_OR_RETURN(p.state, ParseProjectState(row->Text(5)));
  p.stop_reason = row->Text(6);
  p.plan_text = row->Text(7);
  p.uses_estate_common_parts = row->Bool(8);
  p.total_cost = Money::FromHundredths(row->Int(9));
  p.notice_published_on = row->Text(10);
  p.created_at = FromUnix(row->Int(11));
  ASSIGN_OR_RETURN(auto steps, conn.Execute("SELECT step, state, started_at, completed_at, completed_by_name, done_on, "
                                            "notes, data FROM elevator_steps WHERE project_id = ? ORDER BY position",
                                            {id}));
  for (const auto& r : steps.rows) {
    StepRecord s;
    ASSIGN_OR_RETURN(s.step, ParseStep(r.Text(0)));
    ASSIGN_OR_RETURN(s.state, ParseStepState(r.Text(1)));
    if (r.Int(2) > 0) s.started_at = FromUnix(r.Int(2));
    if (r.Int(3) > 0) s.completed_at = FromUnix(r.Int(3));
    s.completed_by = r.Text(4);
    s.done_on = r.Text(5);
    s.notes = r.Text(6);
    try {
      s.data = nlohmann::json::parse(r.Text(7));
    } catch (const nlohmann::json::exception&) {
      return InternalError("the record of an elevator step is not JSON");
    }
    p.steps.push_back(std::move(s));
  }
  if (p.steps.size() != kSteps.size()) return InternalError("an elevator project lacks some of its steps");
  ASSIGN_OR_RETURN(auto refs,
                   conn.Execute("SELECT step, ref FROM elevator_step_refs WHERE project_id = ? ORDER BY id", {id}));
  for (const auto& r : refs.rows) {
    ASSIGN_OR_RETURN(Step step, ParseStep(r.Text(0)));
    p.steps[IndexOf(step)].refs.push_back(r.Text(1));
  }
  return p;
}

Status RequireStep(const Project& p, Step step) {
  if (p.state == ProjectState::kStopped) {
    return Refuse("the project stopped: the building was assessed unsuitable (C)", "step");
  }
  if (p.state == ProjectState::kCompleted) return Refuse("the project is completed", "step");
  const StepRecord& s = p.record(step);
  if (s.state == StepState::kDone) return Refuse(Msg("the step {} is done", StepName(step)), "step");
  if (s.state == StepState::kSkipped) {
    return Refuse(Msg("the step {} does not apply: the plan uses no common part of the estate", StepName(step)),
                  "step");
  }
  if (s.state == StepState::kPending) {
    return Refuse(Msg("the step {} cannot start before {} is complete", StepName(step), StepName(*p.current())),
                  "step");
  }
  return OkStatus();
}

// `text` in hundredths of a percent of `den`, rounded half up: "66.67%".
std::string ShareText(int64_t num, int64_t den) {
  if (den <= 0) return "0.00%";
  const __int128 scaled = static_cast<__int128>(num) * kWholeCenti * 2 + den;
  return Percent::FromHundredths(static_cast<int64_t>(scaled / (2 * static_cast<__int128>(den)))).ToString() + "%";
}

}  // namespace

// ---- Names.

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kFeasibility:
      return "feasibility";
    case Step::kSurvey:
      return "survey";
    case Step::kPlan:
      return "plan";
    case Step::kBuildingBallot:
      return "building_ballot";
    case Step::kEstateBallot:
      return "estate_ballot";
    case Step::kCostShares:
      return "cost_shares";
    case Step::kPlanNotice:
      return "plan_notice";
    case Step::kConstruction:
      return "construction";
    case Step::kAcceptance:
      return "acceptance";
    case Step::kRegistration:
      return "registration";
  }
  return "";
}

StatusOr<Step> ParseStep(std::string_view name) {
  for (Step s : kSteps) {
    if (StepName(s) == name) return s;
  }
  return InvalidArgumentError(Msg("unknown step {}", QuoteForMessage(name)), "step");
}

std::string_view StepStateName(StepState state) {
  switch (state) {
    case StepState::kPending:
      return "pending";
    case StepState::kCurrent:
      return "current";
    case StepState::kDone:
      return "done";
    case StepState::kSkipped:
      return "skipped";
  }
  return "";
}

std::string_view ProjectStateName(ProjectState state) {
  switch (state) {
    case ProjectState::kActive:
      return "active";
    case ProjectState::kStopped:
      return "stopped";
    case ProjectState::kCompleted:
      return "completed";
  }
  return "";
}

StatusOr<Feasibility> ParseGrade(std::string_view text) {
  if (text == "A") return Feasibility::kSuitable;
  if (text == "B") return Feasibility::kDifficult;
  if (text == "C") return Feasibility::kUnsuitable;
  return InvalidArgumentError(
      Msg("the feasibility grade is A (suitable), B (difficult) or C (unsuitable), not {}", QuoteForMessage(text)),
      "grade");
}

std::string_view GradeName(Feasibility grade) {
  switch (grade) {
    case Feasibility::kSuitable:
      return "A";
    case Feasibility::kDifficult:
      return "B";
    case Feasibility::kUnsuitable:
      return "C";
  }
  return "";
}

std::string_view IntentionName(Intention intention) {
  switch (intention) {
    case Intention::kWilling:
      return "willing";
    case Intention::kUnwilling:
      return "unwilling";
    case Intention::kUndecided:
      return "undecided";
  }
  return "";
}

StatusOr<Intention> ParseIntention(std::string_view text) {
  if (text == "willing") return Intention::kWilling;
  if (text == "unwilling") return Intention::kUnwilling;
  if (text == "undecided") return Intention::kUndecided;
  return InvalidArgumentError(Msg("the answer is willing, unwilling or undecided, not {}", QuoteForMessage(text)),
                              "answer");
}

// ---- Dates.

NoticeDates NoticeDatesFrom(CivilDate published) {
  const std::chrono::sys_days day(published);
  NoticeDates n;
  n.published = published;
  n.notice_first = CivilDate{day + std::chrono::days(1)};
  n.notice_last = CivilDate{day + std::chrono::days(kNoticeDays)};
  n.objections_last = CivilDate{day + std::chrono::days(kNoticeDays + kObjectionDays)};
  n.window_ends = StartOfShanghaiDay(CivilDate{day + std::chrono::days(kNoticeDays + kObjectionDays + 1)});
  return n;
}

// ---- Costs.

StatusOr<CostTable> AllocateCosts(Money total, const std::vector<FloorShare>& shares,
                                  const std::vector<UnitOnFloor>& units_in) {
  if (total.hundredths() <= 0) return InvalidArgumentError("the total cost must be greater than 0", "total_cost");
  if (total.hundredths() > kMaxTotalCostCents) {
    return InvalidArgumentError(
        Msg("the total cost is at most {}", Money::FromHundredths(kMaxTotalCostCents).ToString()), "total_cost");
  }
  std::vector<UnitOnFloor> units = units_in;
  std::sort(units.begin(), units.end(), [](const UnitOnFloor& a, const UnitOnFloor& b) {
    return std::tie(a.floor, a.number, a.unit_id) < std::tie(b.floor, b.number, b.unit_id);
  });
  std::map<int64_t, std::vector<const UnitOnFloor*>> by_floor;
  for (const auto& u : units) by_floor[u.floor].push_back(&u);
  if (by_floor.empty()) return InvalidArgumentError("the building has no unit to share the cost", "shares");
  std::map<int64_t, Percent> share_of;
  int64_t sum = 0;
  for (const auto& s : shares) {
    if (s.share.hundredths() < 0 || s.share.hundredths() > kWholeCenti) {
      return InvalidArgumentError(Msg("floor {}: a share is 0.00% to 100.00%", s.floor), "shares");
    }
    if (!by_floor.count(s.floor)) {
      return InvalidArgumentError(Msg("floor {} holds no unit of the building", s.floor), "shares");
    }
    if (!share_of.emplace(s.floor, s.share).second) {
      return InvalidArgumentError(Msg("floor {} appears twice", s.floor), "shares");
    }
    sum += s.share.hundredths();
  }
  for (const auto& [floor, list] : by_floor) {
    if (!share_of.count(floor)) {
      return InvalidArgumentError(Msg("floor {} has no share (give 0.00 when it pays nothing)", floor), "shares");
    }
  }
  if (sum != kWholeCenti) {
    return InvalidArgumentError(
        Msg("the shares sum to {}%, not exactly 100.00%", Percent::FromHundredths(sum).ToString()), "shares");
  }
  CostTable table;
  table.total = total;
  const int64_t t = total.hundredths();
  struct Part {
    int64_t base = 0;
    int64_t dropped = 0;  // the fraction dropped, in 1/10000 fen
  };
  std::vector<int64_t> floors;
  std::vector<Part> parts;
  int64_t assigned = 0;
  for (const auto& [floor, share] : share_of) {
    const __int128 product = static_cast<__int128>(t) * share.hundredths();
    floors.push_back(floor);
    parts.push_back({static_cast<int64_t>(product / kWholeCenti), static_cast<int64_t>(product % kWholeCenti)});
    assigned += parts.back().base;
  }
  const int64_t leftover = t - assigned;
  table.total_remainder_cents = leftover;
  std::vector<size_t> order(floors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (parts[a].dropped != parts[b].dropped) return parts[a].dropped > parts[b].dropped;
    return floors[a] > floors[b];  // the higher floor first
  });
  std::vector<bool> extra(floors.size(), false);
  for (int64_t k = 0; k < leftover; ++k) extra[order[static_cast<size_t>(k)]] = true;
  for (size_t i = 0; i < floors.size(); ++i) {
    FloorCost fc;
    fc.floor = floors[i];
    fc.share = share_of[floors[i]];
    const int64_t amount = parts[i].base + (extra[i] ? 1 : 0);
    fc.amount = Money::FromHundredths(amount);
    fc.extra_cent = extra[i];
    const auto& list = by_floor[floors[i]];
    const int64_t n = static_cast<int64_t>(list.size());
    fc.per_unit = Money::FromHundredths(amount / n);
    fc.remainder_cents = amount % n;
    for (int64_t k = 0; k < n; ++k) {
      const bool more = k < fc.remainder_cents;
      const UnitOnFloor& u = *list[static_cast<size_t>(k)];
      fc.units.push_back({u.unit_id, u.number, Money::FromHundredths(amount / n + (more ? 1 : 0)), more});
    }
    table.floors.push_back(std::move(fc));
  }
  return table;
}

// ---- The project.

std::optional<Step> Project::current() const {
  if (state != ProjectState::kActive) return std::nullopt;
  for (const auto& s : steps) {
    if (s.state == StepState::kCurrent) return s.step;
  }
  return std::nullopt;
}

const StepRecord& Project::record(Step step) const { return steps.at(IndexOf(step)); }

StatusOr<Project> ElevatorService::Load(storage::Connection& conn, int64_t id) { return LoadProject(conn, id); }

StatusOr<Project> ElevatorService::LoadForStaff(storage::Connection& tx, const auth::Principal& by, int64_t id) {
  ASSIGN_OR_RETURN(Project p, LoadProject(tx, id, /*lock=*/true));
  RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageElevator, policy::Subject::Area(p.building_id)));
  return p;
}

Status ElevatorService::CheckManage(const auth::Principal& by, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Project p, LoadProject(*conn, id, /*lock=*/false));
  return policy::Require(*conn, by, policy::Action::kManageElevator, policy::Subject::Area(p.building_id));
}

bool ElevatorService::IsStaffOn(const auth::Principal& viewer, int64_t building_id) {
  if (viewer.anonymous()) return false;
  auto conn = db_.Acquire();
  if (!conn.ok()) return false;
  return policy::Allows(**conn, viewer, policy::Action::kManageElevator, policy::Subject::Area(building_id))
      .value_or(false);
}

StatusOr<Project> ElevatorService::Get(int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return Load(*conn, id);
}

StatusOr<std::vector<Project>> ElevatorService::ForBuilding(int64_t building_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto rows, conn->Execute("SELECT id FROM elevator_projects WHERE building_id = ? "
                                            "ORDER BY id DESC LIMIT 50",
                                            {building_id}));
  std::vector<Project> out;
  for (const auto& r : rows.rows) {
    ASSIGN_OR_RETURN(Project p, Load(*conn, r.Int(0)));
    out.push_back(std::move(p));
  }
  return out;
}

StatusOr<ElevatorService::ProjectPage> ElevatorService::List(const ProjectFilter& filter, std::string_view cursor,
                                                             int limit) {
  if (limit < 1 || limit > 200) return InvalidArgumentError("limit is 1 to 200", "limit");
  std::string sql = "SELECT id FROM elevator_projects WHERE 1 = 1";
  storage::Params params;
  if (filter.area_id) {
    sql += " AND building_id IN (SELECT fp.descendant_id FROM area_paths fp WHERE fp.ancestor_id = ?)";
    params.push_back(*filter.area_id);
  }
  if (filter.state) {
    sql += " AND state = ?";
    params.push_back(std::string(ProjectStateName(*filter.state)));
  }
  if (!cursor.empty()) {
    auto keys = DecodeCursor(cursor, 1);
    if (!keys) return InvalidArgumentError("malformed cursor", "cursor");
    sql += " AND id < ?";
    params.push_back((*keys)[0]);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit + 1});
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto rows, conn->Execute(sql, params));
  ProjectPage page;
  for (const auto& r : rows.rows) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().id});
      break;
    }
    ASSIGN_OR_RETURN(Project p, Load(*conn, r.Int(0)));
    page.items.push_back(std::move(p));
  }
  return page;
}

StatusOr<Project> ElevatorService::Create(const auth::Principal& by, int64_t building_id, std::string_view title_in) {
  const Instant now = clock_.Now();
  std::string title(Trim(title_in));
  RETURN_IF_ERROR(CheckText(title, kMaxElevatorTitleBytes, "title", false));
  int64_t id = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    // The building's row is locked so that two projects for it cannot both find none under way.
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT kind, parent_id, name FROM areas WHERE id = ?" +
                                                     storage::ForUpdate(tx.dialect()),
                                                 {building_id}));
    if (!area || area->Text(0) != "building") {
      return InvalidArgumentError(Msg("an elevator retrofit is for a building; {} is not one", building_id),
                                  "building_id");
    }
    RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageElevator, policy::Subject::Area(building_id)));
    if (title.empty()) title = area->Text(2) + "加装电梯";
    ASSIGN_OR_RETURN(id, InsertProject(tx, building_id, area->Int(1), title, by, now));
    return OkStatus();
  }));
  return Get(id);
}

StatusOr<Project> ElevatorService::Complete(const auth::Principal& by, int64_t id, Step step, const Completion& c) {
  const Instant now = clock_.Now();
  const CivilDate today = ShanghaiDate(now);
  std::string notes(Trim(c.notes));
  RETURN_IF_ERROR(CheckText(notes, kMaxNotesBytes, "notes", false));
  CivilDate done_on = today;
  if (!Trim(c.done_on).empty()) {
    ASSIGN_OR_RETURN(done_on, ParseCivilDate(Trim(c.done_on), "done_on"));
    if (done_on > today) {
      return InvalidArgumentError(Msg("the date {} is in the future", FormatCivilDate(done_on)), "done_on");
    }
  }
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    RETURN_IF_ERROR(RequireStep(p, step));
    // The step happened no earlier than the step before it.
    for (size_t i = IndexOf(step); i-- > 0;) {
      const StepRecord& prev = p.steps[i];
      if (prev.state != StepState::kDone) continue;
      const std::optional<CivilDate> prev_on = ParseCivilDate(prev.done_on);
      if (prev_on && done_on < *prev_on) {
        return InvalidArgumentError(
            Msg("the date {} is before the previous step's ({})", FormatCivilDate(done_on), prev.done_on), "done_on");
      }
      break;
    }
    nlohmann::json data = nlohmann::json::object();
    switch (step) {
      case Step::kFeasibility: {
        ASSIGN_OR_RETURN(Feasibility grade, ParseGrade(Trim(c.grade)));
        std::string reason(Trim(c.reason));
        RETURN_IF_ERROR(CheckText(reason, kMaxNotesBytes, "reason", grade == Feasibility::kUnsuitable));
        data = {{"grade", std::string(GradeName(grade))}, {"reason", reason}};
        break;
      }
      case Step::kSurvey: {
        ASSIGN_OR_RETURN(storage::Row n, tx.QueryOne("SELECT COUNT(*) FROM elevator_survey_answers WHERE "
                                                     "project_id = ?",
                                                     {id}));
        if (n.Int(0) == 0) return Refuse("no answer to the intention survey is recorded yet", "survey");
        ASSIGN_OR_RETURN(auto counts, tx.Execute("SELECT answer, COUNT(*) FROM elevator_survey_answers WHERE "
                                                 "project_id = ? GROUP BY answer ORDER BY answer",
                                                 {id}));
        data["answers"] = nlohmann::json::object();
        for (const auto& r : counts.rows) data["answers"][r.Text(0)] = r.Int(1);
        break;
      }
      case Step::kPlan: {
        if (Trim(p.plan_text).empty()) return Refuse("save the plan's text first", "plan");
        ASSIGN_OR_RETURN(auto drawings, record::ListAttachments(tx, Ref(id)));
        if (drawings.empty()) return Refuse("attach the plan's drawing (PDF) first", "drawing");
        data = {{"uses_estate_common_parts", p.uses_estate_common_parts}, {"drawings", drawings.size()}};
        break;
      }
      case Step::kBuildingBallot:
      case Step::kEstateBallot: {
        ASSIGN_OR_RETURN(auto ballot, LatestBallot(tx, id, step));
        if (!ballot) return Refuse("start the owners' ballot of this step first", "ballot");
        if (ballot->state != "closed") {
          return Refuse(Msg("ballot {} is still {}: close it first", ballot->id, ballot->state), "ballot");
        }
        if (!ballot->passed) {
          return Refuse(Msg("ballot {} failed: the step completes only with a ballot that passed (consult the owners "
                            "and start a new ballot)",
                            ballot->id),
                        "ballot");
        }
        data = {{"ballot", ballot->id}, {"passed", true}};
        break;
      }
      case Step::kCostShares: {
        // The agreement freezes the shares: read them under the step's lock and keep a copy in the step's record.
        RETURN_IF_ERROR(LockCurrentCostShares(tx, id));
        ASSIGN_OR_RETURN(auto shares, SharesOf(tx, id));
        ASSIGN_OR_RETURN(storage::Row total,
                         tx.QueryOne("SELECT total_cost_cents FROM elevator_projects WHERE id = ?", {id}));
        if (shares.empty() || total.Int(0) <= 0) {
          return Refuse("agree the total cost and the shares per floor first", "shares");
        }
        nlohmann::json floors = nlohmann::json::array();
        for (const auto& s : shares) floors.push_back({{"floor", s.floor}, {"share", s.share.ToString()}});
        data = {{"total_cost", Money::FromHundredths(total.Int(0)).ToString()}, {"shares", floors}};
        break;
      }
      case Step::kPlanNotice: {
        if (p.notice_published_on.empty()) return Refuse("publish the plan notice first", "notice");
        ASSIGN_OR_RETURN(CivilDate published, ParseCivilDate(p.notice_published_on, "notice"));
        const NoticeDates dates = NoticeDatesFrom(published);
        if (now < dates.window_ends) {
          return Refuse(Msg("the notice and the objection period run until {} (inclusive)",
                            FormatCivilDate(dates.objections_last)),
                        "notice");
        }
        ASSIGN_OR_RETURN(storage::Row n,
                         tx.QueryOne("SELECT COUNT(*) FROM elevator_objections WHERE project_id = ?", {id}));
        if (n.Int(0) > 0 && notes.empty()) {
          return Refuse(Msg("record in the notes how the {} objection(s) were handled", n.Int(0)), "objections");
        }
        data = {{"published_on", p.notice_published_on}, {"objections", n.Int(0)}};
        break;
      }
      case Step::kConstruction:
      case Step::kAcceptance:
      case Step::kRegistration:
        break;
    }
    return CompleteInTx(tx, p, step, FormatCivilDate(done_on), notes, data, by, now);
  }));
  return Get(id);
}

Status ElevatorService::Answer(const auth::Principal& by, int64_t id, int64_t unit_id, Intention answer) {
  if (!by.signed_in()) return UnauthenticatedError("sign in to answer the survey");
  const Instant now = clock_.Now();
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadProject(tx, id, /*lock=*/true));
    if (p.current() != Step::kSurvey) return Refuse("the intention survey is not under way", "step");
    ASSIGN_OR_RETURN(auto unit, tx.QueryOptional("SELECT building_id FROM units WHERE id = ?", {unit_id}));
    if (!unit || unit->Int(0) != p.building_id) {
      return InvalidArgumentError(Msg("unit {} is not in {}", unit_id, p.building_name), "unit_id");
    }
    policy::Subject subject = policy::Subject::Area(p.building_id);
    subject.unit = policy::Operand::Value(unit_id);
    ASSIGN_OR_RETURN(bool allowed, policy::Allows(tx, by, policy::Action::kAnswerSurvey, subject));
    if (!allowed) return PermissionDeniedError("owners answer the survey for their own units");
    ASSIGN_OR_RETURN(bool own, policy::Holds(tx, policy::OwnsUnit(by, policy::Operand::Value(unit_id))));
    const std::string channel = own ? "online" : "staff";
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO elevator_survey_answers (project_id, unit_id, answer, channel, "
                   "answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (project_id, unit_id) DO UPDATE SET answer = excluded.answer, "
                   "channel = excluded.channel, answered_by = excluded.answered_by, "
                   "answered_at = excluded.answered_at",
                   {id, unit_id, std::string(IntentionName(answer)), channel, by.user_id, ToUnix(now)}));
    const nlohmann::json summary = {
        {"unit_id", unit_id}, {"answer", std::string(IntentionName(answer))}, {"channel", channel}};
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "elevator.survey.answer", Ref(id), summary));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "survey_answer", channel);
  });
}

StatusOr<Project> ElevatorService::SavePlan(const auth::Principal& by, int64_t id, std::string_view text_in,
                                            bool uses_common_parts) {
  const Instant now = clock_.Now();
  std::string text(Trim(text_in));
  RETURN_IF_ERROR(CheckText(text, kMaxPlanBytes, "plan", true));
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    RETURN_IF_ERROR(RequireStep(p, Step::kPlan));
    RETURN_IF_ERROR(
        tx.Execute("UPDATE elevator_projects SET plan_text = ?, uses_estate_common_parts = ?, "
                   "updated_at = ? WHERE id = ?",
                   {text, int64_t{uses_common_parts ? 1 : 0}, ToUnix(now), id}));
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "elevator.plan", Ref(id),
                                  {{"bytes", text.size()},
                                   {"uses_estate_common_parts", uses_common_parts},
                                   {"before_bytes", p.plan_text.size()}}));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "plan_saved", "");
  }));
  return Get(id);
}

StatusOr<record::Attachment> ElevatorService::AddDrawing(const auth::Principal& by, int64_t id, std::string_view name,
                                                         std::string_view bytes) {
  if (bytes.empty()) return InvalidArgumentError("attach the drawing (PDF)", "file");
  const Instant now = clock_.Now();
  record::Attachment out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    RETURN_IF_ERROR(RequireStep(p, Step::kPlan));
    record::AttachmentLimits limits;
    limits.allowed_types = {"application/pdf"};
    limits.max_per_object = kMaxDrawings;
    ASSIGN_OR_RETURN(out, record::AddAttachment(tx, Ref(id), name.empty() ? "drawing.pdf" : name, bytes,
                                                std::max<int64_t>(by.user_id, 0), now, limits));
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "elevator.drawing", Ref(id),
                                  {{"attachment", out.id}, {"name", out.name}, {"size", out.size}}));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "drawing_added", out.name);
  }));
  return out;
}

StatusOr<std::pair<record::Attachment, std::string>> ElevatorService::Drawing(int64_t id, int64_t attachment_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Project p, Load(*conn, id));
  auto attachment = record::GetAttachment(*conn, attachment_id);
  if (!attachment.ok() || attachment->object_ref != Ref(p.id)) {
    return NotFoundError(Msg("no drawing {} on project {}", attachment_id, id));
  }
  ASSIGN_OR_RETURN(std::string bytes, record::AttachmentBytes(*conn, attachment_id, false));
  return std::make_pair(std::move(attachment).value(), std::move(bytes));
}

StatusOr<int64_t> ElevatorService::StartBallot(const auth::Principal& by, int64_t id, Instant closes_at,
                                               std::optional<Matter> matter) {
  const Instant now = clock_.Now();
  int64_t ballot_id = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    const std::optional<Step> step = p.current();
    if (step != Step::kBuildingBallot && step != Step::kEstateBallot) {
      return Refuse(step ? Msg("no ballot step is under way (the current step is {})", StepName(*step))
                         : Msg("no ballot step is under way"),
                    "step");
    }
    ASSIGN_OR_RETURN(auto latest, LatestBallot(tx, id, *step));
    if (latest && latest->state != "closed") {
      return Refuse(Msg("ballot {} of this step is still {}", latest->id, latest->state), "ballot");
    }
    if (latest && latest->passed) {
      return Refuse(Msg("ballot {} passed: complete the step", latest->id), "ballot");
    }
    const bool estate = *step == Step::kEstateBallot;
    if (estate && !matter) {
      return InvalidArgumentError("choose the matter of the estate's ballot: art. 278 item 8 or item 9", "matter");
    }
    if (estate && *matter != Matter::kCommonPartsUse && *matter != Matter::kOtherMajorMatter) {
      return InvalidArgumentError("the estate's ballot is on art. 278 item 8 or item 9", "matter");
    }
    if (!estate && matter && *matter != Matter::kRebuild) {
      return InvalidArgumentError("the building's ballot is on art. 278 item 7", "matter");
    }
    const Matter chosen = estate ? *matter : Matter::kRebuild;
    NewBallot nb;
    nb.matter = MatterItem(chosen);
    nb.area_id = estate ? p.neighborhood_id : p.building_id;
    nb.closes_at = closes_at;
    nb.title = p.building_name + (estate ? "加装电梯使用小区共有部分表决" : "加装电梯表决");
    nb.description =
        !estate ? "按民法典第二百七十八条第一款第七项由本幢业主表决（沪建房管联〔2020〕801号）：参与表决的业主须占"
                  "本幢专有部分面积和人数的三分之二以上，同意的须占参与表决面积和人数的四分之三以上。"
        : chosen == Matter::kCommonPartsUse
            ? "电梯占用小区共有部分，由建筑区划内全体业主按民法典第二百七十八条第一款第八项（改变共有部分的用途）表决："
              "参与表决的业主须占专有部分面积和人数的三分之二以上，同意的须占参与表决面积和人数的四分之三以上"
              "（民法典第二百七十八条第二款）。"
            : "电梯占用小区共有部分，由建筑区划内全体业主按民法典第二百七十八条第一款第九项（其他重大事项）表决"
              "（沪建房管联〔2020〕801号）：参与表决的业主须占专有部分面积和人数的三分之二以上，同意的须超过参与表决"
              "面积和人数的半数（民法典第二百七十八条第二款）。";
    nb.description += "\n" + p.plan_text.substr(0, 3000);
    if (nb.description.size() > kMaxDescriptionBytes) nb.description.resize(kMaxDescriptionBytes);
    // Keep the description valid UTF-8 after the cut.
    while (!nb.description.empty() && !utf8::Validate(nb.description).ok()) nb.description.pop_back();
    ASSIGN_OR_RETURN(OwnersBallot ballot, internal::CreateDraft(tx, by, nb, now));
    RETURN_IF_ERROR(internal::FreezeAndOpen(tx, ballot, now, auth::ActorOf(by)));
    ballot_id = ballot.id;
    const std::string ballot_ref = record::Ref("ballot", ballot.id);
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO elevator_step_refs (project_id, step, ref, created_at, created_by) "
                   "VALUES (?, ?, ?, ?, ?)",
                   {id, std::string(StepName(*step)), ballot_ref, ToUnix(now), by.AccountOrNull()}));
    RETURN_IF_ERROR(record::AddLink(tx, Ref(id), "decided_by", ballot_ref, now, auth::ActorOf(by)));
    RETURN_IF_ERROR(
        record::Audit(tx, now, auth::ActorOf(by), "elevator.ballot", Ref(id),
                      {{"step", std::string(StepName(*step))}, {"ballot", ballot.id}, {"matter", MatterItem(chosen)}}));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "ballot_started", ballot_ref);
  }));
  return ballot_id;
}

StatusOr<CostTable> ElevatorService::SetCostShares(const auth::Principal& by, int64_t id, Money total,
                                                   const std::vector<FloorShare>& shares) {
  const Instant now = clock_.Now();
  CostTable out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    if (p.record(Step::kCostShares).state == StepState::kDone) {
      return Refuse(Msg("the cost shares were agreed on {}: they are fixed", p.record(Step::kCostShares).done_on),
                    "shares");
    }
    RETURN_IF_ERROR(RequireStep(p, Step::kCostShares));
    RETURN_IF_ERROR(LockCurrentCostShares(tx, id));
    ASSIGN_OR_RETURN(auto units, UnitsOf(tx, p.building_id));
    ASSIGN_OR_RETURN(out, AllocateCosts(total, shares, units));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM elevator_cost_shares WHERE project_id = ?", {id}));
    nlohmann::json table = nlohmann::json::array();
    for (const auto& f : out.floors) {
      RETURN_IF_ERROR(tx.Execute("INSERT INTO elevator_cost_shares (project_id, floor, share_centi) VALUES (?, ?, ?)",
                                 {id, f.floor, f.share.hundredths()}));
      table.push_back({{"floor", f.floor}, {"share", f.share.ToString()}, {"amount", f.amount.ToString()}});
    }
    RETURN_IF_ERROR(tx.Execute("UPDATE elevator_projects SET total_cost_cents = ?, updated_at = ? WHERE id = ?",
                               {total.hundredths(), ToUnix(now), id}));
    RETURN_IF_ERROR(
        record::Audit(tx, now, auth::ActorOf(by), "elevator.cost_shares", Ref(id),
                      {{"before", p.total_cost.ToString()}, {"total", total.ToString()}, {"floors", table}}));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "cost_shares", total.ToString());
  }));
  return out;
}

StatusOr<NoticeDates> ElevatorService::PublishNotice(const auth::Principal& by, int64_t id,
                                                     std::string_view published_on) {
  const Instant now = clock_.Now();
  CivilDate date = ShanghaiDate(now);
  if (!Trim(published_on).empty()) {
    ASSIGN_OR_RETURN(date, ParseCivilDate(Trim(published_on), "published_on"));
  }
  if (date > ShanghaiDate(now)) {
    return InvalidArgumentError(Msg("the notice cannot be published in the future ({})", FormatCivilDate(date)),
                                "published_on");
  }
  NoticeDates dates = NoticeDatesFrom(date);
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    RETURN_IF_ERROR(RequireStep(p, Step::kPlanNotice));
    if (!p.notice_published_on.empty()) {
      return Refuse(Msg("the plan notice was published on {}", p.notice_published_on), "notice");
    }
    const std::string agreed = p.record(Step::kCostShares).done_on;
    const std::optional<CivilDate> agreed_on = ParseCivilDate(agreed);
    if (agreed_on && date < *agreed_on) {
      return InvalidArgumentError(Msg("the notice follows the cost agreement of {}", agreed), "published_on");
    }
    RETURN_IF_ERROR(tx.Execute("UPDATE elevator_projects SET notice_published_on = ?, updated_at = ? WHERE id = ?",
                               {FormatCivilDate(date), ToUnix(now), id}));
    const nlohmann::json summary = {{"published_on", FormatCivilDate(date)},
                                    {"notice_last", FormatCivilDate(dates.notice_last)},
                                    {"objections_last", FormatCivilDate(dates.objections_last)}};
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "elevator.notice", Ref(id), summary));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "notice_published", FormatCivilDate(date), summary);
  }));
  return dates;
}

StatusOr<ObjectionRecord> ElevatorService::RecordObjection(const auth::Principal& by, int64_t id,
                                                           std::string_view received_on, std::string_view objector_in,
                                                           std::string_view body_in) {
  const Instant now = clock_.Now();
  std::string objector(Trim(objector_in)), body(Trim(body_in));
  RETURN_IF_ERROR(CheckText(objector, kMaxObjectorBytes, "objector", true));
  RETURN_IF_ERROR(CheckText(body, kMaxObjectionBodyBytes, "body", true));
  ASSIGN_OR_RETURN(CivilDate postmark, ParseCivilDate(Trim(received_on), "received_on"));
  ObjectionRecord out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    RETURN_IF_ERROR(RequireStep(p, Step::kPlanNotice));
    if (p.notice_published_on.empty()) return Refuse("the plan notice is not published yet", "notice");
    ASSIGN_OR_RETURN(CivilDate published, ParseCivilDate(p.notice_published_on, "notice"));
    const NoticeDates dates = NoticeDatesFrom(published);
    const std::string mark = FormatCivilDate(postmark);
    if (mark < FormatCivilDate(published) || mark > FormatCivilDate(dates.objections_last)) {
      return InvalidArgumentError(Msg("written objections are accepted postmarked {} to {}, not {}",
                                      FormatCivilDate(published), FormatCivilDate(dates.objections_last), mark),
                                  "received_on");
    }
    if (std::chrono::sys_days(postmark) > std::chrono::sys_days(ShanghaiDate(now))) {
      return InvalidArgumentError(Msg("the postmark {} is in the future", mark), "received_on");
    }
    ASSIGN_OR_RETURN(storage::Row n,
                     tx.QueryOne("SELECT COUNT(*) FROM elevator_objections WHERE project_id = ?", {id}));
    if (n.Int(0) >= kMaxObjections) {
      return ResourceExhaustedError(Msg("at most {} objections per project", kMaxObjections));
    }
    ASSIGN_OR_RETURN(storage::Row row,
                     tx.QueryOne("INSERT INTO elevator_objections (project_id, received_on, objector, body, "
                                 "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                 {id, mark, objector, body, by.AccountOrNull(), ToUnix(now)}));
    out = {row.Int(0), mark, objector, body};
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "elevator.objection", Ref(id),
                                  {{"objection", out.id}, {"received_on", mark}, {"bytes", body.size()}}));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "objection", mark);
  }));
  return out;
}

Status ElevatorService::LinkMeeting(const auth::Principal& by, int64_t id, Step step, int64_t meeting_id) {
  if (meeting_id <= 0) return InvalidArgumentError("meeting_id must be a positive id", "meeting_id");
  const Instant now = clock_.Now();
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(Project p, LoadForStaff(tx, by, id));
    const StepRecord& s = p.record(step);
    if (s.state != StepState::kCurrent && s.state != StepState::kDone) {
      return Refuse("a meeting is related to a step under way or done", "step");
    }
    if (s.refs.size() >= static_cast<size_t>(kMaxRefsPerStep)) {
      return ResourceExhaustedError(Msg("at most {} meetings and ballots per step", kMaxRefsPerStep));
    }
    ASSIGN_OR_RETURN(auto found, tx.QueryOptional("SELECT neighborhood_id FROM meetings WHERE id = ?", {meeting_id}));
    if (!found) return InvalidArgumentError(Msg("no meeting {}", meeting_id), "meeting_id");
    if (found->Int(0) != p.neighborhood_id) {
      return InvalidArgumentError(Msg("meeting {} is another neighborhood's", meeting_id), "meeting_id");
    }
    const std::string meeting = record::Ref("meeting", meeting_id);
    if (std::find(s.refs.begin(), s.refs.end(), meeting) != s.refs.end()) {
      return AlreadyExistsError(Msg("{} is already related to this step", meeting), "meeting_id");
    }
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO elevator_step_refs (project_id, step, ref, created_at, created_by) "
                   "VALUES (?, ?, ?, ?, ?)",
                   {id, std::string(StepName(step)), meeting, ToUnix(now), by.AccountOrNull()}));
    RETURN_IF_ERROR(record::AddLink(tx, Ref(id), "refers_to", meeting, now, auth::ActorOf(by)));
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "elevator.meeting", Ref(id),
                                  {{"step", std::string(StepName(step))}, {"meeting", meeting}}));
    return record::AddEvent(tx, Ref(id), now, auth::ActorOf(by), "meeting_linked", meeting);
  });
}

StatusOr<ProjectView> ElevatorService::View(const auth::Principal& viewer, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ProjectView v;
  ASSIGN_OR_RETURN(v.project, Load(*conn, id));
  const Project& p = v.project;
  if (viewer.signed_in()) {
    const auto building = policy::Subject::Area(p.building_id);
    ASSIGN_OR_RETURN(v.viewer.is_staff, policy::Allows(*conn, viewer, policy::Action::kManageElevator, building));
    ASSIGN_OR_RETURN(v.viewer.personal_data,
                     policy::Allows(*conn, viewer, policy::Action::kViewPersonalData, building));
    ASSIGN_OR_RETURN(auto own, conn->Execute("SELECT DISTINCT u.id FROM units u JOIN unit_owners uo ON uo.unit_id = "
                                             "u.id JOIN owners o ON o.id = uo.owner_id WHERE u.building_id = ? AND "
                                             "o.user_id = ? ORDER BY u.id",
                                             {p.building_id, viewer.user_id}));
    for (const auto& r : own.rows) v.viewer.own_units.push_back(r.Int(0));
    v.viewer.is_owner = !v.viewer.own_units.empty();
  }
  const bool insider = v.viewer.is_staff || v.viewer.is_owner;
  if (!insider) {
    // The public sees progress, not who did what or what they wrote.
    for (auto& s : v.project.steps) {
      s.completed_by.clear();
      s.notes.clear();
    }
  }
  ASSIGN_OR_RETURN(auto units, conn->Execute("SELECT u.id, u.number, u.floor, u.area_centi, a.answer, a.channel "
                                             "FROM units u LEFT JOIN elevator_survey_answers a ON a.unit_id = u.id "
                                             "AND a.project_id = ? WHERE u.building_id = ? "
                                             "ORDER BY u.floor, u.number, u.id LIMIT 5000",
                                             {id, p.building_id}));
  std::set<int64_t> own(v.viewer.own_units.begin(), v.viewer.own_units.end());
  for (const auto& r : units.rows) {
    SurveyAnswer a{r.Int(0), r.Text(1), r.Int(2), r.Int(3), std::nullopt, r.Text(5)};
    if (!r.IsNull(4)) {
      ASSIGN_OR_RETURN(a.answer, ParseIntention(r.Text(4)));
    }
    SurveyFigures* bucket = &v.survey.unanswered;
    if (a.answer == Intention::kWilling) bucket = &v.survey.willing;
    if (a.answer == Intention::kUnwilling) bucket = &v.survey.unwilling;
    if (a.answer == Intention::kUndecided) bucket = &v.survey.undecided;
    for (SurveyFigures* f : {bucket, &v.survey.total}) {
      f->units += 1;
      f->area_centi += a.area_centi;
    }
    if (v.viewer.is_staff || own.count(a.unit_id)) v.answers.push_back(std::move(a));
  }
  ASSIGN_OR_RETURN(v.shares, SharesOf(*conn, id));
  v.shares_fixed = p.record(Step::kCostShares).state == StepState::kDone;
  if (!v.shares.empty() && p.total_cost.hundredths() > 0) {
    std::vector<UnitOnFloor> list;
    for (const auto& r : units.rows) list.push_back({r.Int(0), r.Text(1), r.Int(2)});
    auto table = AllocateCosts(p.total_cost, v.shares, list);
    if (table.ok()) v.costs = std::move(table).value();  // the roster may have changed since the agreement
  }
  if (!p.notice_published_on.empty()) {
    ASSIGN_OR_RETURN(CivilDate published, ParseCivilDate(p.notice_published_on, "notice"));
    v.notice = NoticeDatesFrom(published);
  }
  ASSIGN_OR_RETURN(storage::Row n,
                   conn->QueryOne("SELECT COUNT(*) FROM elevator_objections WHERE project_id = ?", {id}));
  v.objection_count = n.Int(0);
  if (insider) {
    ASSIGN_OR_RETURN(auto rows, conn->Execute("SELECT id, received_on, objector, body FROM elevator_objections "
                                              "WHERE project_id = ? ORDER BY id LIMIT 1000",
                                              {id}));
    for (const auto& r : rows.rows) {
      v.objections.push_back(
          {r.Int(0), r.Text(1), v.viewer.personal_data ? r.Text(2) : MaskName(r.Text(2)), r.Text(3)});
    }
  }
  ASSIGN_OR_RETURN(v.drawings, record::ListAttachments(*conn, Ref(id)));
  for (const auto& s : p.steps) {
    for (const auto& ref : s.refs) {
      if (ref.rfind("meeting:", 0) == 0) {
        auto meeting = ParseId(std::string_view(ref).substr(8), "meeting");
        if (!meeting.ok()) continue;
        ASSIGN_OR_RETURN(auto row,
                         conn->QueryOptional("SELECT m.kind, k.name_zh, k.name_en, m.subject, m.starts_at, "
                                             "m.state FROM meetings m JOIN meeting_kinds k ON k.code = m.kind "
                                             "WHERE m.id = ?",
                                             {*meeting}));
        if (!row || (row->Text(5) == "draft" && !v.viewer.is_staff)) continue;
        v.meetings[ref] = {{"id", *meeting},
                           {"kind", row->Text(0)},
                           {"kind_zh", row->Text(1)},
                           {"kind_en", row->Text(2)},
                           {"subject", row->Text(3)},
                           {"starts_at", FormatUtc(FromUnix(row->Int(4)))},
                           {"date", FormatCivilDate(ShanghaiDate(FromUnix(row->Int(4))))},
                           {"state", row->Text(5)}};
        continue;
      }
      if (ref.rfind("ballot:", 0) != 0) continue;
      auto ballot = ParseId(std::string_view(ref).substr(7), "ballot");
      if (!ballot.ok()) continue;
      ASSIGN_OR_RETURN(
          auto row,
          conn->QueryOptional("SELECT title, state, passed, matter, closes_at FROM ballots WHERE id = ?", {*ballot}));
      if (!row) continue;
      const bool closed = row->Text(1) == "closed";
      ASSIGN_OR_RETURN(Matter matter, MatterFromItem(row->Int(3)));
      v.ballots[ref] = {{"id", *ballot},
                        {"title", row->Text(0)},
                        {"state", row->Text(1)},
                        {"passed", closed ? nlohmann::json(row->Bool(2)) : nlohmann::json(nullptr)},
                        {"matter", MatterItem(matter)},
                        {"consent_rule", std::string(ConsentRuleName(ConsentRuleFor(matter)))},
                        {"closes_at", FormatUtc(FromUnix(row->Int(4)))}};
    }
  }
  return v;
}

std::string SharePercent(int64_t num, int64_t den) { return ShareText(num, den); }

// ---- Demo.

Status SeedDemoElevator(storage::Connection& tx, Instant now) {
  ASSIGN_OR_RETURN(auto home, tx.QueryOptional("SELECT u.building_id, a.parent_id, a.name FROM users us "
                                               "JOIN owners o ON o.user_id = us.id "
                                               "JOIN unit_owners uo ON uo.owner_id = o.id "
                                               "JOIN units u ON u.id = uo.unit_id JOIN areas a ON a.id = u.building_id "
                                               "WHERE us.username = 'resident1' ORDER BY u.id LIMIT 1"));
  if (!home) return OkStatus();
  auth::Principal system = auth::SystemPrincipal("demo");
  system.display_name = "演示数据";
  const Instant assessed = now - std::chrono::hours(24 * 20);
  ASSIGN_OR_RETURN(int64_t id,
                   InsertProject(tx, home->Int(0), home->Int(1), home->Text(2) + "加装电梯", system, assessed));
  ASSIGN_OR_RETURN(Project p, LoadProject(tx, id));
  RETURN_IF_ERROR(CompleteInTx(tx, p, Step::kFeasibility, FormatCivilDate(ShanghaiDate(assessed)),
                               "街道委托的可行性评估：楼前空地可容纳电梯井，管线需迁移。",
                               {{"grade", "A"}, {"reason", ""}}, system, assessed));
  // resident1 and the first two owners with logins have answered.
  int n = 0;
  for (const char* login : {"resident1", "owner1", "owner2"}) {
    ASSIGN_OR_RETURN(auto unit, tx.QueryOptional("SELECT u.id, us.id FROM users us JOIN owners o ON o.user_id = us.id "
                                                 "JOIN unit_owners uo ON uo.owner_id = o.id "
                                                 "JOIN units u ON u.id = uo.unit_id "
                                                 "WHERE us.username = ? AND u.building_id = ? ORDER BY u.id LIMIT 1",
                                                 {std::string(login), home->Int(0)}));
    if (!unit) continue;
    const char* answer = n++ < 2 ? "willing" : "undecided";
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO elevator_survey_answers (project_id, unit_id, answer, channel, "
                   "answered_by, answered_at) VALUES (?, ?, ?, 'online', ?, ?)",
                   {id, unit->Int(0), std::string(answer), unit->Int(1), ToUnix(now)}));
    RETURN_IF_ERROR(record::Audit(tx, now, record::Actor::User(unit->Int(1)), "elevator.survey.answer", Ref(id),
                                  {{"unit_id", unit->Int(0)}, {"answer", answer}, {"channel", "online"}}));
    RETURN_IF_ERROR(record::AddEvent(tx, Ref(id), now, record::Actor::User(unit->Int(1)), "survey_answer", "online"));
  }
  return OkStatus();
}

}  // namespace ningju::decisions
