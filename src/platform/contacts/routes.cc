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

json PhoneJson(const PhoneState& s) {
  return {{"phone", s.phone.empty() ? json(nullptr) : json(s.phone)},
          {"phone_state", s.state},
          {"code_waiting", s.code_waiting},
          {"sms_available", s.can_send}};
}

// The phone page: the account's phone login, its standing and the code forms. `next` is where verifying returns.
StatusOr<http::Response> PhonePage(const web::Site& site, ContactService& contacts, web::RequestContext& ctx,
                                   const std::string& next, json extra, int status = 200) {
  if (!ctx.principal.signed_in()) {
    return http::Response::Redirect("/sign-in?next=" + http::PercentEncode("/account/phone"));
  }
  ASSIGN_OR_RETURN(PhoneState state, contacts.Phone(ctx.principal));
  json data = PhoneJson(state);
  data["has_phone"] = !state.phone.empty();
  data["verified"] = state.state == "verified";
  data["pending"] = state.state == "pending";
  data["unchecked"] = state.state == "unchecked";
  data["may_send"] = !state.phone.empty() && state.state != "verified" && state.can_send;
  data["next"] = next;
  for (auto& [k, v] : extra.items()) data[k] = v;
  return site.Page(ctx, "account/phone", data, site.T(ctx, "phone_title"), status);
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

  // Where the phone page returns to: a local path, "" for none.
  auto next_of = [](const std::string& raw) { return raw.empty() ? std::string() : web::SafeLocalPath(raw); };
  router.Add("GET", "/account/phone", site.Web([&, next_of](http::Request& req, web::RequestContext& ctx) {
    json extra = json::object();
    if (req.Query("sent").value_or("") == "1") extra["notice"] = site.T(ctx, "phone_code_sent");
    return PhonePage(site, contacts, ctx, next_of(req.Query("next").value_or("")), extra);
  }));
  router.Add("POST", "/account/phone",
             site.Web(web::SignedInGate,
                      [&, next_of](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                        const std::string next = next_of(web::Site::Field(ctx, "next"));
                        Status s = contacts.StartPhone(ctx.principal, req.remote_address);
                        if (!s.ok() && !ShownOnPage(s)) return s;
                        if (!s.ok()) {
                          return PhonePage(site, contacts, ctx, next, {{"error", site.ErrorText(ctx, s)}},
                                           web::HttpStatusFor(s.code()));
                        }
                        return PhonePage(site, contacts, ctx, next, {{"notice", site.T(ctx, "phone_code_sent")}});
                      }));
  router.Add(
      "POST", "/account/phone/verify",
      site.Web(web::SignedInGate, [&, next_of](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
        const std::string next = next_of(web::Site::Field(ctx, "next"));
        Status s = contacts.VerifyPhone(ctx.principal, web::Site::Field(ctx, "code"));
        if (!s.ok() && !ShownOnPage(s)) return s;
        if (!s.ok()) {
          return PhonePage(site, contacts, ctx, next, {{"error", site.ErrorText(ctx, s)}},
                           web::HttpStatusFor(s.code()));
        }
        if (!next.empty()) return http::Response::Redirect(next);
        return PhonePage(site, contacts, ctx, next, {{"notice", site.T(ctx, "phone_verified")}});
      }));

  router.Add("GET", "/api/v1/account/phone",
             site.Api([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(PhoneState state, contacts.Phone(ctx.principal));
               return web::Site::Json(200, PhoneJson(state));
             }));
  router.Add("POST", "/api/v1/account/phone",
             site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               RETURN_IF_ERROR(contacts.StartPhone(ctx.principal, req.remote_address));
               ASSIGN_OR_RETURN(PhoneState state, contacts.Phone(ctx.principal));
               return web::Site::Json(202, PhoneJson(state));
             }));
  router.Add(
      "POST", "/api/v1/account/phone/verify",
      site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"code"}));
        ASSIGN_OR_RETURN(
            std::string code,
            StringField(body, "code", InvalidArgumentError("the code is the 6 digits of the text message", "code")));
        RETURN_IF_ERROR(contacts.VerifyPhone(ctx.principal, code));
        ASSIGN_OR_RETURN(PhoneState state, contacts.Phone(ctx.principal));
        return web::Site::Json(200, PhoneJson(state));
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
