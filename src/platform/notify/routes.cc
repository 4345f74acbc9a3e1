#include "platform/notify/routes.h"

#include <charconv>
#include <map>

#include <spdlog/spdlog.h>

#include "common/text_util.h"
#include "common/time.h"
#include "web/number_format.h"

namespace ningju::notify {
namespace {

using json = nlohmann::json;

StatusOr<int> LimitParam(const http::Request& req) {
  auto text = req.Query("limit");
  if (!text) return 20;
  int limit = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return InvalidArgumentError("limit must be a number", "limit");
  }
  return limit;
}

bool UnreadParam(const http::Request& req) {
  auto v = req.Query("unread");
  return v && (*v == "1" || *v == "true");
}

// The sentence for a notification kind in the visitor's language ("case.reply" -> notify_kind_case_reply), or
// `fallback` for a kind without its own.
std::string KindText(const web::Site& site, const web::RequestContext& ctx, const std::string& kind,
                     const std::string& fallback) {
  const std::string key = KindTextKey(kind);
  std::string text = site.T(ctx, key);
  return text == key ? fallback : text;
}

json CenterRow(const web::Site& site, const web::RequestContext& ctx, const Notification& n) {
  const std::string what = KindText(site, ctx, n.kind, site.T(ctx, "notify_kind_other"));
  return {{"id", n.id},
          {"what", what},
          {"title", n.title.empty() ? n.object_ref : n.title},
          {"path", n.path},
          {"read", n.read},
          {"concerned", n.reason == "concerned"},
          {"when", FormatShanghai(n.created_at)}};
}

StatusOr<http::Response> CenterPage(const web::Site& site, NotificationService& notifications, http::Request& req,
                                    web::RequestContext& ctx) {
  if (!ctx.principal.signed_in()) return http::Response::Redirect("/sign-in?next=/notifications");
  const bool unread = UnreadParam(req);
  ASSIGN_OR_RETURN(NotificationPage page,
                   notifications.List(ctx.principal, req.Query("cursor").value_or(""), 20, unread));
  json data;
  data["items"] = json::array();
  for (const Notification& n : page.items) data["items"].push_back(CenterRow(site, ctx, n));
  data["unread"] = web::FormatNumber(page.unread);
  data["has_unread"] = page.unread > 0;
  data["only_unread"] = unread;
  if (!page.next_cursor.empty()) {
    data["next"] = std::string("/notifications?") + (unread ? "unread=1&" : "") + "cursor=" + page.next_cursor;
  }
  return site.Page(ctx, "notify/center", data, site.T(ctx, "notify_title"));
}

StatusOr<http::Response> SettingsPage(const web::Site& site, NotificationService& notifications,
                                      contacts::ContactService& contacts, web::RequestContext& ctx, bool saved) {
  if (!ctx.principal.signed_in()) return http::Response::Redirect("/sign-in?next=/notifications/settings");
  ASSIGN_OR_RETURN(std::vector<Setting> settings, notifications.Settings(ctx.principal));
  ASSIGN_OR_RETURN(contacts::EmailState email, contacts.Email(ctx.principal));
  // One row per kind with its two channels (Settings lists them kind by kind).
  std::map<std::string, json> rows;
  json kinds = json::array();
  for (const Setting& s : settings) {
    json& row = rows[s.kind];
    if (row.is_null()) row = {{"kind", s.kind}, {"label", KindText(site, ctx, s.kind, s.kind)}};
    row[s.channel == kSiteChannel ? "on" : "mail"] = s.enabled;
  }
  for (const Setting& s : settings) {
    if (s.channel == kSiteChannel) kinds.push_back(rows[s.kind]);
  }
  json data;
  data["kinds"] = kinds;
  data["saved"] = saved;
  data["email"] = email.email;
  data["has_email"] = !email.email.empty();
  data["mode_" + email.mode] = true;
  return site.Page(ctx, "notify/settings", data, site.T(ctx, "notify_settings_title"));
}

// The values of a repeated form field ("on" once per ticked box).
std::vector<std::string> Repeated(const web::RequestContext& ctx, const std::string& name) {
  std::vector<std::string> out;
  auto [begin, end] = ctx.form.equal_range(name);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

void RegisterWebRoutes(http::Router& router, const web::Site& site, NotificationService& notifications,
                       FollowService& follows, contacts::ContactService& contacts) {
  router.Add("GET", "/notifications",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               return CenterPage(site, notifications, req, ctx);
             }));
  // The writes are any account's (each service then judges the object): anonymous visitors are asked to sign in
  // before their form is read (web::SignedInGate).
  router.Add("POST", "/notifications/{id}/read",
             site.Web(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               RETURN_IF_ERROR(notifications.MarkRead(ctx.principal, id));
               return http::Response::Redirect(web::SafeLocalPath(web::Site::Field(ctx, "next")));
             }));
  router.Add("POST", "/notifications/read-all",
             site.Web(web::SignedInGate, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               RETURN_IF_ERROR(notifications.MarkAllRead(ctx.principal).status());
               return http::Response::Redirect("/notifications");
             }));
  router.Add("GET", "/notifications/settings",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               return SettingsPage(site, notifications, contacts, ctx, req.Query("saved").has_value());
             }));
  router.Add("POST", "/notifications/settings",
             site.Web(web::SignedInGate, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               RETURN_IF_ERROR(notifications.SaveSettings(ctx.principal, Repeated(ctx, "on"), Repeated(ctx, "mail")));
               const std::string mode = web::Site::Field(ctx, "email_mode");
               if (!mode.empty()) RETURN_IF_ERROR(contacts.SetEmailMode(ctx.principal, mode));
               return http::Response::Redirect("/notifications/settings?saved=1");
             }));
  for (const bool follow : {true, false}) {
    router.Add(
        "POST", follow ? "/follow" : "/unfollow",
        site.Web(web::SignedInGate, [&, follow](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
          const std::string ref = web::Site::Field(ctx, "ref");
          RETURN_IF_ERROR(follow ? follows.Follow(ctx.principal, ref) : follows.Unfollow(ctx.principal, ref));
          return http::Response::Redirect(web::SafeLocalPath(web::Site::Field(ctx, "next")));
        }));
  }
}

