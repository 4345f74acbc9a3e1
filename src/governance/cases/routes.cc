#include "governance/cases/routes.h"

#include <charconv>
#include <cmath>

#include "common/text_util.h"

namespace ningju::cases {
namespace {

using json = nlohmann::json;

StatusOr<int> IntQuery(const http::Request& req, const char* name, int fallback) {
  auto text = req.Query(name);
  if (!text) return fallback;
  int v = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return InvalidArgumentError(Msg("{} must be a number", FieldName{name}), name);
  }
  return v;
}

StatusOr<std::optional<int64_t>> IdQuery(const http::Request& req, const char* name) {
  auto text = req.Query(name);
  if (!text || text->empty()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t id, ParseId(*text, name));
  return std::optional<int64_t>(id);
}

bool FlagQuery(const http::Request& req, const char* name) {
  auto v = req.Query(name);
  return v && (*v == "1" || *v == "true");
}

// Field readers: absent is fine, the wrong JSON type is refused by name.
Status ReadString(const json& body, const char* key, std::string* out) {
  if (!body.contains(key) || body[key].is_null()) return OkStatus();
  if (!body[key].is_string()) return InvalidArgumentError(Msg("{} must be a string", FieldName{key}), key);
  *out = body[key].get<std::string>();
  return OkStatus();
}
Status ReadId(const json& body, const char* key, std::optional<int64_t>* out) {
  if (!body.contains(key) || body[key].is_null()) return OkStatus();
  if (!body[key].is_number_integer() || body[key].get<int64_t>() <= 0) {
    return InvalidArgumentError(Msg("{} must be a positive integer", FieldName{key}), key);
  }
  *out = body[key].get<int64_t>();
  return OkStatus();
}
Status ReadBool(const json& body, const char* key, std::optional<bool>* out) {
  if (!body.contains(key) || body[key].is_null()) return OkStatus();
  if (!body[key].is_boolean()) return InvalidArgumentError(Msg("{} must be true or false", FieldName{key}), key);
  *out = body[key].get<bool>();
  return OkStatus();
}
Status ReadNumber(const json& body, const char* key, std::optional<double>* out) {
  if (!body.contains(key) || body[key].is_null()) return OkStatus();
  if (!body[key].is_number()) return InvalidArgumentError(Msg("{} must be a number", FieldName{key}), key);
  *out = body[key].get<double>();
  return OkStatus();
}

json PageJson(const std::vector<Case>& items, const std::string& next_cursor) {
  json out = json::array();
  for (const auto& c : items) out.push_back(c.ToJson());
  return {{"items", out}, {"next_cursor", next_cursor.empty() ? json(nullptr) : json(next_cursor)}};
}

const std::vector<std::string> kNewCaseFields = {"type",         "category",      "title",     "description", "area_id",
                                                 "unit_id",      "latitude",      "longitude", "urgency",     "channel",
                                                 "contact_name", "contact_phone", "public",    "unit_public"};
const std::vector<std::string> kActionFields = {"note",    "comment",        "lead_unit_id", "co_unit_ids",
                                                "complex", "extension_days", "resolved",     "satisfaction"};

// "2026-03-09" (Shanghai) -> the first instant of that day.
StatusOr<Instant> DateQuery(const http::Request& req, const char* name, Instant fallback) {
  auto text = req.Query(name);
  if (!text || text->empty()) return fallback;
  auto d = ParseCivilDate(*text);
  if (!d) return InvalidArgumentError(Msg("{} is a date YYYY-MM-DD", FieldName{name}), name);
  return StartOfShanghaiDay(*d);
}

}  // namespace

StatusOr<NewCase> NewCaseFromJson(const json& body) {
  NewCase n;
  n.channel = "api";
  RETURN_IF_ERROR(ReadString(body, "type", &n.type));
  RETURN_IF_ERROR(ReadString(body, "category", &n.category));
  RETURN_IF_ERROR(ReadString(body, "title", &n.title));
  RETURN_IF_ERROR(ReadString(body, "description", &n.description));
  std::optional<int64_t> area;
  RETURN_IF_ERROR(ReadId(body, "area_id", &area));
  if (!area) return InvalidArgumentError("area_id is required", "area_id");
  n.area_id = *area;
  RETURN_IF_ERROR(ReadId(body, "unit_id", &n.unit_id));
  RETURN_IF_ERROR(ReadNumber(body, "latitude", &n.latitude));
  RETURN_IF_ERROR(ReadNumber(body, "longitude", &n.longitude));
  RETURN_IF_ERROR(ReadString(body, "urgency", &n.urgency));
  RETURN_IF_ERROR(ReadString(body, "channel", &n.channel));
  RETURN_IF_ERROR(ReadString(body, "contact_name", &n.contact_name));
  RETURN_IF_ERROR(ReadString(body, "contact_phone", &n.contact_phone));
  std::optional<bool> is_public;
  RETURN_IF_ERROR(ReadBool(body, "public", &is_public));
  n.is_public = is_public.value_or(false);
  std::optional<bool> unit_public;
  RETURN_IF_ERROR(ReadBool(body, "unit_public", &unit_public));
  n.unit_public = unit_public.value_or(false);
  return n;
}

