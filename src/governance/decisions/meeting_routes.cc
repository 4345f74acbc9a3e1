#include "governance/decisions/meeting_routes.h"

#include <charconv>
#include <map>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "auth/policy.h"
#include "common/text_util.h"
#include "common/time.h"
#include "governance/areas/area_filter.h"
#include "governance/decisions/ics.h"
#include "platform/index.h"
#include "record/record.h"
#include "web/number_format.h"

namespace ningju::decisions {
namespace {

using json = nlohmann::json;

StatusOr<int64_t> IdParam(const http::Request& req, const std::string& name) { return ParseId(req.Param(name), name); }

StatusOr<int> LimitParam(const http::Request& req, int fallback) {
  auto text = req.Query("limit");
  if (!text) return fallback;
  int limit = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return InvalidArgumentError("limit must be a number", "limit");
  }
  return limit;
}

// "2026-05-01 19:00–20:30" in Asia/Shanghai.
std::string When(const Meeting& m) {
  std::string out = FormatShanghai(m.starts_at) + "–";
  if (ShanghaiDate(m.starts_at) != ShanghaiDate(m.ends_at)) out += FormatShanghaiDate(m.ends_at) + " ";
  return out + FormatShanghaiClock(m.ends_at);
}

std::map<std::string, MeetingKind> KindMap(MeetingService& service) {
  std::map<std::string, MeetingKind> out;
  auto kinds = service.Kinds(true);
  if (kinds.ok()) {
    for (auto& k : *kinds) out[k.code] = k;
  }
  return out;
}

std::string KindLabel(const std::map<std::string, MeetingKind>& kinds, const std::string& code,
                      const std::string& locale) {
  auto it = kinds.find(code);
  return it == kinds.end() ? code : it->second.Name(locale);
}

// One meeting in a list; `here` is the area the list is about (its own name is left out of the row).
json MeetingRow(const web::Site& site, const web::RequestContext& ctx, const std::map<std::string, MeetingKind>& kinds,
                const Meeting& m, int64_t here) {
  return {{"id", m.id},
          {"subject", m.subject},
          {"kind_label", KindLabel(kinds, m.kind, ctx.locale)},
          {"state", MeetingStateName(m.state)},
          {"state_label", site.T(ctx, "mtg_state_" + std::string(MeetingStateName(m.state)))},
          {"when", When(m)},
          {"place", m.place},
          {"area_name", m.area_id == here ? "" : m.area_name}};
}

std::vector<std::string> MeetingStateNames() { return {"draft", "noticed", "held", "minuted", "cancelled"}; }

// Splits the agenda textarea into items: one a line, blank lines skipped.
std::vector<std::string> AgendaLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view item = Trim(std::string_view(text).substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

// "case:12 project:3" (spaces, commas or lines between) -> refers_to links.
std::vector<std::pair<std::string, std::string>> LinkWords(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back({"refers_to", word});
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '\n' || c == '\r' || c == '\t') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

std::string LinksText(const Meeting& m) {
  std::string out;
  const std::string self = record::Ref("meeting", m.id);
  for (const auto& l : m.links) {
    if (l.from_ref != self) continue;
    out += (out.empty() ? "" : " ") + l.to_ref;
  }
  return out;
}

// The meeting form from the request's fields.
StatusOr<MeetingInput> FormInput(const web::RequestContext& ctx) {
  MeetingInput in;
  in.kind = web::Site::Field(ctx, "kind");
  in.subject = web::Site::Field(ctx, "subject");
  ASSIGN_OR_RETURN(in.area_id, ParseId(web::Site::Field(ctx, "area_id"), "area_id"));
  in.convener = std::string(Trim(web::Site::Field(ctx, "convener")));
  const std::string date = web::Site::Field(ctx, "date");
  ASSIGN_OR_RETURN(in.starts_at, ParseShanghaiTime(date, web::Site::Field(ctx, "start_time"), "start_time"));
  ASSIGN_OR_RETURN(in.ends_at, ParseShanghaiTime(date, web::Site::Field(ctx, "end_time"), "end_time"));
  // A meeting that runs past midnight ends on the next day.
  if (in.ends_at <= in.starts_at) in.ends_at += std::chrono::hours(24);
  in.place = web::Site::Field(ctx, "place");
  in.description = web::Site::Field(ctx, "description");
  in.agenda = AgendaLines(web::Site::Field(ctx, "agenda"));
  in.links = LinkWords(web::Site::Field(ctx, "links"));
  return in;
}

bool IsFormProblem(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kFailedPrecondition ||
         s.code() == StatusCode::kNotFound;
}

StatusOr<http::Response> FormPage(const web::Site& site, MeetingService& service, web::RequestContext& ctx,
                                  int64_t neighborhood_id, const Meeting* existing, json values,
                                  const std::string& error, int status) {
  ASSIGN_OR_RETURN(auto places, service.Places(neighborhood_id));
  ASSIGN_OR_RETURN(auto kinds, service.Kinds(false));
  json data;
  data["neighborhood"] = {{"id", neighborhood_id}, {"name", places.front().name}};
  data["error"] = error;
  data["is_edit"] = existing != nullptr;
  data["action"] = existing ? "/meetings/" + std::to_string(existing->id) + "/edit"
                            : "/neighborhoods/" + std::to_string(neighborhood_id) + "/meetings";
  if (existing) data["meeting"] = {{"id", existing->id}, {"subject", existing->subject}};
  const std::string kind = values.value("kind", "");
  data["kinds"] = json::array();
  for (const auto& k : kinds) {
    data["kinds"].push_back({{"value", k.code}, {"label", k.Name(ctx.locale)}, {"selected", k.code == kind}});
  }
  const std::string area = values.value("area_id", "");
  data["places"] = json::array();
  for (const auto& p : places) {
    data["places"].push_back({{"value", p.id}, {"label", p.name}, {"selected", std::to_string(p.id) == area}});
  }
  data["values"] = std::move(values);
  const std::string title = existing ? site.T(ctx, "mtg_edit") : site.T(ctx, "mtg_new");
  return site.Page(ctx, "meetings/form", data, title, status);
}

json ValuesOf(const Meeting& m) {
  std::string agenda;
  for (const auto& a : m.agenda) agenda += a + "\n";
  return {{"kind", m.kind},
          {"subject", m.subject},
          {"area_id", std::to_string(m.area_id)},
          {"date", FormatShanghaiDate(m.starts_at)},
          {"start_time", FormatShanghaiClock(m.starts_at)},
          {"end_time", FormatShanghaiClock(m.ends_at)},
          {"place", m.place},
          {"description", m.description},
          {"agenda", agenda},
          {"links", LinksText(m)},
          {"convener", ""}};
}

json ValuesOf(const web::RequestContext& ctx) {
  json v = json::object();
  for (const char* key : {"kind", "subject", "area_id", "date", "start_time", "end_time", "place", "description",
                          "agenda", "links", "convener"}) {
    v[key] = web::Site::Field(ctx, key);
  }
  return v;
}

StatusOr<http::Response> RenderMeeting(const web::Site& site, MeetingService& service, web::RequestContext& ctx,
                                       int64_t id) {
  ASSIGN_OR_RETURN(Meeting m, service.Get(ctx.principal, id));
  const auto kinds = KindMap(service);
  const std::string& loc = ctx.locale;
  json data;
  data["meeting"] = {{"id", m.id},
                     {"subject", m.subject},
                     {"kind_label", KindLabel(kinds, m.kind, loc)},
                     {"state", MeetingStateName(m.state)},
                     {"state_label", site.T(ctx, "mtg_state_" + std::string(MeetingStateName(m.state)))},
                     {"when", When(m)},
                     {"place", m.place},
                     {"area_name", m.area_name},
                     {"neighborhood_id", m.neighborhood_id},
                     {"neighborhood_name", m.neighborhood_name},
                     {"convener", m.convener.name},
                     {"description", m.description},
                     {"cancel_reason", m.cancel_reason},
                     {"registered", web::FormatNumber(m.registered_count)},
                     {"attendance_total", web::FormatNumber(m.attendance_total)},
                     {"minutes", m.minutes.value_or("")},
                     {"due_min", FormatShanghaiDate(m.starts_at)}};
  data["agenda"] = m.agenda;
  data["links"] = json::array();
  for (const auto& l : m.links) {
    const bool outgoing = l.from_ref == record::Ref("meeting", m.id);
    data["links"].push_back(
        {{"relation", site.T(ctx, "mtg_relation_" + l.relation)}, {"ref", outgoing ? l.to_ref : l.from_ref}});
  }
  data["attendance"] = json::array();
  for (const auto& [role, n] : m.attendance) {
    data["attendance"].push_back(
        {{"label", site.T(ctx, "mtg_role_" + std::string(AttendeeRoleName(role)))}, {"count", web::FormatNumber(n)}});
  }
  data["decisions"] = json::array();
  for (const auto& d : m.decisions) {
    json item = {{"text", d.text}};
    if (d.votes_for) {
      item["hands"] = {{"for", web::FormatNumber(*d.votes_for)},
                       {"against", web::FormatNumber(d.votes_against.value_or(0))},
                       {"abstain", web::FormatNumber(d.votes_abstain.value_or(0))}};
    }
    data["decisions"].push_back(item);
  }
  data["actions"] = json::array();
  for (const auto& a : m.actions) {
    data["actions"].push_back(
        {{"id", a.id},
         {"title", a.title},
         {"assignee", a.assignee.name},
         {"due_date", a.due_date},
         {"done", a.done},
         {"can_toggle", m.can_manage || (ctx.principal.signed_in() && ctx.principal.user_id == a.assignee.user_id)}});
  }
  std::set<int64_t> signed_in;
  data["attendees"] = json::array();
  for (const auto& a : m.attendees) {
    if (a.user_id) signed_in.insert(*a.user_id);
    data["attendees"].push_back({{"name", a.name},
                                 {"role_label", site.T(ctx, "mtg_role_" + std::string(AttendeeRoleName(a.role)))},
                                 {"time", FormatShanghaiClock(a.at)}});
  }
  data["registrations"] = json::array();
  for (const auto& r : m.registrations) {
    data["registrations"].push_back({{"user_id", r.person.user_id},
                                     {"name", r.person.name},
                                     {"role_label", site.T(ctx, "mtg_role_" + r.role)},
                                     {"signed_in", signed_in.count(r.person.user_id) > 0}});
  }
  data["roles"] = json::array();
  for (AttendeeRole role : AllAttendeeRoles()) {
    data["roles"].push_back(
        {{"value", AttendeeRoleName(role)}, {"label", site.T(ctx, "mtg_role_" + std::string(AttendeeRoleName(role)))}});
  }
  const MeetingState s = m.state;
  const bool manage = m.can_manage;
  data["can_manage"] = manage;
  data["can_register"] = m.can_register;
  data["viewer_registered"] = m.viewer_registered;
  data["record_visible"] = m.record_visible;
  data["is_cancelled"] = s == MeetingState::kCancelled;
  data["can_edit"] = manage && (s == MeetingState::kDraft || s == MeetingState::kNoticed);
  data["can_notice"] = manage && s == MeetingState::kDraft;
  data["can_cancel"] = manage && (s == MeetingState::kDraft || s == MeetingState::kNoticed);
  data["can_sign_in"] = manage && (s == MeetingState::kNoticed || s == MeetingState::kHeld);
  data["can_minutes"] = manage && (s == MeetingState::kNoticed || s == MeetingState::kHeld);
  data["can_decide"] = manage && s == MeetingState::kHeld;
  data["can_act"] = manage && (s == MeetingState::kHeld || s == MeetingState::kMinuted);
  data["show_attendance"] = s == MeetingState::kHeld || s == MeetingState::kMinuted;
  data["sign_in_required"] = !ctx.principal.signed_in() && s == MeetingState::kNoticed;
  data["follow_ref"] = record::Ref("meeting", m.id);  // the follow button (src/platform/notify)
  return site.Page(ctx, "meetings/meeting", data, m.subject);
}

http::Response Back(int64_t id, const char* anchor = "") {
  return http::Response::Redirect("/meetings/" + std::to_string(id) + anchor);
}

// Reads an optional whole number of a form ("" is none).
StatusOr<std::optional<int64_t>> FormCount(const web::RequestContext& ctx, const std::string& name) {
  std::string text(Trim(web::Site::Field(ctx, name)));
  if (text.empty()) return std::optional<int64_t>();
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError(Msg("{} must be a whole number", FieldName{name}), name);
  }
  return std::optional<int64_t>(v);
}

// JSON body helpers.
StatusOr<std::string> JsonString(const json& body, const char* key, bool required) {
  if (!body.contains(key)) {
    if (required) return InvalidArgumentError(Msg("{} is required", FieldName{key}), key);
    return std::string();
  }
  if (!body[key].is_string()) return InvalidArgumentError(Msg("{} must be a string", FieldName{key}), key);
  return body[key].get<std::string>();
}

StatusOr<std::optional<int64_t>> JsonCount(const json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::optional<int64_t>();
  if (!body[key].is_number_integer()) return InvalidArgumentError(Msg("{} must be an integer", FieldName{key}), key);
  return std::optional<int64_t>(body[key].get<int64_t>());
}

StatusOr<Instant> JsonInstant(const json& body, const char* key) {
  ASSIGN_OR_RETURN(std::string text, JsonString(body, key, true));
  auto t = ParseTimestamp(text);
  if (!t.ok()) return InvalidArgumentError(t.status().msg(), key);
  return t->instant();
}

const std::vector<std::string> kMeetingFields = {"kind",    "subject", "area_id",     "convener", "starts_at",
                                                 "ends_at", "place",   "description", "agenda",   "links"};

StatusOr<MeetingInput> JsonInput(const json& body) {
  MeetingInput in;
  ASSIGN_OR_RETURN(in.kind, JsonString(body, "kind", true));
  ASSIGN_OR_RETURN(in.subject, JsonString(body, "subject", true));
  if (!body.contains("area_id") || !body["area_id"].is_number_integer()) {
    return InvalidArgumentError("area_id must be an integer", "area_id");
  }
  in.area_id = body["area_id"].get<int64_t>();
  ASSIGN_OR_RETURN(in.convener, JsonString(body, "convener", false));
  ASSIGN_OR_RETURN(in.starts_at, JsonInstant(body, "starts_at"));
  ASSIGN_OR_RETURN(in.ends_at, JsonInstant(body, "ends_at"));
  ASSIGN_OR_RETURN(in.place, JsonString(body, "place", true));
  ASSIGN_OR_RETURN(in.description, JsonString(body, "description", false));
  if (body.contains("agenda")) {
    if (!body["agenda"].is_array()) return InvalidArgumentError("agenda must be an array of strings", "agenda");
    for (const auto& item : body["agenda"]) {
      if (!item.is_string()) return InvalidArgumentError("agenda must be an array of strings", "agenda");
      if (in.agenda.size() > 100) return InvalidArgumentError("too many agenda items", "agenda");
      in.agenda.push_back(item.get<std::string>());
    }
  }
  if (body.contains("links")) {
    if (!body["links"].is_array()) return InvalidArgumentError("links must be an array", "links");
    for (const auto& item : body["links"]) {
      if (in.links.size() > 100) return InvalidArgumentError("too many links", "links");
      if (item.is_string()) {
        in.links.push_back({"refers_to", item.get<std::string>()});
      } else if (item.is_object() && item.contains("ref") && item["ref"].is_string() &&
                 (!item.contains("relation") || item["relation"].is_string())) {
        in.links.push_back({item.value("relation", "refers_to"), item["ref"].get<std::string>()});
      } else {
        return InvalidArgumentError("a link is \"case:12\" or {\"relation\": ..., \"ref\": ...}", "links");
      }
    }
  }
  return in;
}

http::Response MeetingJson(int status, const Meeting& m) { return web::Site::Json(status, m.ToJson()); }

}  // namespace

