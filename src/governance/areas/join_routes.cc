#include "governance/areas/join_routes.h"

#include <nlohmann/json.hpp>

#include "common/text_util.h"

namespace ningju::areas {
namespace {

using json = nlohmann::json;

json ViewJson(const JoinRequestView& v) {
  json j = {{"id", v.id},
            {"user_id", v.user_id},
            {"account", v.account},
            {"neighborhood_id", v.neighborhood_id},
            {"neighborhood", v.neighborhood_name},
            {"building_id", v.building_id ? json(*v.building_id) : json(nullptr)},
            {"building", v.building_name},
            {"unit_number", v.unit},
            {"message", v.message},
            {"state", JoinStateName(v.state)},
            {"created_at", FormatUtc(v.created_at)},
            {"decided_at", v.decided_at ? json(FormatUtc(*v.decided_at)) : json(nullptr)},
            {"reason", v.reason},
            {"owner_id", v.owner_id ? json(*v.owner_id) : json(nullptr)}};
  if (!v.phone.empty()) j["phone"] = v.phone;
  return j;
}

json ItemsJson(const std::vector<JoinRequestView>& views) {
  json items = json::array();
  for (const auto& v : views) items.push_back(ViewJson(v));
  return {{"items", items}};
}

// What a page shows of a request: the API's fields with times in Asia/Shanghai and the state in words.
json PageJson(const web::Site& site, const web::RequestContext& ctx, const JoinRequestView& v) {
  json j = ViewJson(v);
  j["created"] = FormatShanghai(v.created_at).substr(0, 16);
  j["decided"] = v.decided_at ? FormatShanghai(*v.decided_at).substr(0, 16) : "";
  j["state_label"] = site.T(ctx, "join_state_" + std::string(JoinStateName(v.state)));
  j["pending"] = v.state == JoinState::kPending;
  j["refused"] = v.state == JoinState::kRefused;
  j["where"] = v.building_name.empty() ? v.unit : v.building_name + (v.unit.empty() ? "" : " " + v.unit);
  return j;
}

StatusOr<std::string> TextField(const json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::string();
  if (!body[key].is_string()) return InvalidArgumentError(Msg("{} must be a string", FieldName{key}), key);
  return body[key].get<std::string>();
}

StatusOr<std::optional<int64_t>> IdField(const json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::optional<int64_t>();
  if (!body[key].is_number_integer() || body[key].get<int64_t>() <= 0) {
    return InvalidArgumentError(Msg("{} must be a positive integer", FieldName{key}), key);
  }
  return std::optional<int64_t>(body[key].get<int64_t>());
}

// A form's optional id field: "" is none.
StatusOr<std::optional<int64_t>> FormId(const web::RequestContext& ctx, const char* key) {
  const std::string text = web::Site::Field(ctx, key);
  if (text.empty()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t id, ParseId(text, key));
  return std::optional<int64_t>(id);
}

StatusOr<http::Response> AskPage(const web::Site& site, web::RequestContext& ctx, JoinRequestService& service,
                                 int64_t id, json data, int status = 200) {
  ASSIGN_OR_RETURN(JoinPlace place, service.Place(id));
  data["neighborhood_id"] = id;
  data["neighborhood"] = place.name;
  data["signed_in"] = ctx.principal.signed_in();
  data["next"] = http::PercentEncode("/areas/" + std::to_string(id) + "/join");
  data["buildings"] = json::array();
  const std::string chosen = data.value("building_id", "");
  for (const auto& [bid, name] : place.buildings) {
    data["buildings"].push_back({{"id", bid}, {"name", name}, {"selected", std::to_string(bid) == chosen}});
  }
  return site.Page(ctx, "areas/join", data, site.T(ctx, "join_title"), status);
}

}  // namespace

void RegisterJoinRequestRoutes(http::Router& router, const web::Site& site, JoinRequestService& service,
                               OwnerLinkService& owners) {
  // The resident: the form on a neighborhood, their requests, withdrawing one.
  // The gate of a staff decision, asked before the form or body is read.
  auto may_decide = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
    return service.CheckDecide(ctx.principal, id);
  };
  router.Add("GET", "/areas/{id}/join",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               return AskPage(site, ctx, service, id, json::object());
             }));
  router.Add("POST", "/areas/{id}/join",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               NewJoinRequest r;
               r.neighborhood_id = id;
               ASSIGN_OR_RETURN(r.building_id, FormId(ctx, "building_id"));
               r.unit = web::Site::Field(ctx, "unit_number");
               r.message = web::Site::Field(ctx, "message");
               auto asked = service.Ask(ctx.principal, r);
               if (!asked.ok()) {
                 const StatusCode c = asked.status().code();
                 if (c != StatusCode::kInvalidArgument && c != StatusCode::kAlreadyExists &&
                     c != StatusCode::kResourceExhausted) {
                   return asked.status();
                 }
                 // The form again with what was typed (valid UTF-8 only: an invalid field never reaches here).
                 return AskPage(site, ctx, service, id,
                                {{"error", site.ErrorText(ctx, asked.status())},
                                 {"unit_number", r.unit},
                                 {"message", r.message},
                                 {"building_id", web::Site::Field(ctx, "building_id")}},
                                web::HttpStatusFor(c));
               }
               return http::Response::Redirect("/account/join-requests?done=asked");
             }));
  router.Add("GET", "/account/join-requests",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(auto mine, service.Mine(ctx.principal));
               json data;
               data["requests"] = json::array();
               for (const auto& v : mine) data["requests"].push_back(PageJson(site, ctx, v));
               if (auto done = req.Query("done"); done && (*done == "asked" || *done == "withdrawn")) {
                 data["notice"] = site.T(ctx, "join_done_" + *done);
               }
               return site.Page(ctx, "account/join_requests", data, site.T(ctx, "join_mine_title"));
             }));
  router.Add("POST", "/join-requests/{id}/withdraw",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               RETURN_IF_ERROR(service.Withdraw(ctx.principal, id));
               return http::Response::Redirect("/account/join-requests?done=withdrawn");
             }));

  // Staff: the queue of an area, approve and refuse.
  router.Add("GET", "/areas/{id}/join-requests",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               const bool all = req.Query("state").value_or("") == "all";
               ASSIGN_OR_RETURN(auto queue, service.ForArea(ctx.principal, id, all));
               json data;
               data["area_id"] = id;
               data["all"] = all;
               data["requests"] = json::array();
               for (const auto& v : queue) {
                 json j = PageJson(site, ctx, v);
                 j["area_id"] = id;
                 j["owners"] = json::array();
                 if (v.state == JoinState::kPending && v.building_id) {
                   auto list = owners.BuildingOwners(ctx.principal, *v.building_id);
                   if (list.ok()) {
                     for (const auto& o : *list) {
                       if (!o.user_id) j["owners"].push_back({{"id", o.owner_id}, {"label", o.name + " · " + o.units}});
                     }
                   }
                 }
                 j["has_owners"] = !j["owners"].empty();
                 data["requests"].push_back(std::move(j));
               }
               if (auto done = req.Query("done"); done && (*done == "approved" || *done == "refused")) {
                 data["notice"] = site.T(ctx, "join_done_" + *done);
               }
               return site.Page(ctx, "areas/join_requests", data, site.T(ctx, "join_queue_title"));
             }));
  router.Add("POST", "/join-requests/{id}/approve",
             site.Web(may_decide, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(int64_t area, ParseId(web::Site::Field(ctx, "area_id"), "area_id"));
               ASSIGN_OR_RETURN(std::optional<int64_t> owner, FormId(ctx, "owner_id"));
               RETURN_IF_ERROR(service.Approve(ctx.principal, id, owner));
               return http::Response::Redirect("/areas/" + std::to_string(area) + "/join-requests?done=approved");
             }));
  router.Add("POST", "/join-requests/{id}/refuse",
             site.Web(may_decide, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(int64_t area, ParseId(web::Site::Field(ctx, "area_id"), "area_id"));
               RETURN_IF_ERROR(service.Refuse(ctx.principal, id, web::Site::Field(ctx, "reason")));
               return http::Response::Redirect("/areas/" + std::to_string(area) + "/join-requests?done=refused");
             }));

  // JSON API.
  router.Add("POST", "/api/v1/join-requests",
             site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body,
                                web::Site::JsonBody(req, {"neighborhood_id", "building_id", "unit_number", "message"}));
               NewJoinRequest r;
               ASSIGN_OR_RETURN(std::optional<int64_t> nb, IdField(body, "neighborhood_id"));
               if (!nb) return InvalidArgumentError("give the neighborhood", "neighborhood_id");
               r.neighborhood_id = *nb;
               ASSIGN_OR_RETURN(r.building_id, IdField(body, "building_id"));
               ASSIGN_OR_RETURN(r.unit, TextField(body, "unit_number"));
               ASSIGN_OR_RETURN(r.message, TextField(body, "message"));
               ASSIGN_OR_RETURN(JoinRequestView v, service.Ask(ctx.principal, r));
               return web::Site::Json(201, ViewJson(v));
             }));
  router.Add("GET", "/api/v1/join-requests",
             site.Api([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(auto mine, service.Mine(ctx.principal));
               return web::Site::Json(200, ItemsJson(mine));
             }));
  router.Add("GET", "/api/v1/join-requests/{id}",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(JoinRequestView v, service.Get(ctx.principal, id));
               return web::Site::Json(200, ViewJson(v));
             }));
  router.Add("POST", "/api/v1/join-requests/{id}/withdraw",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               RETURN_IF_ERROR(service.Withdraw(ctx.principal, id));
               ASSIGN_OR_RETURN(JoinRequestView v, service.Get(ctx.principal, id));
               return web::Site::Json(200, ViewJson(v));
             }));
  router.Add("GET", "/api/v1/areas/{id}/join-requests",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               const std::string state = req.Query("state").value_or("pending");
               if (state != "pending" && state != "all") {
                 return InvalidArgumentError("state is pending or all", "state");
               }
               ASSIGN_OR_RETURN(auto queue, service.ForArea(ctx.principal, id, state == "all"));
               return web::Site::Json(200, ItemsJson(queue));
             }));
  router.Add("POST", "/api/v1/join-requests/{id}/approve",
             site.Api(may_decide, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               json body = json::object();  // the body is optional: no owner to link
               if (!req.body.empty()) {
                 ASSIGN_OR_RETURN(body, web::Site::JsonBody(req, {"owner_id"}));
               }
               ASSIGN_OR_RETURN(std::optional<int64_t> owner, IdField(body, "owner_id"));
               RETURN_IF_ERROR(service.Approve(ctx.principal, id, owner));
               ASSIGN_OR_RETURN(JoinRequestView v, service.Get(ctx.principal, id));
               return web::Site::Json(200, ViewJson(v));
             }));
  router.Add("POST", "/api/v1/join-requests/{id}/refuse",
             site.Api(may_decide, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"reason"}));
               ASSIGN_OR_RETURN(std::string reason, TextField(body, "reason"));
               RETURN_IF_ERROR(service.Refuse(ctx.principal, id, reason));
               ASSIGN_OR_RETURN(JoinRequestView v, service.Get(ctx.principal, id));
               return web::Site::Json(200, ViewJson(v));
             }));
}

}  // namespace ningju::areas