void RegisterApiRoutes(http::Router& router, const web::Site& site, NotificationService& notifications,
                       FollowService& follows) {
  router.Add("GET", "/api/v1/notifications",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int limit, LimitParam(req));
               ASSIGN_OR_RETURN(
                   NotificationPage page,
                   notifications.List(ctx.principal, req.Query("cursor").value_or(""), limit, UnreadParam(req)));
               json body = {{"items", json::array()}, {"unread", page.unread}};
               for (const Notification& n : page.items) body["items"].push_back(n.ToJson());
               body["next_cursor"] = page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor);
               return web::Site::Json(200, body);
             }));
  router.Add("POST", "/api/v1/notifications/{id}/read",
             site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               RETURN_IF_ERROR(notifications.MarkRead(ctx.principal, id));
               return web::Site::Json(200, {{"id", id}, {"read", true}});
             }));
  router.Add("POST", "/api/v1/notifications/read-all",
             site.Api(web::SignedInGate, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t marked, notifications.MarkAllRead(ctx.principal));
               return web::Site::Json(200, {{"marked", marked}});
             }));
  router.Add("GET", "/api/v1/follows",
             site.Api([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(std::vector<Followed> list, follows.List(ctx.principal));
               json items = json::array();
               for (const Followed& f : list) items.push_back({{"ref", f.ref}, {"since", FormatUtc(f.since)}});
               return web::Site::Json(200, {{"items", items}});
             }));
  router.Add("POST", "/api/v1/follows",
             site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"ref"}));
               if (!body.contains("ref") || !body["ref"].is_string()) {
                 return InvalidArgumentError("ref is required", "ref");
               }
               const std::string ref = body["ref"].get<std::string>();
               RETURN_IF_ERROR(follows.Follow(ctx.principal, ref));
               return web::Site::Json(200, {{"ref", ref}, {"following", true}});
             }));
  router.Add("DELETE", "/api/v1/follows",
             site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               const std::string ref = req.Query("ref").value_or("");
               RETURN_IF_ERROR(follows.Unfollow(ctx.principal, ref));
               return web::Site::Json(200, {{"ref", ref}, {"following", false}});
             }));
}

}  // namespace

std::string KindTextKey(std::string_view kind) {
  std::string key = "notify_kind_" + std::string(kind);
  for (char& c : key) {
    if (c == '.') c = '_';
  }
  return key;
}

void RegisterNotificationRoutes(http::Router& router, const web::Site& site, NotificationService& notifications,
                                FollowService& follows, contacts::ContactService& contacts) {
  RegisterWebRoutes(router, site, notifications, follows, contacts);
  RegisterApiRoutes(router, site, notifications, follows);
}

web::PageHook FollowPageHook(FollowService& follows) {
  return [&follows](const web::RequestContext& ctx, json& data) {
    if (!ctx.principal.signed_in()) return;
    auto ref = data.find("follow_ref");
    if (ref == data.end() || !ref->is_string()) return;
    std::optional<ObjectRef> parsed = ParseRef(ref->get<std::string>());
    const ObjectKind* kind = parsed ? follows.kinds().Find(parsed->kind) : nullptr;
    if (!kind) return;
    // A page still renders without its button when the look-up fails; the failure goes to the log.
    auto following = follows.IsFollowing(ctx.principal, parsed->ToString());
    if (!following.ok()) {
      spdlog::warn("[{}] follow button: {}", ctx.request_id, following.status().ToString());
      return;
    }
    data["follow"] = {{"ref", parsed->ToString()},
                      {"following", *following},
                      {"next", kind->path(parsed->id)},
                      {"csrf", data.value("csrf", "")}};
  };
}

}  // namespace ningju::notify
