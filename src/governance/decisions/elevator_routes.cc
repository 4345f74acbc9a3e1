#include "governance/decisions/elevator_routes.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "auth/policy.h"
#include "common/text_util.h"
#include "common/time.h"
#include "governance/areas/area_filter.h"
#include "platform/index.h"
#include "record/record.h"
#include "web/number_format.h"

namespace ningju::decisions {
namespace {

using nlohmann::json;

StatusOr<int64_t> IdParam(const http::Request& req, const std::string& name) { return ParseId(req.Param(name), name); }

// An RFC 3339 time with its offset, or a form's datetime-local value ("2026-05-01T10:00"), read in Asia/Shanghai.
StatusOr<Instant> TimeText(std::string_view text, const std::string& field) {
  std::string t(Trim(text));
  if (t.size() == 16 && t[10] == 'T') t += ":00+08:00";
  auto ts = ParseTimestamp(t);
  if (!ts.ok()) return InvalidArgumentError(ts.status().msg(), field);
  return FromUnix(ts->unix_seconds);
}

StatusOr<int64_t> IntText(std::string_view text, const std::string& field) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError(Msg("{} must be a whole number", FieldName{field}), field);
  }
  return v;
}

std::string AreaText(int64_t centi) { return ningju::Area::FromHundredths(centi).ToString(); }
std::string Path(int64_t id) { return "/elevator/" + std::to_string(id); }

// Members of a JSON body, typed, with the field named in the error.
Status Text(const json& body, const char* key, std::string& out, bool required) {
  if (!body.contains(key))
    return required ? InvalidArgumentError(Msg("{} is required", FieldName{key}), key) : OkStatus();
  if (!body[key].is_string()) return InvalidArgumentError(Msg("{} must be a string", FieldName{key}), key);
  out = body[key].get<std::string>();
  return OkStatus();
}
Status Integer(const json& body, const char* key, int64_t& out, bool required) {
  if (!body.contains(key))
    return required ? InvalidArgumentError(Msg("{} is required", FieldName{key}), key) : OkStatus();
  if (!body[key].is_number_integer()) return InvalidArgumentError(Msg("{} must be an integer", FieldName{key}), key);
  out = body[key].get<int64_t>();
  return OkStatus();
}

json FiguresJson(const SurveyFigures& f, const SurveyFigures& total) {
  return {{"units", f.units},
          {"area", AreaText(f.area_centi)},
          {"share_units", SharePercent(f.units, total.units)},
          {"share_area", SharePercent(f.area_centi, total.area_centi)}};
}

json CostJson(const CostTable& t) {
  json floors = json::array();
  for (const auto& f : t.floors) {
    json units = json::array();
    for (const auto& u : f.units) {
      units.push_back(
          {{"unit_id", u.unit_id}, {"unit", u.number}, {"amount", u.amount.ToString()}, {"extra_cent", u.extra_cent}});
    }
    floors.push_back({{"floor", f.floor},
                      {"share", f.share.ToString()},
                      {"amount", f.amount.ToString()},
                      {"extra_cent", f.extra_cent},
                      {"per_unit", f.per_unit.ToString()},
                      {"remainder_cents", f.remainder_cents},
                      {"units", units}});
  }
  return {{"total_cost", t.total.ToString()}, {"total_remainder_cents", t.total_remainder_cents}, {"floors", floors}};
}

json NoticeJson(const NoticeDates& n) {
  return {{"published_on", FormatCivilDate(n.published)},
          {"notice_first", FormatCivilDate(n.notice_first)},
          {"notice_last", FormatCivilDate(n.notice_last)},
          {"objections_last", FormatCivilDate(n.objections_last)},
          {"window_ends_at", FormatUtc(n.window_ends)}};
}

json ObjectionJson(const ObjectionRecord& o) {
  return {{"id", o.id}, {"received_on", o.received_on}, {"objector", o.objector}, {"body", o.body}};
}

json DrawingJson(int64_t project, const record::Attachment& a) {
  json j = a.ToJson();
  j["url"] = Path(project) + "/drawings/" + std::to_string(a.id);
  return j;
}

