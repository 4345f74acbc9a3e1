#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/app.h"
#include "auth/roles.h"
#include "common/text_util.h"
#include "web/number_format.h"

namespace ningju::app {
namespace {

nlohmann::json GrantsJson(const web::Site& site, const web::RequestContext& ctx, storage::Database& db) {
  nlohmann::json grants = nlohmann::json::array();
  auto conn = db.Acquire();
  if (!conn.ok()) return grants;
  for (const auto& g : ctx.principal.grants) {
    auto area = (*conn)->QueryOptional("SELECT name FROM areas WHERE id = ?", {g.area_id});
    grants.push_back({{"role", auth::RoleName(g.role)},
                      {"role_label", site.T(ctx, "role_" + std::string(auth::RoleName(g.role)))},
                      {"area_id", g.area_id},
                      {"area_name", area.ok() && *area ? (*area)->Text(0) : ""}});
  }
  return grants;
}

// A token as the account page and the API show it (never its value).
nlohmann::json TokenJson(const auth::ApiToken& t) {
  auto time = [](int64_t at) { return at == 0 ? nlohmann::json(nullptr) : nlohmann::json(FormatUtc(FromUnix(at))); };
  return {{"id", t.id},
          {"name", t.name},
          {"scope", t.scope},
          {"created_at", time(t.created_at)},
          {"expires_at", time(t.expires_at)},
          {"last_used_at", time(t.last_used_at)},
          {"revoked_at", time(t.revoked_at)}};
}

nlohmann::json TokenView(const web::Site& site, const web::RequestContext& ctx, const auth::ApiToken& t) {
  auto day = [](int64_t at) { return at == 0 ? std::string() : FormatShanghai(FromUnix(at)).substr(0, 10); };
  return {{"id", t.id},
          {"name", t.name},
          {"scope_label", site.T(ctx, "token_scope_" + t.scope)},
          {"created_on", day(t.created_at)},
          {"expires_on", day(t.expires_at)},
          {"last_used_on", day(t.last_used_at)},
          {"revoked_on", day(t.revoked_at)},
          {"live", t.revoked_at == 0}};
}

StatusOr<http::Response> AccountPage(const web::Site& site, web::RequestContext& ctx, storage::Database& db,
                                     nlohmann::json data, int status = 200) {
  if (!ctx.principal.signed_in()) return http::Response::Redirect("/sign-in?next=/account");
  data["grants"] = GrantsJson(site, ctx, db);
  ASSIGN_OR_RETURN(std::vector<auth::ApiToken> tokens, site.accounts().ListApiTokens(ctx.principal.user_id));
  data["tokens"] = nlohmann::json::array();
  for (const auth::ApiToken& t : tokens) data["tokens"].push_back(TokenView(site, ctx, t));
  return site.Page(ctx, "account/account", data, site.T(ctx, "nav_account"), status);
}

StatusOr<http::Response> RolesPage(const web::Site& site, web::RequestContext& ctx, areas::AreaService& areas,
                                   nlohmann::json data, int status = 200) {
  ASSIGN_OR_RETURN(areas::Area root, areas.Root());
  ASSIGN_OR_RETURN(auto grants, site.accounts().ListGrants(ctx.principal, root.id));
  data["district_id"] = root.id;
  data["roles"] = nlohmann::json::array();
  for (auth::Role r : auth::AllRoles()) {
    data["roles"].push_back(
        {{"value", auth::RoleName(r)}, {"label", site.T(ctx, "role_" + std::string(auth::RoleName(r)))}});
  }
  data["grants"] = nlohmann::json::array();
  for (const auto& g : grants) {
    data["grants"].push_back({{"id", g.id},
                              {"user_name", g.user_name},
                              {"role_label", site.T(ctx, "role_" + std::string(auth::RoleName(g.role)))},
                              {"area_id", g.area_id},
                              {"area_name", g.area_name}});
  }
  return site.Page(ctx, "admin/roles", data, site.T(ctx, "nav_roles"), status);
}

// The message an account form shows for a service error, in the page's language.
std::string AccountError(const web::Site& site, const web::RequestContext& ctx, const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnauthenticated:
      return site.T(ctx, "sign_in_failed");
    case StatusCode::kResourceExhausted:
      return site.T(ctx, "sign_in_locked");
    case StatusCode::kAlreadyExists:
      return site.T(ctx, "login_taken");
    case StatusCode::kInvalidArgument:
      if (s.field() == "login") return site.T(ctx, "login_hint");
      if (s.field() == "password") return site.T(ctx, "password_hint");
      if (s.field() == "display_name") return site.T(ctx, "display_name_hint");
      return site.ErrorText(ctx, s);
    default:
      return site.ErrorText(ctx, s);
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

platform::HomeCardFn DistrictHomeCard(areas::AreaService& areas) {
  return [&areas](web::RequestContext&) -> StatusOr<std::optional<platform::HomeCard>> {
    auto root = areas.Root();
    if (!root.ok()) return std::optional<platform::HomeCard>();  // before `ningju init`: nothing to show
    ASSIGN_OR_RETURN(auto figures, areas.Figures(root->id));
    platform::HomeCard card{"district", "areas/home_card"};
    card.data["district"] = {{"id", root->id}, {"name", root->name}};
    const nlohmann::json counts = figures.ToJson();  // grouped for the page (web/number_format.h)
    for (const auto& [key, value] : counts.items()) card.data["figures"][key] = web::FormatJsonNumber(value);
    return card;
  };
}

void RegisterCoreRoutes(http::Router& router, const web::Site& site, areas::AreaService& areas, storage::Database& db,
                        const std::string& web_root, const CalendarHolder& calendars, const Clock& clock,
                        const platform::HomeBoard& home, contacts::ContactService& contacts) {
  router.Add("GET", "/healthz", [&db](http::Request&) {
    auto conn = db.Acquire();
    if (!conn.ok()) return http::Response::Json(503, R"({"status":"unavailable"})");
    auto ping = (*conn)->Execute("SELECT 1");
    if (!ping.ok()) return http::Response::Json(503, R"({"status":"unavailable"})");
    return http::Response::Json(200, R"({"status":"ok"})");
  });

  const std::string openapi = ReadFile(web_root + "/static/openapi.json");
  router.Add("GET", "/api/v1/openapi.json",
             [openapi](http::Request&) { return http::Response::Json(openapi.empty() ? 404 : 200, openapi); });

  router.Add("GET", "/", site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
    nlohmann::json data;
    ASSIGN_OR_RETURN(data["cards"], home.Render(ctx));
    // Staff count deadlines: tell them while the calendar lacks the year those deadlines run into.
    if (ctx.principal.HasPermissionSomewhere(auth::Permission::kEditArea)) {
      if (std::optional<int> year = calendars.Get()->MissingYear(ShanghaiDate(clock.Now()))) {
        data["calendar_missing"] = {
            {"text", fmt::format(fmt::runtime(site.T(ctx, "home_calendar_missing")), *year)},
            {"can_enter", ctx.principal.HasPermissionSomewhere(auth::Permission::kManageCalendar)}};
      }
    }
    return site.Page(ctx, "home", data, site.T(ctx, "home_title"));
  }));

