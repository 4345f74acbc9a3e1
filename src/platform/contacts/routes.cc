#include "platform/contacts/routes.h"

namespace ningju::contacts {
namespace {

using json = nlohmann::json;

json StateJson(const EmailState& s) {
  return {{"email", s.email.empty() ? json(nullptr) : json(s.email)},
          {"pending", s.pending.empty() ? json(nullptr) : json(s.pending)},
          {"email_mode", s.mode}};
}

// The page, with `extra` (notice, error, the address typed) over the current state.
StatusOr<http::Response> EmailPage(const web::Site& site, ContactService& contacts, web::RequestContext& ctx,
                                   json extra, int status = 200) {
  if (!ctx.principal.signed_in()) return http::Response::Redirect("/sign-in?next=/account/email");
  ASSIGN_OR_RETURN(EmailState state, contacts.Email(ctx.principal));
  json data = StateJson(state);
  data["has_email"] = !state.email.empty();
  data["has_pending"] = !state.pending.empty();
  for (auto& [k, v] : extra.items()) data[k] = v;
  return site.Page(ctx, "account/email", data, site.T(ctx, "email_title"), status);
}

// A refusal the person can act on is shown on the page; anything else is the error page.
bool ShownOnPage(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kAlreadyExists ||
         s.code() == StatusCode::kResourceExhausted || s.code() == StatusCode::kFailedPrecondition;
}

StatusOr<std::string> StringField(const json& body, const std::string& name, const Status& missing) {
  if (!body.contains(name) || !body[name].is_string()) return missing;
  return body[name].get<std::string>();
}

}  // namespace

void RegisterContactRoutes(http::Router& router, const web::Site& site, ContactService& contacts) {
  router.Add("GET", "/account/email", site.Web([&](http::Request&, web::RequestContext& ctx) {
    return EmailPage(site, contacts, ctx, json::object());
  }));
  router.Add("POST", "/account/email",
             site.Web(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               const std::string email = web::Site::Field(ctx, "email");
               Status s = contacts.StartEmail(ctx.principal, email, req.remote_address);
               if (!s.ok() && !ShownOnPage(s)) return s;
               if (!s.ok()) {
                 return EmailPage(site, contacts, ctx, {{"error", site.ErrorText(ctx, s)}, {"typed", email}},
                                  web::HttpStatusFor(s.code()));
               }
               return EmailPage(site, contacts, ctx, {{"notice", site.T(ctx, "email_code_sent")}});
             }));
  router.Add("POST", "/account/email/verify",
             site.Web(web::SignedInGate, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               StatusOr<std::string> verified = contacts.VerifyEmail(ctx.principal, web::Site::Field(ctx, "code"));
               if (!verified.ok() && !ShownOnPage(verified.status())) return verified.status();
               if (!verified.ok()) {
                 return EmailPage(site, contacts, ctx, {{"error", site.ErrorText(ctx, verified.status())}},
                                  web::HttpStatusFor(verified.status().code()));
               }
               return EmailPage(site, contacts, ctx, {{"notice", site.T(ctx, "email_verified")}});
             }));
  router.Add("POST", "/account/email/remove",
             site.Web(web::SignedInGate, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               RETURN_IF_ERROR(contacts.RemoveEmail(ctx.principal));
               return EmailPage(site, contacts, ctx, {{"notice", site.T(ctx, "email_removed")}});
             }));

  router.Add("GET", "/api/v1/account/email",
             site.Api([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(EmailState state, contacts.Email(ctx.principal));
               return web::Site::Json(200, StateJson(state));
             }));
  router.Add(
      "POST", "/api/v1/account/email",
      site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"email"}));
        ASSIGN_OR_RETURN(
            std::string email,
            StringField(body, "email", InvalidArgumentError("an email address looks like name@example.org", "email")));
        RETURN_IF_ERROR(contacts.StartEmail(ctx.principal, email, req.remote_address));
        ASSIGN_OR_RETURN(EmailState state, contacts.Email(ctx.principal));
        return web::Site::Json(202, StateJson(state));
      }));
  router.Add("POST", "/api/v1/account/email/verify",
             site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"code"}));
               ASSIGN_OR_RETURN(
                   std::string code,
                   StringField(body, "code", InvalidArgumentError("the code is the 6 digits of the email", "code")));
               RETURN_IF_ERROR(contacts.VerifyEmail(ctx.principal, code).status());
               ASSIGN_OR_RETURN(EmailState state, contacts.Email(ctx.principal));
               return web::Site::Json(200, StateJson(state));
             }));
  router.Add("DELETE", "/api/v1/account/email",
             site.Api(web::SignedInGate, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               RETURN_IF_ERROR(contacts.RemoveEmail(ctx.principal));
               ASSIGN_OR_RETURN(EmailState state, contacts.Email(ctx.principal));
               return web::Site::Json(200, StateJson(state));
             }));
}

}  // namespace ningju::contacts