// The API form of a project as the viewer may see it.
json ViewJson(const ProjectView& v) {
  const Project& p = v.project;
  const bool insider = v.viewer.is_staff || v.viewer.is_owner;
  json steps = json::array();
  for (const auto& s : p.steps) {
    json ballots = json::array(), meetings = json::array();
    for (const auto& ref : s.refs) {
      if (ref.rfind("ballot:", 0) == 0 && v.ballots.contains(ref)) ballots.push_back(v.ballots[ref]);
      if (ref.rfind("meeting:", 0) == 0) {
        json m = v.meetings.contains(ref) ? v.meetings[ref] : json::object();
        m["ref"] = ref;
        meetings.push_back(std::move(m));
      }
    }
    json j = {{"step", std::string(StepName(s.step))},
              {"state", std::string(StepStateName(s.state))},
              {"started_at", s.started_at ? json(FormatUtc(*s.started_at)) : json(nullptr)},
              {"completed_at", s.completed_at ? json(FormatUtc(*s.completed_at)) : json(nullptr)},
              {"done_on", s.done_on.empty() ? json(nullptr) : json(s.done_on)},
              {"data", s.data},
              {"ballots", ballots},
              {"meetings", meetings}};
    if (insider) {
      j["completed_by"] = s.completed_by;
      j["notes"] = s.notes;
    }
    steps.push_back(std::move(j));
  }
  json drawings = json::array();
  for (const auto& d : v.drawings) drawings.push_back(DrawingJson(p.id, d));
  json survey = {{"total", {{"units", v.survey.total.units}, {"area", AreaText(v.survey.total.area_centi)}}},
                 {"willing", FiguresJson(v.survey.willing, v.survey.total)},
                 {"unwilling", FiguresJson(v.survey.unwilling, v.survey.total)},
                 {"undecided", FiguresJson(v.survey.undecided, v.survey.total)},
                 {"unanswered", FiguresJson(v.survey.unanswered, v.survey.total)}};
  json out = {
      {"id", p.id},
      {"building_id", p.building_id},
      {"neighborhood_id", p.neighborhood_id},
      {"building", p.building_name},
      {"title", p.title},
      {"state", std::string(ProjectStateName(p.state))},
      {"current_step", p.current() ? json(std::string(StepName(*p.current()))) : json(nullptr)},
      {"stop_reason", p.stop_reason},
      {"created_at", FormatUtc(p.created_at)},
      {"plan",
       {{"text", p.plan_text}, {"uses_estate_common_parts", p.uses_estate_common_parts}, {"drawings", drawings}}},
      {"steps", steps},
      {"survey", survey},
      {"cost_shares", v.costs ? CostJson(*v.costs) : json(nullptr)},
      {"cost_shares_fixed", v.shares_fixed},
      {"notice", v.notice ? NoticeJson(*v.notice) : json(nullptr)},
      {"objections", {{"count", v.objection_count}}},
      {"you", {{"staff", v.viewer.is_staff}, {"owner", v.viewer.is_owner}, {"units", v.viewer.own_units}}}};
  if (insider) {
    json answers = json::array();
    for (const auto& a : v.answers) {
      answers.push_back({{"unit_id", a.unit_id},
                         {"unit", a.number},
                         {"floor", a.floor},
                         {"area", AreaText(a.area_centi)},
                         {"answer", a.answer ? json(std::string(IntentionName(*a.answer))) : json(nullptr)},
                         {"channel", a.channel.empty() ? json(nullptr) : json(a.channel)}});
    }
    out["answers"] = answers;
    json items = json::array();
    for (const auto& o : v.objections) items.push_back(ObjectionJson(o));
    out["objections"]["items"] = items;
  }
  return out;
}

std::string T(const web::Site& site, const web::RequestContext& ctx, const std::string& key) {
  return site.T(ctx, key);
}

// The estate ballot's matter from the form: "" (none chosen), "8" or "9".
StatusOr<std::optional<Matter>> MatterText(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::optional<Matter>();
  if (text == "8") return std::optional<Matter>(Matter::kCommonPartsUse);
  if (text == "9") return std::optional<Matter>(Matter::kOtherMajorMatter);
  return InvalidArgumentError("matter is 8 or 9", "matter");
}