StatusOr<ActionInput> ActionInputFromJson(const json& body) {
  ActionInput in;
  RETURN_IF_ERROR(ReadString(body, "note", &in.note));
  if (in.note.empty()) RETURN_IF_ERROR(ReadString(body, "comment", &in.note));
  RETURN_IF_ERROR(ReadId(body, "lead_unit_id", &in.lead_unit_id));
  if (body.contains("co_unit_ids")) {
    const json& co = body["co_unit_ids"];
    if (!co.is_array()) return InvalidArgumentError("co_unit_ids must be an array of ids", "co_unit_ids");
    for (const auto& v : co) {
      if (!v.is_number_integer() || v.get<int64_t>() <= 0) {
        return InvalidArgumentError("co_unit_ids must be an array of ids", "co_unit_ids");
      }
      in.co_unit_ids.push_back(v.get<int64_t>());
    }
  }
  RETURN_IF_ERROR(ReadBool(body, "complex", &in.complex));
  if (body.contains("extension_days")) {
    if (!body["extension_days"].is_number_integer()) {
      return InvalidArgumentError("extension_days must be an integer", "extension_days");
    }
    const int64_t days = body["extension_days"].get<int64_t>();
    if (days < 1 || days > kMaxExtensionDays) {
      return InvalidArgumentError(Msg("extension_days is between 1 and {}", kMaxExtensionDays), "extension_days");
    }
    in.extension_days = static_cast<int>(days);
  }
  RETURN_IF_ERROR(ReadBool(body, "resolved", &in.resolved));
  RETURN_IF_ERROR(ReadString(body, "satisfaction", &in.satisfaction));
  return in;
}

