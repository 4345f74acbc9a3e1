#include "governance/areas/owner_routes.h"

#include <nlohmann/json.hpp>

#include "common/text_util.h"

namespace ningju::areas {
namespace {

using json = nlohmann::json;

// Only the date is printed: a code stays valid to the second, but a letter says "until 2027-01-01".
std::string ShanghaiDay(Instant t) { return FormatShanghai(t).substr(0, 10); }

std::string EscapeText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

json LetterJson(const InvitationLetter& l) {
  return {{"owner_id", l.owner_id}, {"owner_name", l.owner_name},
          {"units", l.units},       {"neighborhood", l.neighborhood_name},
          {"code", l.code},         {"url", l.url},
          {"html_qr", l.qr_svg},    {"expires_on", ShanghaiDay(l.expires_at)}};
}

http::Response LettersPage(const web::Site& site, web::RequestContext& ctx, const std::vector<InvitationLetter>& ls) {
  json data;
  data["letters"] = json::array();
  for (const auto& l : ls) data["letters"].push_back(LetterJson(l));
  http::Response resp = site.Page(ctx, "areas/letters", data, site.T(ctx, "owner_letter"));
  resp.SetHeader("Cache-Control", "no-store");  // the codes are on this page and nowhere else
  return resp;
}

http::Response ClaimPage(const web::Site& site, web::RequestContext& ctx, json data, int status = 200) {
  data["signed_in"] = ctx.principal.signed_in();
  const std::string code = data.value("code", "");
  data["next"] = http::PercentEncode(code.empty() ? std::string("/claim") : "/claim?code=" + code);
  return site.Page(ctx, "areas/claim", data, site.T(ctx, "owner_claim"), status);
}

StatusOr<std::string> TextField(const json& body, const char* key) {
  if (!body.contains(key)) return std::string();
  if (!body[key].is_string()) return InvalidArgumentError(Msg("{} must be a string", FieldName{key}), key);
  return body[key].get<std::string>();
}

}  // namespace

void RegisterOwnerLinkRoutes(http::Router& router, const web::Site& site, OwnerLinkService& service) {
  // The gate of linking and unlinking, asked before the form or body is read.
  auto may_manage = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
    return service.CheckManage(ctx.principal, id);
  };
  // Staff: the owners of a building, with their links and open letters.
  router.Add("GET", "/areas/{id}/owners",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(auto owners, service.BuildingOwners(ctx.principal, id));
               json data;
               data["building_id"] = id;
               data["owners"] = json::array();
               for (const auto& o : owners) {
                 data["owners"].push_back(
                     {{"id", o.owner_id},
                      {"name", o.name},
                      {"units", o.units},
                      {"linked", o.user_id.has_value()},
                      {"account", o.account},
                      {"invited_until", o.open_invitation_expires ? ShanghaiDay(*o.open_invitation_expires) : ""}});
               }
               if (auto done = req.Query("done")) data["notice"] = site.T(ctx, "owner_done_" + *done);
               return site.Page(ctx, "areas/owners", data, site.T(ctx, "owners_title"));
             }));
  // Printing makes new codes (the old ones stop working), so it is a POST, and its page is not cached.
  router.Add("POST", "/owners/{id}/letter",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(InvitationLetter letter, service.IssueLetter(ctx.principal, id));
               return LettersPage(site, ctx, {letter});
             }));
  router.Add("POST", "/areas/{id}/letters",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(auto letters, service.IssueBuildingLetters(ctx.principal, id));
               return LettersPage(site, ctx, letters);
             }));
  router.Add("POST", "/owners/{id}/link",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(int64_t building, ParseId(web::Site::Field(ctx, "building_id"), "building_id"));
               RETURN_IF_ERROR(
                   service.Link(ctx.principal, id, web::Site::Field(ctx, "login"), web::Site::Field(ctx, "reason")));
               return http::Response::Redirect("/areas/" + std::to_string(building) + "/owners?done=linked");
             }));
  router.Add("POST", "/owners/{id}/unlink",
             site.Web(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(int64_t building, ParseId(web::Site::Field(ctx, "building_id"), "building_id"));
               RETURN_IF_ERROR(service.Unlink(ctx.principal, id, web::Site::Field(ctx, "reason")));
               return http::Response::Redirect("/areas/" + std::to_string(building) + "/owners?done=unlinked");
             }));

  // The owner: the page the letter's QR code leads to.
  router.Add("GET", "/claim", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
    std::string code = req.Query("code").value_or("");
    if (code.size() > 40) code.clear();  // not a code; the form starts empty
    return ClaimPage(site, ctx, {{"code", code}});
  }));
  router.Add("POST", "/claim", site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
    const std::string code = web::Site::Field(ctx, "code");
    auto claimed = service.Claim(ctx.principal, code);
    if (!claimed.ok()) {
      const StatusCode c = claimed.status().code();
      if (c == StatusCode::kInternal || c == StatusCode::kUnavailable) return claimed.status();
      return ClaimPage(site, ctx,
                       {{"code", code.size() > 40 ? "" : code}, {"error", site.ErrorText(ctx, claimed.status())}},
                       web::HttpStatusFor(c));
    }
    return ClaimPage(site, ctx,
                     {{"claimed",
                       {{"neighborhood", claimed->neighborhood_name},
                        {"neighborhood_id", claimed->neighborhood_id},
                        {"units", claimed->units}}}});
  }));

  // JSON API.
  router.Add(
      "POST", "/api/v1/owners/{id}/invitations",
      site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
        ASSIGN_OR_RETURN(InvitationLetter l, service.IssueLetter(ctx.principal, id));
        http::Response resp = web::Site::Json(
            201, {{"owner_id", l.owner_id}, {"code", l.code}, {"url", l.url}, {"expires_at", FormatUtc(l.expires_at)}});
        resp.SetHeader("Cache-Control", "no-store");
        return resp;
      }));
  router.Add("POST", "/api/v1/claims",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"code"}));
               ASSIGN_OR_RETURN(std::string code, TextField(body, "code"));
               ASSIGN_OR_RETURN(ClaimResult r, service.Claim(ctx.principal, code));
               return web::Site::Json(200, {{"owner_id", r.owner_id},
                                            {"neighborhood_id", r.neighborhood_id},
                                            {"neighborhood", r.neighborhood_name},
                                            {"units", r.units}});
             }));
  router.Add("POST", "/api/v1/owners/{id}/link",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"login", "reason"}));
               ASSIGN_OR_RETURN(std::string login, TextField(body, "login"));
               ASSIGN_OR_RETURN(std::string reason, TextField(body, "reason"));
               RETURN_IF_ERROR(service.Link(ctx.principal, id, login, reason));
               return web::Site::Json(200, {{"owner_id", id}, {"linked", true}});
             }));
  router.Add("POST", "/api/v1/owners/{id}/unlink",
             site.Api(may_manage, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"reason"}));
               ASSIGN_OR_RETURN(std::string reason, TextField(body, "reason"));
               RETURN_IF_ERROR(service.Unlink(ctx.principal, id, reason));
               return web::Site::Json(200, {{"owner_id", id}, {"linked", false}});
             }));
}

StatusOr<std::string> LettersDocument(const web::Templates& templates, const web::I18n& i18n, const std::string& locale,
                                      const std::vector<InvitationLetter>& letters, const std::string& css) {
  json data;
  data["standalone"] = true;
  data["letters"] = json::array();
  for (const auto& l : letters) data["letters"].push_back(LetterJson(l));
  const json& messages = i18n.Messages(locale);
  ASSIGN_OR_RETURN(std::string body, templates.Render("areas/letters", data, &messages));
  // The stylesheet is the site's own file: it holds no "</style".
  if (css.find("</") != std::string::npos) return InternalError("the stylesheet may not contain \"</\"");
  const std::string title = i18n.Get(locale, "owner_letter");
  return "<!doctype html>\n<html lang=\"" + locale + "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         EscapeText(title) + "</title>\n<style>\n" + css + "\n</style>\n</head>\n<body>\n<main>\n" + body +
         "</main>\n</body>\n</html>\n";
}

}  // namespace ningju::areas