// What the step shows in the timeline beside its dates.
std::string StepSummary(const web::Site& site, const web::RequestContext& ctx, const ProjectView& v,
                        const StepRecord& s) {
  if (s.state == StepState::kSkipped) return T(site, ctx, "elevator_skipped_estate");
  if (s.state != StepState::kDone) return "";
  switch (s.step) {
    case Step::kFeasibility: {
      std::string out = T(site, ctx, "elevator_grade_" + s.data.value("grade", "A"));
      if (!s.data.value("reason", "").empty()) out += site.Punct(ctx).colon + s.data.value("reason", "");
      return out;
    }
    case Step::kPlan:
      return T(
          site, ctx,
          s.data.value("uses_estate_common_parts", false) ? "elevator_plan_uses_common" : "elevator_plan_no_common");
    case Step::kBuildingBallot:
    case Step::kEstateBallot:
      return T(site, ctx, "elevator_ballot_passed");
    case Step::kCostShares:
      return T(site, ctx, "elevator_total_cost") + " " + web::FormatNumber(s.data.value("total_cost", "")) + " " +
             T(site, ctx, "elevator_yuan");
    case Step::kPlanNotice:
      return T(site, ctx, "elevator_objection_count") + " " + web::FormatNumber(v.objection_count);
    default:
      return "";
  }
}