platform::HomeCardFn MeetingHomeCard(const web::Site& site, MeetingService& service) {
  return [&site, &service](web::RequestContext& ctx) -> StatusOr<std::optional<platform::HomeCard>> {
    const auto kinds = KindMap(service);
    platform::HomeCard card{"meetings", "meetings/home_card"};
    auto rows = [&](const MeetingFilter& f) -> StatusOr<json> {
      ASSIGN_OR_RETURN(auto page, service.List(ctx.principal, f, "", 5));
      json out = json::array();
      for (const auto& m : page.items) out.push_back(MeetingRow(site, ctx, kinds, m, 0));
      return out;
    };
    MeetingFilter noticed;
    noticed.state = MeetingState::kNoticed;
    noticed.upcoming = true;
    if (!ctx.principal.has_account()) {
      ASSIGN_OR_RETURN(card.data["upcoming"], rows(noticed));  // the district's: public
      return card;
    }
    noticed.of_my_neighborhoods = true;
    ASSIGN_OR_RETURN(card.data["upcoming"], rows(noticed));
    MeetingFilter managed;
    managed.managed = true;
    managed.upcoming = true;
    ASSIGN_OR_RETURN(card.data["managed"], rows(managed));
    // The convener alone manages a meeting too: only staff see this list when it is empty.
    card.data["is_staff"] = ctx.principal.HasPermissionSomewhere(auth::Permission::kEditArea);
    return card;
  };
}