  router.Add("POST", "/lang", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
    std::string lang = web::Site::Field(ctx, "lang");
    if (!site.i18n().Supports(lang)) return InvalidArgumentError("unsupported language", "lang");
    std::string back(req.Header("Referer"));
    // Only a same-site path is followed back.
    size_t path_at = back.find("://");
    if (path_at != std::string::npos) {
      size_t slash = back.find('/', path_at + 3);
      std::string origin = back.substr(0, slash);
      back = origin == site.options().base_url && slash != std::string::npos ? back.substr(slash) : "/";
    }
    http::Response resp = http::Response::Redirect(web::SafeLocalPath(back));
    site.SetLanguageCookie(resp, lang);
    return resp;
  }));

  router.Add("GET", "/sign-in", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
    return site.Page(ctx, "account/sign_in", {{"next", web::SafeLocalPath(req.Query("next").value_or("/"))}},
                     site.T(ctx, "sign_in"));
  }));
  router.Add(
      "POST", "/sign-in", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        const std::string login = web::Site::Field(ctx, "login");
        auto result =
            site.accounts().SignIn(login, web::Site::Field(ctx, "password"), req.remote_address,
                                   std::string(req.Header("User-Agent")), req.Cookie(web::kDeviceCookie).value_or(""));
        if (!result.ok()) {
          if (result.status().code() != StatusCode::kUnauthenticated &&
              result.status().code() != StatusCode::kResourceExhausted) {
            return result.status();
          }
          return site.Page(ctx, "account/sign_in",
                           {{"error", AccountError(site, ctx, result.status())},
                            {"login", login},
                            {"next", web::SafeLocalPath(web::Site::Field(ctx, "next"))}},
                           site.T(ctx, "sign_in"), web::HttpStatusFor(result.status().code()));
        }
        http::Response resp = http::Response::Redirect(web::SafeLocalPath(web::Site::Field(ctx, "next")));
        site.SetSessionCookie(resp, result->session_token);
        site.SetDeviceCookie(resp, result->known_device);
        return resp;
      }));
  router.Add("POST", "/sign-out", site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
    if (!ctx.session_token.empty()) RETURN_IF_ERROR(site.accounts().SignOut(ctx.session_token));
    http::Response resp = http::Response::Redirect("/");
    site.ClearSessionCookie(resp);
    return resp;
  }));
  router.Add("GET", "/sign-up", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
    return site.Page(ctx, "account/sign_up", {{"next", web::SafeLocalPath(req.Query("next").value_or("/account"))}},
                     site.T(ctx, "sign_up"));
  }));
  router.Add(
      "POST", "/sign-up", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        auth::NewAccount account{web::Site::Field(ctx, "login"), web::Site::Field(ctx, "display_name"),
                                 web::Site::Field(ctx, "password")};
        account.phone_needs_code = contacts.SendsSms();
        auto user = site.accounts().SignUp(account, "web", req.remote_address);
        if (!user.ok()) {
          if (user.status().code() != StatusCode::kInvalidArgument &&
              user.status().code() != StatusCode::kAlreadyExists &&
              user.status().code() != StatusCode::kResourceExhausted) {
            return user.status();
          }
          return site.Page(ctx, "account/sign_up",
                           {{"error", user.status().code() == StatusCode::kResourceExhausted
                                          ? site.ErrorText(ctx, user.status())  // the sign-up limit, not sign-in's
                                          : AccountError(site, ctx, user.status())},
                            {"login", account.login},
                            {"display_name", account.display_name},
                            {"next", web::SafeLocalPath(web::Site::Field(ctx, "next"))}},
                           site.T(ctx, "sign_up"), web::HttpStatusFor(user.status().code()));
        }
        ASSIGN_OR_RETURN(auto session, site.accounts().SignIn(account.login, account.password, req.remote_address,
                                                              std::string(req.Header("User-Agent"))));
        // Back where the visitor came from (the claim page of an invitation letter), else the account page; a phone
        // waiting for its code goes by the phone page first, which returns there.
        const std::string next = web::Site::Field(ctx, "next");
        std::string to = next.empty() ? "/account" : web::SafeLocalPath(next);
        if (user->phone_state == "pending") {
          auth::Principal me = auth::Principal::User(user->id, user->display_name, {}, user->locale);
          // Not sent (a limit of the client's address): the phone page offers to send it again.
          const bool sent = contacts.StartPhone(me, req.remote_address).ok();
          to = "/account/phone?next=" + http::PercentEncode(to) + (sent ? "&sent=1" : "");
        }
        http::Response resp = http::Response::Redirect(to);
        site.SetSessionCookie(resp, session.session_token);
        site.SetDeviceCookie(resp, session.known_device);
        return resp;
      }));

  router.Add("GET", "/account", site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
    return AccountPage(site, ctx, db, nlohmann::json::object());
  }));
  router.Add(
      "POST", "/account/password", site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
        if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in first");
        Status s = site.accounts().ChangePassword(ctx.principal.user_id, web::Site::Field(ctx, "current_password"),
                                                  web::Site::Field(ctx, "new_password"), ctx.session_token);
        if (!s.ok() && s.code() != StatusCode::kInvalidArgument) return s;
        if (!s.ok()) return AccountPage(site, ctx, db, {{"error", site.ErrorText(ctx, s)}}, 400);
        return AccountPage(site, ctx, db, {{"notice", site.T(ctx, "password_changed")}});
      }));
  router.Add("POST", "/account/tokens",
             site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in first");
               auth::NewApiToken spec{web::Site::Field(ctx, "name"), web::Site::Field(ctx, "scope"), 0};
               if (spec.scope.empty()) spec.scope = "write";
               const std::string days = web::Site::Field(ctx, "expires_days");
               StatusOr<std::string> token =
                   InvalidArgumentError("a token expires after a whole number of days", "expires_days");
               if (days.empty() || days.size() <= 3) {
                 auto parsed = days.empty() ? StatusOr<int64_t>(0) : ParseId(days, "expires_days");
                 if (parsed.ok()) {
                   spec.expires_days = static_cast<int>(*parsed);
                   token = site.accounts().CreateApiToken(ctx.principal.user_id, spec);
                 }
               }
               if (!token.ok() && token.status().code() != StatusCode::kInvalidArgument) return token.status();
               if (!token.ok())
                 return AccountPage(site, ctx, db, {{"error", site.ErrorText(ctx, token.status())}}, 400);
               return AccountPage(site, ctx, db, {{"new_token", *token}});
             }));
  router.Add("POST", "/account/tokens/{id}/revoke",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in first");
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               RETURN_IF_ERROR(site.accounts().RevokeApiToken(ctx.principal, id));
               return AccountPage(site, ctx, db, {{"notice", site.T(ctx, "token_revoked")}});
             }));

  router.Add("GET", "/api/v1/account/tokens",
             site.Api([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in or send an API token");
               ASSIGN_OR_RETURN(std::vector<auth::ApiToken> tokens,
                                site.accounts().ListApiTokens(ctx.principal.user_id));
               nlohmann::json items = nlohmann::json::array();
               for (const auth::ApiToken& t : tokens) items.push_back(TokenJson(t));
               return web::Site::Json(200, {{"items", items}});
             }));
  router.Add("POST", "/api/v1/account/tokens",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in or send an API token");
               ASSIGN_OR_RETURN(nlohmann::json body, web::Site::JsonBody(req, {"name", "scope", "expires_days"}));
               auth::NewApiToken spec;
               if (!body.contains("name") || !body["name"].is_string()) {
                 return InvalidArgumentError("a token name has 1 to 60 characters", "name");
               }
               spec.name = body["name"].get<std::string>();
               if (body.contains("scope")) {
                 if (!body["scope"].is_string())
                   return InvalidArgumentError("a token's scope is read or write", "scope");
                 spec.scope = body["scope"].get<std::string>();
               }
               if (body.contains("expires_days")) {
                 if (!body["expires_days"].is_number_integer() || body["expires_days"].get<int64_t>() < 1 ||
                     body["expires_days"].get<int64_t>() > 100000) {
                   return InvalidArgumentError("a token expires after a whole number of days", "expires_days");
                 }
                 spec.expires_days = body["expires_days"].get<int>();
               }
               int64_t id = 0;
               ASSIGN_OR_RETURN(std::string token, site.accounts().CreateApiToken(ctx.principal.user_id, spec, &id));
               ASSIGN_OR_RETURN(std::vector<auth::ApiToken> tokens,
                                site.accounts().ListApiTokens(ctx.principal.user_id));
               nlohmann::json out = nlohmann::json::object();
               for (const auth::ApiToken& t : tokens) {
                 if (t.id == id) out = TokenJson(t);  // this request's token, not another made at the same time
               }
               out["token"] = token;  // shown once
               return web::Site::Json(201, out);
             }));
  router.Add("DELETE", "/api/v1/account/tokens/{id}",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in or send an API token");
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               RETURN_IF_ERROR(site.accounts().RevokeApiToken(ctx.principal, id));
               http::Response resp;
               resp.status = 204;
               return resp;
             }));

  router.Add("GET", "/admin/roles", site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
    return RolesPage(site, ctx, areas, nlohmann::json::object());
  }));
  router.Add("POST", "/admin/roles",
             site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               auto fail = [&](const Status& s) -> StatusOr<http::Response> {
                 if (s.code() == StatusCode::kUnauthenticated || s.code() == StatusCode::kPermissionDenied) return s;
                 return RolesPage(site, ctx, areas, {{"error", site.ErrorText(ctx, s)}}, web::HttpStatusFor(s.code()));
               };
               auto role = auth::ParseRole(web::Site::Field(ctx, "role"));
               if (!role) return fail(InvalidArgumentError("unknown role", "role"));
               auto area_id = ParseId(web::Site::Field(ctx, "area_id"), "area_id");
               if (!area_id.ok()) return fail(area_id.status());
               auto user = site.accounts().FindByLogin(web::Site::Field(ctx, "login"));
               if (!user.ok()) return fail(user.status());
               auto grant = site.accounts().GrantRole(ctx.principal, user->id, *role, *area_id);
               if (!grant.ok()) return fail(grant.status());
               return RolesPage(site, ctx, areas, {{"notice", site.T(ctx, "role_granted")}});
             }));
  router.Add("POST", "/admin/roles/{id}/revoke",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               RETURN_IF_ERROR(site.accounts().RevokeRole(ctx.principal, id));
               return RolesPage(site, ctx, areas, {{"notice", site.T(ctx, "role_revoked")}});
             }));

  router.Add("GET", "/api/v1/me", site.Api([](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
    if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in or send an API token");
    nlohmann::json grants = nlohmann::json::array();
    for (const auto& g : ctx.principal.grants) {
      grants.push_back({{"id", g.id}, {"role", auth::RoleName(g.role)}, {"area_id", g.area_id}});
    }
    return web::Site::Json(200, {{"id", ctx.principal.user_id},
                                 {"display_name", ctx.principal.display_name},
                                 {"locale", ctx.principal.locale},
                                 {"grants", grants}});
  }));
}

}  // namespace ningju::app