StatusOr<http::Response> ProjectPage(const web::Site& site, ElevatorService& service, web::RequestContext& ctx,
                                     int64_t id, const std::string& notice) {
  ASSIGN_OR_RETURN(ProjectView v, service.View(ctx.principal, id));
  const Project& p = v.project;
  const bool insider = v.viewer.is_staff || v.viewer.is_owner;
  json data;
  data["notice"] = notice;
  data["project"] = {{"id", p.id},
                     {"title", p.title},
                     {"building_id", p.building_id},
                     {"building", p.building_name},
                     {"stopped", p.state == ProjectState::kStopped},
                     {"completed", p.state == ProjectState::kCompleted},
                     {"stop_reason", p.stop_reason},
                     {"plan_text", p.plan_text},
                     {"uses_common", p.uses_estate_common_parts}};
  const std::optional<Step> current = p.current();
  data["state_label"] =
      current ? T(site, ctx, "elevator_now") + " " + T(site, ctx, "elevator_step_" + std::string(StepName(*current)))
              : T(site, ctx, "elevator_state_" + std::string(ProjectStateName(p.state)));
  data["is_staff"] = v.viewer.is_staff;
  data["insider"] = insider;
  json steps = json::array();
  json meeting_steps = json::array();
  int position = 0;
  for (const auto& s : p.steps) {
    ++position;
    const std::string name(StepName(s.step));
    json ballots = json::array(), meetings = json::array();
    for (const auto& ref : s.refs) {
      if (ref.rfind("ballot:", 0) == 0 && v.ballots.contains(ref)) {
        const json& b = v.ballots[ref];
        std::string state = T(site, ctx, "ballot_state_" + b["state"].get<std::string>());
        if (b["passed"].is_boolean()) state = T(site, ctx, b["passed"].get<bool>() ? "ballot_passed" : "ballot_failed");
        // The rule it is counted by: the item of art. 278 and its thresholds.
        const std::string rule =
            fmt::format(fmt::runtime(T(site, ctx, "elevator_ballot_item")), b["matter"].get<int>()) + " · " +
            T(site, ctx, "elevator_rule_" + b["consent_rule"].get<std::string>());
        ballots.push_back({{"id", b["id"]}, {"title", b["title"]}, {"state", state}, {"rule", rule}});
      }
      if (ref.rfind("meeting:", 0) == 0 && v.meetings.contains(ref)) {
        const json& m = v.meetings[ref];
        meetings.push_back({{"id", m["id"]},
                            {"kind", m[ctx.locale == "en" ? "kind_en" : "kind_zh"]},
                            {"subject", m["subject"]},
                            {"date", m["date"]},
                            {"state", T(site, ctx, "elevator_meeting_" + m["state"].get<std::string>())}});
      }
    }
    steps.push_back({{"position", position},
                     {"step", name},
                     {"label", T(site, ctx, "elevator_step_" + name)},
                     {"state", std::string(StepStateName(s.state))},
                     {"state_label", T(site, ctx, "elevator_stepstate_" + std::string(StepStateName(s.state)))},
                     {"is_current", s.state == StepState::kCurrent},
                     {"started", s.started_at ? FormatShanghaiDate(*s.started_at) : ""},
                     {"done_on", s.state == StepState::kDone ? s.done_on : ""},
                     {"summary", StepSummary(site, ctx, v, s)},
                     {"completed_by", insider ? s.completed_by : ""},
                     {"notes", insider ? s.notes : ""},
                     {"ballots", ballots},
                     {"has_ballots", !ballots.empty()},
                     {"meetings", meetings},
                     {"has_meetings", !meetings.empty()}});
    if (s.state == StepState::kCurrent || s.state == StepState::kDone) {
      meeting_steps.push_back({{"value", name}, {"label", T(site, ctx, "elevator_step_" + name)}});
    }
  }
  data["steps"] = steps;
  data["meetings_new"] = "/neighborhoods/" + std::to_string(p.neighborhood_id) + "/meetings/new";
  data["meeting_steps"] = meeting_steps;

  // The survey's figures, for everyone.
  json rows = json::array();
  for (const auto& [key, f] : std::vector<std::pair<std::string, SurveyFigures>>{{"willing", v.survey.willing},
                                                                                 {"unwilling", v.survey.unwilling},
                                                                                 {"undecided", v.survey.undecided},
                                                                                 {"unanswered", v.survey.unanswered}}) {
    rows.push_back({{"label", T(site, ctx, "elevator_answer_" + key)},
                    {"units", web::FormatNumber(f.units)},
                    {"area", web::FormatNumber(AreaText(f.area_centi))},
                    {"share_units", SharePercent(f.units, v.survey.total.units)},
                    {"share_area", SharePercent(f.area_centi, v.survey.total.area_centi)}});
  }
  data["survey_rows"] = rows;
  data["survey_total"] = {{"units", web::FormatNumber(v.survey.total.units)},
                          {"area", web::FormatNumber(AreaText(v.survey.total.area_centi))}};
  const bool surveying = current == Step::kSurvey;
  json answers = json::array();
  std::set<int64_t> own(v.viewer.own_units.begin(), v.viewer.own_units.end());
  for (const auto& a : v.answers) {
    json choices = json::array();
    for (Intention i : {Intention::kWilling, Intention::kUnwilling, Intention::kUndecided}) {
      const std::string n(IntentionName(i));
      choices.push_back({{"value", n}, {"label", T(site, ctx, "elevator_answer_" + n)}, {"checked", a.answer == i}});
    }
    answers.push_back({{"unit_id", a.unit_id},
                       {"unit", a.number},
                       {"floor", a.floor},
                       {"area", web::FormatNumber(AreaText(a.area_centi))},
                       {"answer", a.answer ? T(site, ctx, "elevator_answer_" + std::string(IntentionName(*a.answer)))
                                           : T(site, ctx, "elevator_answer_unanswered")},
                       {"own", own.count(a.unit_id) > 0},
                       {"can_answer", surveying && own.count(a.unit_id) > 0},
                       {"choices", choices}});
  }
  data["answers"] = answers;
  data["surveying"] = surveying;

  json drawings = json::array();
  for (const auto& d : v.drawings) {
    json drawing = DrawingJson(p.id, d);
    drawing["size"] = web::FormatJsonNumber(drawing["size"]);  // grouped on the page; a number in the API
    drawings.push_back(std::move(drawing));
  }
  data["drawings"] = drawings;

  if (v.costs) {
    json floors = json::array();
    for (const auto& f : v.costs->floors) {
      std::string units;
      for (const auto& u : f.units) {
        units += (units.empty() ? "" : site.Punct(ctx).list) + u.number + " " + web::FormatNumber(u.amount) +
                 (u.extra_cent ? "*" : "");
      }
      floors.push_back({{"floor", f.floor},
                        {"share", f.share.ToString()},
                        {"amount", web::FormatNumber(f.amount)},
                        {"extra_cent", f.extra_cent},
                        {"count", web::FormatNumber(static_cast<int64_t>(f.units.size()))},
                        {"per_unit", web::FormatNumber(f.per_unit)},
                        {"remainder", web::FormatNumber(f.remainder_cents)},
                        {"units", units}});
    }
    data["costs"] = {{"total", web::FormatNumber(v.costs->total)},
                     {"remainder", web::FormatNumber(v.costs->total_remainder_cents)},
                     {"floors", floors},
                     {"fixed", v.shares_fixed},
                     {"agreed_on", v.shares_fixed ? p.record(Step::kCostShares).done_on : ""}};
  }
  // The form's rows: the agreed shares, or one empty row per floor that holds a unit.
  if (v.viewer.is_staff && current == Step::kCostShares) {
    std::map<int64_t, std::string> shares;
    for (const auto& a : v.answers) shares.emplace(a.floor, "");
    for (const auto& s : v.shares) shares[s.floor] = s.share.ToString();
    json form = json::array();
    for (const auto& [floor, share] : shares) form.push_back({{"floor", floor}, {"share", share}});
    data["share_form"] = form;
    data["total_cost_value"] = p.total_cost.hundredths() > 0 ? p.total_cost.ToString() : "";
  }
  if (v.notice) data["notice_dates"] = NoticeJson(*v.notice);
  data["objection_count"] = web::FormatNumber(v.objection_count);
  json objections = json::array();
  for (const auto& o : v.objections) objections.push_back(ObjectionJson(o));
  data["objections"] = objections;

  // The staff's forms for the current step.
  if (v.viewer.is_staff && current) {
    data["current"] = {{std::string(StepName(*current)), true},
                       {"step", std::string(StepName(*current))},
                       {"label", T(site, ctx, "elevator_step_" + std::string(StepName(*current)))},
                       {"ballot_step", *current == Step::kBuildingBallot || *current == Step::kEstateBallot},
                       {"published", v.notice.has_value()}};
  }
  data["follow_ref"] = record::Ref("elevator", p.id);  // the follow button (src/platform/notify)
  return site.Page(ctx, "elevator/project", data, p.title);
}