void RegisterMeetingRoutes(http::Router& router, const web::Site& site, MeetingService& service,
                           areas::AreaService& areas) {
  // ---- Pages.
  // Gates (web::Site): who may take the action, asked before the route reads its input.
  auto may_create = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    return service.CheckCreate(ctx.principal, id);
  };
  auto may_create_somewhere = [](const http::Request&, const web::RequestContext& ctx) -> Status {
    return auth::policy::RequireSomewhere(ctx.principal, auth::policy::Action::kManageMeeting);
  };
  auto may_manage = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    return service.CheckManage(ctx.principal, id);
  };
  auto may_tick = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    ASSIGN_OR_RETURN(int64_t action_id, IdParam(req, "action_id"));
    return service.CheckSetActionDone(ctx.principal, id, action_id);
  };
  auto may_manage_kinds = [&service](const http::Request&, const web::RequestContext& ctx) -> Status {
    return service.CheckManageKinds(ctx.principal);
  };
  router.Add("GET", "/meetings",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               MeetingFilter filter;
               ASSIGN_OR_RETURN(filter.area_id, areas::ParseAreaParam(areas, req.Query("area")));
               ASSIGN_OR_RETURN(std::string state, platform::StateParam(req, MeetingStateNames()));
               if (!state.empty()) filter.state = ParseMeetingState(state);
               ASSIGN_OR_RETURN(auto page, service.List(ctx.principal, filter, req.Query("cursor").value_or(""), 50));
               const auto kinds = KindMap(service);
               json data;
               ASSIGN_OR_RETURN(data["filter"], areas::AreaFilterView(areas, "/meetings", filter.area_id));
               data["base"] = "/meetings";
               data["states"] = platform::StateOptions(site, ctx, "mtg_state_", MeetingStateNames(), state);
               data["meetings"] = json::array();
               for (const auto& m : page.items) data["meetings"].push_back(MeetingRow(site, ctx, kinds, m, 0));
               data["next_cursor"] = page.next_cursor;
               data["query"] = platform::FilterQuery(filter.area_id, state);
               return site.Page(ctx, "meetings/index", data, site.T(ctx, "mtg_meetings"));
             }));
  router.Add("GET", "/neighborhoods/{id}/meetings",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(auto places, service.Places(id));
               ASSIGN_OR_RETURN(auto page, service.List(ctx.principal, id, req.Query("cursor").value_or(""), 50));
               const auto kinds = KindMap(service);
               json data;
               data["neighborhood"] = {{"id", id}, {"name", places.front().name}};
               data["meetings"] = json::array();
               for (const auto& m : page.items) data["meetings"].push_back(MeetingRow(site, ctx, kinds, m, id));
               data["next_cursor"] = page.next_cursor;
               // Creating needs kEditArea on the neighborhood; the service checks again on submit.
               data["can_create"] = service.MayCreate(ctx.principal, id);
               data["ics"] = "/neighborhoods/" + std::to_string(id) + "/meetings.ics";
               return site.Page(ctx, "meetings/list", data, site.T(ctx, "mtg_meetings") + " · " + places.front().name);
             }));
  router.Add("GET", "/neighborhoods/{id}/meetings.ics",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(auto places, service.Places(id));
               ASSIGN_OR_RETURN(auto meetings, service.Calendar(id));
               const auto kinds = KindMap(service);
               std::string host = site.options().base_url;
               if (auto p = host.find("://"); p != std::string::npos) host = host.substr(p + 3);
               if (auto p = host.find_first_of("/:"); p != std::string::npos) host = host.substr(0, p);
               std::vector<IcsEvent> events;
               for (const auto& m : meetings) {
                 const std::string kind = KindLabel(kinds, m.kind, ctx.locale);
                 std::string description = kind;
                 if (m.state == MeetingState::kCancelled) {
                   description += "\n" + site.T(ctx, "mtg_state_cancelled") + ": " + m.cancel_reason;
                 }
                 if (!m.agenda.empty()) description += "\n" + site.T(ctx, "mtg_agenda") + ":";
                 for (size_t i = 0; i < m.agenda.size(); ++i) {
                   description += "\n" + std::to_string(i + 1) + ". " + m.agenda[i];
                 }
                 if (!m.description.empty()) description += "\n\n" + m.description;
                 events.push_back({"meeting-" + std::to_string(m.id) + "@" + host, m.updated_at, m.starts_at, m.ends_at,
                                   kind + "：" + m.subject,
                                   m.place + (m.area_id != m.neighborhood_id ? "（" + m.area_name + "）" : ""),
                                   description, site.options().base_url + "/meetings/" + std::to_string(m.id),
                                   m.state == MeetingState::kCancelled, m.sequence});
               }
               http::Response resp;
               resp.status = 200;
               resp.body = WriteCalendar("-//ningju//meetings//ZH",
                                         places.front().name + " " + site.T(ctx, "mtg_meetings"), events);
               resp.SetHeader("Content-Type", "text/calendar; charset=utf-8");
               resp.SetHeader("Content-Disposition", "inline; filename=\"meetings-" + std::to_string(id) + ".ics\"");
               resp.SetHeader("Cache-Control", "public, max-age=300");
               return resp;
             }));
  router.Add("GET", "/neighborhoods/{id}/meetings/new",
             site.Web(may_create, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               json values = {{"area_id", std::to_string(id)}, {"start_time", "19:00"}, {"end_time", "20:30"}};
               return FormPage(site, service, ctx, id, nullptr, values, "", 200);
             }));
  router.Add("POST", "/neighborhoods/{id}/meetings",
             site.Web(may_create, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               auto input = FormInput(ctx);
               Status problem = input.status();
               if (input.ok()) {
                 auto created = service.Create(ctx.principal, *input);
                 if (created.ok()) return Back(created->id);
                 problem = created.status();
               }
               if (!IsFormProblem(problem)) return problem;
               return FormPage(site, service, ctx, id, nullptr, ValuesOf(ctx), site.ErrorText(ctx, problem),
                               web::HttpStatusFor(problem.code()));
             }));
  router.Add("GET", "/meetings/{id}",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               return RenderMeeting(site, service, ctx, id);
             }));
  router.Add("GET", "/meetings/{id}/edit",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Meeting m, service.Get(ctx.principal, id));
               if (!m.can_manage) {
                 if (ctx.principal.anonymous()) return UnauthenticatedError("sign in first");
                 return PermissionDeniedError("only the staff of the area or the convener may edit");
               }
               return FormPage(site, service, ctx, m.neighborhood_id, &m, ValuesOf(m), "", 200);
             }));
  router.Add("POST", "/meetings/{id}/edit",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Meeting m, service.Get(ctx.principal, id));
               auto input = FormInput(ctx);
               Status problem = input.status();
               if (input.ok()) {
                 auto updated = service.Update(ctx.principal, id, *input);
                 if (updated.ok()) return Back(id);
                 problem = updated.status();
               }
               if (!IsFormProblem(problem)) return problem;
               return FormPage(site, service, ctx, m.neighborhood_id, &m, ValuesOf(ctx), site.ErrorText(ctx, problem),
                               web::HttpStatusFor(problem.code()));
             }));
  router.Add("POST", "/meetings/{id}/notice",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service.Notice(ctx.principal, id));
               return Back(id);
             }));
  router.Add("POST", "/meetings/{id}/register",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service.Register(ctx.principal, id));
               return Back(id);
             }));
  router.Add("POST", "/meetings/{id}/sign-in",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               SignInInput in;
               const std::string user = web::Site::Field(ctx, "user_id");
               if (!user.empty()) {
                 ASSIGN_OR_RETURN(in.user_id, ParseId(user, "user_id"));
               }
               in.login = web::Site::Field(ctx, "login");
               in.name = web::Site::Field(ctx, "name");
               in.role = web::Site::Field(ctx, "role");
               RETURN_IF_ERROR(service.SignIn(ctx.principal, id, in));
               return Back(id, "#sign-in");
             }));
  router.Add("POST", "/meetings/{id}/minutes",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service.SaveMinutes(ctx.principal, id, web::Site::Field(ctx, "minutes"),
                                                   web::Site::Field(ctx, "publish") == "1"));
               return Back(id, "#minutes");
             }));
  router.Add("POST", "/meetings/{id}/decisions",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               DecisionInput in;
               in.text = web::Site::Field(ctx, "text");
               ASSIGN_OR_RETURN(in.votes_for, FormCount(ctx, "votes_for"));
               ASSIGN_OR_RETURN(in.votes_against, FormCount(ctx, "votes_against"));
               ASSIGN_OR_RETURN(in.votes_abstain, FormCount(ctx, "votes_abstain"));
               RETURN_IF_ERROR(service.AddDecision(ctx.principal, id, in));
               return Back(id, "#decisions");
             }));
  router.Add("POST", "/meetings/{id}/actions",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ActionInput in{web::Site::Field(ctx, "title"), web::Site::Field(ctx, "assignee"),
                              web::Site::Field(ctx, "due_date")};
               RETURN_IF_ERROR(service.AddAction(ctx.principal, id, in));
               return Back(id, "#actions");
             }));
  router.Add(
      "POST", "/meetings/{id}/actions/{action_id}",
      site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
        ASSIGN_OR_RETURN(int64_t action_id, IdParam(req, "action_id"));
        RETURN_IF_ERROR(service.SetActionDone(ctx.principal, id, action_id, web::Site::Field(ctx, "done") == "1"));
        return Back(id, "#actions");
      }));
  router.Add("POST", "/meetings/{id}/cancel",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service.Cancel(ctx.principal, id, web::Site::Field(ctx, "reason")));
               return Back(id);
             }));

  // ---- JSON API.
  router.Add("GET", "/api/v1/meeting-kinds",
             site.Api([&](http::Request& req, web::RequestContext&) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(auto kinds, service.Kinds(req.Query("all").value_or("") == "1"));
               json items = json::array();
               for (const auto& k : kinds) items.push_back(k.ToJson());
               return web::Site::Json(200, {{"items", items}});
             }));
  router.Add("POST", "/api/v1/meeting-kinds",
             site.Api(may_manage_kinds, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"code", "name_zh", "name_en", "notice_days",
                                                                     "sort_key", "active"}));
               MeetingKind k;
               ASSIGN_OR_RETURN(k.code, JsonString(body, "code", true));
               ASSIGN_OR_RETURN(k.name_zh, JsonString(body, "name_zh", true));
               ASSIGN_OR_RETURN(k.name_en, JsonString(body, "name_en", true));
               ASSIGN_OR_RETURN(auto days, JsonCount(body, "notice_days"));
               ASSIGN_OR_RETURN(auto sort, JsonCount(body, "sort_key"));
               if (days && (*days < 0 || *days > 90))
                 return InvalidArgumentError("notice_days is 0 to 90", "notice_days");
               if (sort && (*sort < 0 || *sort > 1000))
                 return InvalidArgumentError("sort_key is 0 to 1000", "sort_key");
               k.notice_days = static_cast<int>(days.value_or(0));
               k.sort_key = static_cast<int>(sort.value_or(100));
               if (body.contains("active")) {
                 if (!body["active"].is_boolean())
                   return InvalidArgumentError("active must be true or false", "active");
                 k.active = body["active"].get<bool>();
               }
               ASSIGN_OR_RETURN(MeetingKind saved, service.SaveKind(ctx.principal, k));
               return web::Site::Json(200, saved.ToJson());
             }));
  router.Add("GET", "/api/v1/meetings",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               auto nb = req.Query("neighborhood");
               if (!nb) return InvalidArgumentError("neighborhood is required", "neighborhood");
               ASSIGN_OR_RETURN(int64_t id, ParseId(*nb, "neighborhood"));
               ASSIGN_OR_RETURN(int limit, LimitParam(req, 50));
               ASSIGN_OR_RETURN(auto page, service.List(ctx.principal, id, req.Query("cursor").value_or(""), limit));
               json items = json::array();
               for (const auto& m : page.items) {
                 json j = m.ToJson();
                 // A list item carries no per-viewer details.
                 for (const char* key :
                      {"registered", "viewer_registered", "attendance", "minutes", "can_register", "links", "agenda"}) {
                   j.erase(key);
                 }
                 items.push_back(std::move(j));
               }
               return web::Site::Json(
                   200, {{"items", items},
                         {"next_cursor", page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor)}});
             }));
  router.Add(
      "POST", "/api/v1/meetings",
      site.Api(may_create_somewhere, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, kMeetingFields));
        ASSIGN_OR_RETURN(MeetingInput in, JsonInput(body));
        ASSIGN_OR_RETURN(Meeting m, service.Create(ctx.principal, in));
        return MeetingJson(201, m);
      }));
  router.Add("GET", "/api/v1/meetings/{id}",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Meeting m, service.Get(ctx.principal, id));
               return MeetingJson(200, m);
             }));
  router.Add("PUT", "/api/v1/meetings/{id}",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, kMeetingFields));
               ASSIGN_OR_RETURN(MeetingInput in, JsonInput(body));
               ASSIGN_OR_RETURN(Meeting m, service.Update(ctx.principal, id, in));
               return MeetingJson(200, m);
             }));
  router.Add("POST", "/api/v1/meetings/{id}/notice",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Meeting m, service.Notice(ctx.principal, id));
               return MeetingJson(200, m);
             }));
  router.Add("POST", "/api/v1/meetings/{id}/register",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Meeting m, service.Register(ctx.principal, id));
               return MeetingJson(200, m);
             }));
  router.Add("POST", "/api/v1/meetings/{id}/sign-in",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"user_id", "login", "name", "role"}));
               SignInInput in;
               ASSIGN_OR_RETURN(auto user, JsonCount(body, "user_id"));
               in.user_id = user.value_or(0);
               ASSIGN_OR_RETURN(in.login, JsonString(body, "login", false));
               ASSIGN_OR_RETURN(in.name, JsonString(body, "name", false));
               ASSIGN_OR_RETURN(in.role, JsonString(body, "role", false));
               ASSIGN_OR_RETURN(Meeting m, service.SignIn(ctx.principal, id, in));
               return MeetingJson(200, m);
             }));
  router.Add("POST", "/api/v1/meetings/{id}/minutes",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"text", "publish"}));
               ASSIGN_OR_RETURN(std::string text, JsonString(body, "text", true));
               bool publish = false;
               if (body.contains("publish")) {
                 if (!body["publish"].is_boolean()) return InvalidArgumentError("publish is true or false", "publish");
                 publish = body["publish"].get<bool>();
               }
               ASSIGN_OR_RETURN(Meeting m, service.SaveMinutes(ctx.principal, id, text, publish));
               return MeetingJson(200, m);
             }));
  router.Add("POST", "/api/v1/meetings/{id}/decisions",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"text", "for", "against", "abstain"}));
               DecisionInput in;
               ASSIGN_OR_RETURN(in.text, JsonString(body, "text", true));
               ASSIGN_OR_RETURN(in.votes_for, JsonCount(body, "for"));
               ASSIGN_OR_RETURN(in.votes_against, JsonCount(body, "against"));
               ASSIGN_OR_RETURN(in.votes_abstain, JsonCount(body, "abstain"));
               ASSIGN_OR_RETURN(Meeting m, service.AddDecision(ctx.principal, id, in));
               return MeetingJson(201, m);
             }));
  router.Add("POST", "/api/v1/meetings/{id}/actions",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"title", "assignee", "due_date"}));
               ActionInput in;
               ASSIGN_OR_RETURN(in.title, JsonString(body, "title", true));
               ASSIGN_OR_RETURN(in.assignee, JsonString(body, "assignee", true));
               ASSIGN_OR_RETURN(in.due_date, JsonString(body, "due_date", true));
               ASSIGN_OR_RETURN(Meeting m, service.AddAction(ctx.principal, id, in));
               return MeetingJson(201, m);
             }));
  router.Add("PATCH", "/api/v1/meetings/{id}/actions/{action_id}",
             site.Api(may_tick, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(int64_t action_id, IdParam(req, "action_id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"done"}));
               if (!body.contains("done") || !body["done"].is_boolean()) {
                 return InvalidArgumentError("done is true or false", "done");
               }
               ASSIGN_OR_RETURN(Meeting m,
                                service.SetActionDone(ctx.principal, id, action_id, body["done"].get<bool>()));
               return MeetingJson(200, m);
             }));
  router.Add("POST", "/api/v1/meetings/{id}/cancel",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"reason"}));
               ASSIGN_OR_RETURN(std::string reason, JsonString(body, "reason", false));
               ASSIGN_OR_RETURN(Meeting m, service.Cancel(ctx.principal, id, reason));
               return MeetingJson(200, m);
             }));
}

}  // namespace ningju::decisions