void RegisterCaseApiRoutes(http::Router& router, const web::Site& site, CaseService& service) {
  // The gate of the actions of staff over the case's area, asked before the body is read.
  auto staff_on_case = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
    return service.CheckStaffOn(ctx.principal, id);
  };
  router.Add("POST", "/api/v1/cases",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, kNewCaseFields));
               ASSIGN_OR_RETURN(NewCase n, NewCaseFromJson(body));
               // Without a session or token: the anonymous-intake limit (intake_limits.h).
               IntakeLimiter& limiter = service.intake_limiter();
               ASSIGN_OR_RETURN(IntakeReservation slot,
                                limiter.Reserve(ctx.principal, n.channel, req.remote_address, n.contact_phone));
               if (slot.refusal) {
                 http::Response r = web::Site::JsonError(slot.refusal->ToStatus(), req.id);
                 r.SetHeader("Retry-After", std::to_string(slot.refusal->retry_after_seconds));
                 return r;
               }
               StatusOr<Case> submitted = service.Submit(ctx.principal, n);
               if (!submitted.ok()) {
                 limiter.Release(slot);
                 return submitted.status();
               }
               const Case& c = *submitted;
               http::Response r = web::Site::Json(201, c.ToJson());
               r.SetHeader("Location", "/api/v1/cases/" + std::to_string(c.id));
               return r;
             }),
             router.Blocking());  // waits for its group commit
  router.Add("GET", "/api/v1/cases",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               CaseFilter f;
               if (auto s = req.Query("state"); s && !s->empty()) {
                 f.state = ParseState(*s);
                 if (!f.state) return InvalidArgumentError(Msg("unknown state {}", QuoteForMessage(*s)), "state");
               }
               ASSIGN_OR_RETURN(f.area_id, IdQuery(req, "area"));
               ASSIGN_OR_RETURN(f.unit_id, IdQuery(req, "unit"));
               f.mine = FlagQuery(req, "mine");
               f.overdue = FlagQuery(req, "overdue");
               f.public_only = FlagQuery(req, "public");
               ASSIGN_OR_RETURN(int limit, IntQuery(req, "limit", 50));
               ASSIGN_OR_RETURN(auto page, service.List(ctx.principal, f, req.Query("cursor").value_or(""), limit));
               return web::Site::Json(200, PageJson(page.items, page.next_cursor));
             }));
  router.Add("GET", "/api/v1/cases/similar",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               SimilarQuery q;
               ASSIGN_OR_RETURN(auto area, IdQuery(req, "area"));
               if (!area) return InvalidArgumentError("area is required", "area");
               q.area_id = *area;
               ASSIGN_OR_RETURN(q.building_id, IdQuery(req, "building"));
               q.title = req.Query("title").value_or("");
               q.description = req.Query("description").value_or("");
               ASSIGN_OR_RETURN(q.limit, IntQuery(req, "limit", 5));
               ASSIGN_OR_RETURN(auto found, service.Similar(ctx.principal, q));
               json items = json::array();
               for (const auto& s : found) {
                 json j = s.c.ToJson();
                 j["score"] = std::round(s.score * 1000) / 1000;
                 j["same_building"] = s.same_building;
                 items.push_back(j);
               }
               return web::Site::Json(200, {{"items", items}});
             }));
  router.Add("GET", "/api/v1/cases/{id}",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(CaseDetail d, service.Get(ctx.principal, id));
               return web::Site::Json(200, d.ToJson());
             }));
  router.Add("POST", "/api/v1/cases/{id}/actions/{action}",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               auto action = ParseAction(req.Param("action"));
               if (!action) return NotFoundError(Msg("no action {}", QuoteForMessage(req.Param("action"))));
               json body = json::object();
               if (!req.body.empty()) {
                 ASSIGN_OR_RETURN(body, web::Site::JsonBody(req, kActionFields));
               }
               ASSIGN_OR_RETURN(ActionInput in, ActionInputFromJson(body));
               ASSIGN_OR_RETURN(Case c, service.Act(ctx.principal, id, *action, in));
               return web::Site::Json(200, c.ToJson());
             }));
  router.Add("POST", "/api/v1/cases/{id}/me-too",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(Case c, service.MeToo(ctx.principal, id));
               return web::Site::Json(200, c.ToJson());
             }));
  router.Add(
      "POST", "/api/v1/cases/{id}/merge",
      site.Api(staff_on_case, [&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
        ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"into", "note"}));
        std::optional<int64_t> into;
        RETURN_IF_ERROR(ReadId(body, "into", &into));
        if (!into) return InvalidArgumentError("into is required", "into");
        std::string note;
        RETURN_IF_ERROR(ReadString(body, "note", &note));
        ASSIGN_OR_RETURN(Case kept, service.Merge(ctx.principal, id, *into, note));
        return web::Site::Json(200, kept.ToJson());
      }));
  router.Add("GET", "/api/v1/cases/{id}/routing",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(RoutingProposal p, service.ProposeRouting(ctx.principal, id));
               return web::Site::Json(200, p.ToJson());
             }));
  router.Add(
      "POST", "/api/v1/cases/{id}/consultations/{consultation}/outcome",
      site.Api(staff_on_case, [&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
        ASSIGN_OR_RETURN(int64_t k, ParseId(req.Param("consultation"), "consultation"));
        ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"outcome"}));
        std::string outcome;
        RETURN_IF_ERROR(ReadString(body, "outcome", &outcome));
        ASSIGN_OR_RETURN(Consultation c, service.RecordConsultationOutcome(ctx.principal, id, k, outcome));
        return web::Site::Json(200, c.ToJson());
      }));
  router.Add("GET", "/api/v1/handling-units",
             site.Api([&service](http::Request&, web::RequestContext&) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(auto units, service.Units());
               json items = json::array();
               for (const auto& u : units) items.push_back(u.ToJson());
               return web::Site::Json(200, {{"items", items}});
             }));
  router.Add("GET", "/api/v1/handling-units/{id}/inbox",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(int limit, IntQuery(req, "limit", 50));
               ASSIGN_OR_RETURN(InboxView v, service.Inbox(ctx.principal, id, req.Query("cursor").value_or(""), limit));
               json body = PageJson(v.items, v.next_cursor);
               body["open"] = v.open;
               body["overdue"] = v.overdue;
               body["due_today"] = v.due_today;
               return web::Site::Json(200, body);
             }));
  router.Add("GET", "/api/v1/case-metrics",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               MetricsQuery q;
               q.group = req.Query("group").value_or("unit");
               // Default period: the 30 Shanghai days up to and including today.
               const Instant today = StartOfShanghaiDay(ShanghaiDate(service.Now()));
               ASSIGN_OR_RETURN(q.from, DateQuery(req, "from", today - std::chrono::days(29)));
               ASSIGN_OR_RETURN(Instant to, DateQuery(req, "to", today));
               q.to = to + std::chrono::days(1);  // `to` is inclusive
               ASSIGN_OR_RETURN(auto rows, service.Metrics(ctx.principal, q));
               json items = json::array();
               for (const auto& m : rows) items.push_back(m.ToJson());
               return web::Site::Json(
                   200, {{"group", q.group}, {"from", FormatUtc(q.from)}, {"to", FormatUtc(q.to)}, {"items", items}});
             }));
  router.Add("GET", "/api/v1/case-categories",
             site.Api([&service](http::Request&, web::RequestContext&) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(auto cats, service.Categories());
               json items = json::array();
               for (const auto& c : cats) items.push_back(c.ToJson());
               return web::Site::Json(200, {{"items", items}});
             }));
}

}  // namespace ningju::cases