StatusOr<std::vector<FloorShare>> SharesFromForm(const web::RequestContext& ctx) {
  std::vector<FloorShare> out;
  for (const auto& [key, value] : ctx.form) {
    if (key.rfind("share_", 0) != 0) continue;
    ASSIGN_OR_RETURN(int64_t floor, IntText(std::string_view(key).substr(6), "shares"));
    auto share = Percent::Parse(Trim(value));
    if (!share.ok()) return InvalidArgumentError(Msg("floor {}: {}", floor, share.status().message()), "shares");
    out.push_back({floor, *share});
    if (out.size() > 500) return InvalidArgumentError("too many floors", "shares");
  }
  return out;
}

StatusOr<std::pair<std::string, std::string>> OneFile(const web::RequestContext& ctx) {
  std::pair<std::string, std::string> out;
  for (const auto& f : ctx.files) {
    if (f.name != "file" || f.body.empty()) continue;
    if (!out.second.empty()) return InvalidArgumentError("attach one file", "file");
    out = {f.filename, f.body};
  }
  return out;
}

Completion CompletionFromForm(const web::RequestContext& ctx) {
  Completion c;
  c.done_on = web::Site::Field(ctx, "done_on");
  c.notes = web::Site::Field(ctx, "notes");
  c.grade = web::Site::Field(ctx, "grade");
  c.reason = web::Site::Field(ctx, "reason");
  return c;
}

}  // namespace

void RegisterElevatorRoutes(http::Router& router, const web::Site& site, ElevatorService& service,
                            areas::AreaService& areas, size_t max_upload_bytes) {
  // ---- Pages.
  router.Add("GET", "/elevator",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               static const std::vector<std::string> kStates = {"active", "stopped", "completed"};
               ElevatorService::ProjectFilter filter;
               ASSIGN_OR_RETURN(filter.area_id, areas::ParseAreaParam(areas, req.Query("area")));
               ASSIGN_OR_RETURN(std::string state, platform::StateParam(req, kStates));
               if (state == "active") filter.state = ProjectState::kActive;
               if (state == "stopped") filter.state = ProjectState::kStopped;
               if (state == "completed") filter.state = ProjectState::kCompleted;
               ASSIGN_OR_RETURN(auto page, service.List(filter, req.Query("cursor").value_or(""), 50));
               json data;
               ASSIGN_OR_RETURN(data["filter"], areas::AreaFilterView(areas, "/elevator", filter.area_id));
               data["base"] = "/elevator";
               data["states"] = platform::StateOptions(site, ctx, "elevator_state_", kStates, state);
               data["projects"] = json::array();
               for (const auto& p : page.items) {
                 std::optional<Step> step = p.current();
                 data["projects"].push_back(
                     {{"id", p.id},
                      {"title", p.title},
                      {"building_name", p.building_name},
                      {"state_label", T(site, ctx, "elevator_state_" + std::string(ProjectStateName(p.state)))},
                      {"step_label", step ? T(site, ctx, "elevator_step_" + std::string(StepName(*step))) : ""}});
               }
               data["next_cursor"] = page.next_cursor;
               data["query"] = platform::FilterQuery(filter.area_id, state);
               return site.Page(ctx, "elevator/index", data, T(site, ctx, "elevator_title"));
             }));
  router.Add("GET", "/areas/{id}/elevator",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(auto projects, service.ForBuilding(id));
               if (!projects.empty()) return http::Response::Redirect(Path(projects.front().id));
               json data;
               data["building_id"] = id;
               data["can_create"] = service.IsStaffOn(ctx.principal, id);
               return site.Page(ctx, "elevator/none", data, T(site, ctx, "elevator_title"));
             }));
  // Gates (web::Site): who may take the action, asked before the route reads its input. Only the building's staff run
  // the steps and send drawings (anyone else's file is refused before its body is parsed); owners (or staff entering
  // a paper answer) answer the survey, which the service judges by the unit.
  auto may_manage = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    return service.CheckManage(ctx.principal, id);
  };
  auto may_create = [](const http::Request&, const web::RequestContext& ctx) -> Status {
    return auth::policy::RequireSomewhere(ctx.principal, auth::policy::Action::kManageElevator);
  };
  router.Add("POST", "/elevator",
             site.Web(may_create, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t building, ParseId(web::Site::Field(ctx, "building_id"), "building_id"));
               ASSIGN_OR_RETURN(Project p, service.Create(ctx.principal, building, web::Site::Field(ctx, "title")));
               return http::Response::Redirect(Path(p.id) + "?done=created");
             }));
  router.Add(
      "GET", "/elevator/{id}", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
        const std::string done = req.Query("done").value_or("");
        std::string notice;
        for (const char* known :
             {"step", "answer", "plan", "drawing", "ballot", "shares", "notice", "objection", "meeting", "created"}) {
          if (done == known) notice = T(site, ctx, "elevator_done_" + done);
        }
        return ProjectPage(site, service, ctx, id, notice);
      }));
  router.Add("POST", "/elevator/{id}/steps/{step}",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Step step, ParseStep(req.Param("step")));
               RETURN_IF_ERROR(service.Complete(ctx.principal, id, step, CompletionFromForm(ctx)).status());
               return http::Response::Redirect(Path(id) + "?done=step");
             }));
  router.Add("POST", "/elevator/{id}/survey",
             site.Web(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(int64_t unit, ParseId(web::Site::Field(ctx, "unit_id"), "unit_id"));
               ASSIGN_OR_RETURN(Intention answer, ParseIntention(web::Site::Field(ctx, "answer")));
               RETURN_IF_ERROR(service.Answer(ctx.principal, id, unit, answer));
               return http::Response::Redirect(Path(id) + "?done=answer#survey");
             }));
  router.Add("POST", "/elevator/{id}/plan",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service
                                   .SavePlan(ctx.principal, id, web::Site::Field(ctx, "text"),
                                             web::Site::Field(ctx, "uses_estate_common_parts") == "1")
                                   .status());
               return http::Response::Redirect(Path(id) + "?done=plan");
             }));
  router.Add("POST", "/elevator/{id}/drawings",
             site.Upload(may_manage,
                         [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                           ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
                           ASSIGN_OR_RETURN(auto file, OneFile(ctx));
                           RETURN_IF_ERROR(service.AddDrawing(ctx.principal, id, file.first, file.second).status());
                           return http::Response::Redirect(Path(id) + "?done=drawing");
                         }),
             http::RouteOptions{max_upload_bytes});
  router.Add("GET", "/elevator/{id}/drawings/{file}",
             site.Web([&](http::Request& req, web::RequestContext&) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(int64_t file, IdParam(req, "file"));
               ASSIGN_OR_RETURN(auto found, service.Drawing(id, file));
               return http::Response::File(found.first.content_type, found.first.name, std::move(found.second), true);
             }));
  router.Add("POST", "/elevator/{id}/ballots",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Instant closes, TimeText(web::Site::Field(ctx, "closes_at"), "closes_at"));
               ASSIGN_OR_RETURN(std::optional<Matter> matter, MatterText(web::Site::Field(ctx, "matter")));
               ASSIGN_OR_RETURN(int64_t ballot, service.StartBallot(ctx.principal, id, closes, matter));
               return http::Response::Redirect("/ballots/" + std::to_string(ballot) + "?done=open");
             }));
  router.Add("POST", "/elevator/{id}/cost-shares",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Money total, Money::Parse(Trim(web::Site::Field(ctx, "total_cost"))));
               ASSIGN_OR_RETURN(auto shares, SharesFromForm(ctx));
               RETURN_IF_ERROR(service.SetCostShares(ctx.principal, id, total, shares).status());
               return http::Response::Redirect(Path(id) + "?done=shares#costs");
             }));
  router.Add(
      "POST", "/elevator/{id}/notice",
      site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
        RETURN_IF_ERROR(service.PublishNotice(ctx.principal, id, web::Site::Field(ctx, "published_on")).status());
        return http::Response::Redirect(Path(id) + "?done=notice#notice");
      }));
  router.Add("POST", "/elevator/{id}/objections",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service
                                   .RecordObjection(ctx.principal, id, web::Site::Field(ctx, "received_on"),
                                                    web::Site::Field(ctx, "objector"), web::Site::Field(ctx, "body"))
                                   .status());
               return http::Response::Redirect(Path(id) + "?done=objection#notice");
             }));
  router.Add("POST", "/elevator/{id}/meetings",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Step step, ParseStep(web::Site::Field(ctx, "step")));
               ASSIGN_OR_RETURN(int64_t meeting, ParseId(web::Site::Field(ctx, "meeting_id"), "meeting_id"));
               RETURN_IF_ERROR(service.LinkMeeting(ctx.principal, id, step, meeting));
               return http::Response::Redirect(Path(id) + "?done=meeting");
             }));

  // ---- JSON API.
  auto view = [&](web::RequestContext& ctx, int64_t id, int status) -> StatusOr<http::Response> {
    ASSIGN_OR_RETURN(ProjectView v, service.View(ctx.principal, id));
    return web::Site::Json(status, ViewJson(v));
  };
  router.Add("GET", "/api/v1/elevator-projects",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t building, ParseId(req.Query("building_id").value_or(""), "building_id"));
               ASSIGN_OR_RETURN(auto projects, service.ForBuilding(building));
               json items = json::array();
               for (const auto& p : projects) {
                 ASSIGN_OR_RETURN(ProjectView v, service.View(ctx.principal, p.id));
                 items.push_back(ViewJson(v));
               }
               return web::Site::Json(200, {{"items", items}});
             }));
  router.Add("POST", "/api/v1/elevator-projects",
             site.Api(may_create, [&, view](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"building_id", "title"}));
               int64_t building = 0;
               std::string title;
               RETURN_IF_ERROR(Integer(body, "building_id", building, true));
               RETURN_IF_ERROR(Text(body, "title", title, false));
               ASSIGN_OR_RETURN(Project p, service.Create(ctx.principal, building, title));
               return view(ctx, p.id, 201);
             }));
  router.Add("GET", "/api/v1/elevator-projects/{id}",
             site.Api([&, view](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               return view(ctx, id, 200);
             }));
  router.Add("POST", "/api/v1/elevator-projects/{id}/steps/{step}",
             site.Api([&, view](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Step step, ParseStep(req.Param("step")));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"done_on", "notes", "grade", "reason"}));
               Completion c;
               RETURN_IF_ERROR(Text(body, "done_on", c.done_on, false));
               RETURN_IF_ERROR(Text(body, "notes", c.notes, false));
               RETURN_IF_ERROR(Text(body, "grade", c.grade, false));
               RETURN_IF_ERROR(Text(body, "reason", c.reason, false));
               RETURN_IF_ERROR(service.Complete(ctx.principal, id, step, c).status());
               return view(ctx, id, 200);
             }));
  router.Add(
      "POST", "/api/v1/elevator-projects/{id}/survey",
      site.Api(web::SignedInGate, [&, view](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
        ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"unit_id", "answer"}));
        int64_t unit = 0;
        std::string answer;
        RETURN_IF_ERROR(Integer(body, "unit_id", unit, true));
        RETURN_IF_ERROR(Text(body, "answer", answer, true));
        ASSIGN_OR_RETURN(Intention intention, ParseIntention(answer));
        RETURN_IF_ERROR(service.Answer(ctx.principal, id, unit, intention));
        return view(ctx, id, 200);
      }));
  router.Add("PUT", "/api/v1/elevator-projects/{id}/plan",
             site.Api(may_manage, [&, view](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"text", "uses_estate_common_parts"}));
               std::string text;
               RETURN_IF_ERROR(Text(body, "text", text, true));
               bool common = false;
               if (body.contains("uses_estate_common_parts")) {
                 if (!body["uses_estate_common_parts"].is_boolean()) {
                   return InvalidArgumentError("uses_estate_common_parts must be true or false",
                                               "uses_estate_common_parts");
                 }
                 common = body["uses_estate_common_parts"].get<bool>();
               }
               RETURN_IF_ERROR(service.SavePlan(ctx.principal, id, text, common).status());
               return view(ctx, id, 200);
             }));
  router.Add("POST", "/api/v1/elevator-projects/{id}/drawings",
             site.ApiUpload(may_manage,
                            [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                              ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
                              ASSIGN_OR_RETURN(auto file, OneFile(ctx));
                              ASSIGN_OR_RETURN(record::Attachment a,
                                               service.AddDrawing(ctx.principal, id, file.first, file.second));
                              return web::Site::Json(201, DrawingJson(id, a));
                            }),
             http::RouteOptions{max_upload_bytes});
  router.Add(
      "POST", "/api/v1/elevator-projects/{id}/ballots",
      site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
        ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"closes_at", "matter"}));
        std::string closes;
        RETURN_IF_ERROR(Text(body, "closes_at", closes, true));
        auto ts = ParseTimestamp(closes);
        if (!ts.ok()) return InvalidArgumentError(ts.status().msg(), "closes_at");
        std::optional<Matter> matter;
        if (body.contains("matter")) {
          if (!body["matter"].is_number_integer()) return InvalidArgumentError("matter is 8 or 9", "matter");
          auto m = MatterFromItem(body["matter"].get<int64_t>());
          if (!m.ok()) return InvalidArgumentError("matter is 8 or 9", "matter");
          matter = *m;
        }
        ASSIGN_OR_RETURN(int64_t ballot, service.StartBallot(ctx.principal, id, FromUnix(ts->unix_seconds), matter));
        return web::Site::Json(201, {{"ballot_id", ballot}, {"url", "/api/v1/ballots/" + std::to_string(ballot)}});
      }));
  router.Add("GET", "/api/v1/elevator-projects/{id}/cost-shares",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(ProjectView v, service.View(ctx.principal, id));
               if (!v.costs) return NotFoundError(Msg("the cost shares of project {} are not set", id));
               return web::Site::Json(200, CostJson(*v.costs));
             }));
  router.Add("PUT", "/api/v1/elevator-projects/{id}/cost-shares",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"total_cost", "shares"}));
               std::string total_text;
               RETURN_IF_ERROR(Text(body, "total_cost", total_text, true));
               auto total = Money::Parse(total_text);
               if (!total.ok()) return InvalidArgumentError(total.status().msg(), "total_cost");
               if (!body.contains("shares") || !body["shares"].is_array() || body["shares"].size() > 500) {
                 return InvalidArgumentError("shares is a list of {\"floor\": 6, \"share\": \"25.00\"}", "shares");
               }
               std::vector<FloorShare> shares;
               for (const auto& s : body["shares"]) {
                 if (!s.is_object() || !s.contains("floor") || !s["floor"].is_number_integer() ||
                     !s.contains("share") || !s["share"].is_string() || s.size() != 2) {
                   return InvalidArgumentError("each share is {\"floor\": 6, \"share\": \"25.00\"} (a decimal string)",
                                               "shares");
                 }
                 auto share = Percent::Parse(s["share"].get<std::string>());
                 if (!share.ok()) return InvalidArgumentError(share.status().msg(), "shares");
                 shares.push_back({s["floor"].get<int64_t>(), *share});
               }
               ASSIGN_OR_RETURN(CostTable t, service.SetCostShares(ctx.principal, id, *total, shares));
               return web::Site::Json(200, CostJson(t));
             }));
  router.Add("POST", "/api/v1/elevator-projects/{id}/notice",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"published_on"}));
               std::string on;
               RETURN_IF_ERROR(Text(body, "published_on", on, false));
               ASSIGN_OR_RETURN(NoticeDates n, service.PublishNotice(ctx.principal, id, on));
               return web::Site::Json(200, NoticeJson(n));
             }));
  router.Add("POST", "/api/v1/elevator-projects/{id}/objections",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"received_on", "objector", "body"}));
               std::string on, objector, text;
               RETURN_IF_ERROR(Text(body, "received_on", on, true));
               RETURN_IF_ERROR(Text(body, "objector", objector, true));
               RETURN_IF_ERROR(Text(body, "body", text, true));
               ASSIGN_OR_RETURN(ObjectionRecord o, service.RecordObjection(ctx.principal, id, on, objector, text));
               return web::Site::Json(201, ObjectionJson(o));
             }));
  router.Add("POST", "/api/v1/elevator-projects/{id}/meetings",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"step", "meeting_id"}));
               std::string step_name;
               int64_t meeting = 0;
               RETURN_IF_ERROR(Text(body, "step", step_name, true));
               RETURN_IF_ERROR(Integer(body, "meeting_id", meeting, true));
               ASSIGN_OR_RETURN(Step step, ParseStep(step_name));
               RETURN_IF_ERROR(service.LinkMeeting(ctx.principal, id, step, meeting));
               return web::Site::Json(201, {{"step", step_name}, {"ref", "meeting:" + std::to_string(meeting)}});
             }));
}

}  // namespace ningju::decisions
