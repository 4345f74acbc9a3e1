#include "web/site.h"

#include <algorithm>

#include "auth/crypto.h"
#include "common/utf8.h"

namespace ningju::web {
namespace {

constexpr size_t kMaxFormFields = 200;

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

StatusOr<RequestContext> Site::Begin(const http::Request& req) const {
  RequestContext ctx;
  std::string_view authorization = req.Header("Authorization");
  if (authorization.rfind("Bearer ", 0) == 0) {
    ASSIGN_OR_RETURN(ctx.principal, accounts_.AuthenticateToken(std::string(authorization.substr(7)), req.method));
    ctx.via_bearer = true;
  } else if (auto cookie = req.Cookie(kSessionCookie)) {
    auto principal = accounts_.Authenticate(*cookie);
    if (principal.ok()) {
      ctx.principal = std::move(principal).value();
      ctx.session_token = *cookie;
    } else if (principal.status().code() != StatusCode::kUnauthenticated) {
      return principal.status();
    }
  }
  ctx.csrf_seed = ctx.session_token;
  if (ctx.csrf_seed.empty()) {
    auto anon = req.Cookie(kCsrfCookie);
    if (anon && anon->size() >= 20 && anon->size() <= 64) {
      ctx.csrf_seed = *anon;
    } else {
      ctx.csrf_seed = auth::RandomToken(24);
      ctx.new_csrf_cookie = true;
    }
  }
  std::string lang = req.Query("lang").value_or(req.Cookie(kLangCookie).value_or(""));
  if (lang.empty() && ctx.principal.signed_in() && !ctx.principal.locale.empty()) lang = ctx.principal.locale;
  ctx.locale = i18n_.Negotiate(lang, req.Header("Accept-Language"));

  std::string_view content_type = req.Header("Content-Type");
  if (!req.body.empty() && content_type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    auto form = http::ParseUrlEncoded(req.body);
    if (!form) return InvalidArgumentError("malformed form body: bad percent-encoding or invalid UTF-8", "body");
    if (form->size() > kMaxFormFields) return InvalidArgumentError("too many form fields", "body");
    for (const auto& [k, v] : *form) {
      RETURN_IF_ERROR(utf8::Validate(k, "body"));
      RETURN_IF_ERROR(utf8::Validate(v, k));
    }
    ctx.form = std::move(*form);
  } else if (!req.body.empty() && content_type.rfind("multipart/form-data", 0) == 0) {
    ASSIGN_OR_RETURN(auto parts, http::ParseMultipart(content_type, req.body));
    for (auto& part : parts) {
      RETURN_IF_ERROR(utf8::Validate(part.name, "body"));
      if (part.filename.empty()) {
        RETURN_IF_ERROR(utf8::Validate(part.body, part.name));
        ctx.form.emplace(part.name, std::move(part.body));
      } else {
        ctx.files.push_back(std::move(part));
      }
    }
  }
  return ctx;
}

std::string Site::CsrfToken(const RequestContext& ctx) const {
  return auth::HmacHex(options_.csrf_secret, "csrf:" + ctx.csrf_seed);
}

Status Site::CheckCsrf(const RequestContext& ctx, const http::Request& req) const {
  if (ctx.via_bearer) return OkStatus();
  std::string given = Field(ctx, kCsrfField);
  if (given.empty()) given = std::string(req.Header(kCsrfHeader));
  // A freshly minted seed means the browser sent no cookie: it cannot hold a valid token.
  if (given.empty() || ctx.new_csrf_cookie || !auth::SafeEquals(given, CsrfToken(ctx))) {
    return PermissionDeniedError(
        "the form has expired or did not come from this site (CSRF check failed); "
        "reload the page and try again");
  }
  return OkStatus();
}

http::Response Site::Page(RequestContext& ctx, const std::string& template_name, nlohmann::json data,
                          const std::string& title, int status) const {
  // Mustache has no "is this list empty": every top-level list X gets a flag has_X for the templates.
  std::vector<std::string> lists;
  for (const auto& [key, value] : data.items()) {
    if (value.is_array()) lists.push_back(key);
  }
  for (const auto& key : lists) data["has_" + key] = !data[key].empty();
  const nlohmann::json& t = i18n_.Messages(ctx.locale);
  data["lang"] = ctx.locale;
  data["lang_en"] = ctx.locale == "en";
  data["csrf"] = CsrfToken(ctx);
  data["title"] = title;
  if (ctx.principal.signed_in()) {
    data["user"] = {{"name", ctx.principal.display_name},
                    {"is_admin", ctx.principal.HasPermissionSomewhere(auth::Permission::kGrantRoles)},
                    {"is_staff", ctx.principal.HasPermissionSomewhere(auth::Permission::kEditArea)}};
  }
  auto body = templates_.Render(template_name, data, &t);
  if (!body.ok()) return http::Response::Text(500, "template error: " + body.status().message());
  // The layout needs only the common values; converting the page's own data a second time was wasted work.
  nlohmann::json layout = {{"lang", data["lang"]},
                           {"lang_en", data["lang_en"]},
                           {"csrf", data["csrf"]},
                           {"title", data["title"]},
                           {"user", data.value("user", nlohmann::json())},
                           {"html_content", std::move(body).value()}};
  auto page = templates_.Render("layout", layout, &t);
  if (!page.ok()) return http::Response::Text(500, "template error: " + page.status().message());
  http::Response resp = http::Response::Html(status, std::move(page).value());
  resp.SetHeader("Content-Language", ctx.locale);
  resp.SetHeader("Vary", "Accept-Language, Cookie");
  if (ctx.new_csrf_cookie) {
    http::CookieOptions o;
    o.secure = options_.secure_cookies;
    resp.SetCookie(kCsrfCookie, ctx.csrf_seed, o);
    ctx.new_csrf_cookie = false;
  }
  return resp;
}

http::Response Site::ErrorPage(RequestContext& ctx, const Status& status) const {
  nlohmann::json data = {{"code", HttpStatusFor(status.code())},
                         {"message", ErrorText(ctx, status)},
                         {"field", FieldText(ctx, status.field())},
                         {"needs_sign_in", status.code() == StatusCode::kUnauthenticated}};
  return Page(ctx, "error", data, i18n_.Get(ctx.locale, "error_title"), HttpStatusFor(status.code()));
}

http::Response Site::Json(int status, const nlohmann::json& body) {
  return http::Response::Json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response Site::JsonError(const Status& status) {
  nlohmann::json err = {{"code", StatusCodeName(status.code())}, {"message", status.message()}};
  err["field"] = status.field().empty() ? nlohmann::json(nullptr) : nlohmann::json(status.field());
  return Json(HttpStatusFor(status.code()), {{"error", err}});
}

void Site::SetSessionCookie(http::Response& resp, const std::string& token) const {
  http::CookieOptions o;
  o.secure = options_.secure_cookies;
  o.max_age_seconds = accounts_.options().session_absolute_seconds;
  resp.SetCookie(kSessionCookie, token, o);
}

void Site::ClearSessionCookie(http::Response& resp) const {
  http::CookieOptions o;
  o.secure = options_.secure_cookies;
  o.max_age_seconds = 0;
  resp.SetCookie(kSessionCookie, "", o);
}

void Site::SetDeviceCookie(http::Response& resp, const std::string& value) const {
  http::CookieOptions o;
  o.secure = options_.secure_cookies;
  o.max_age_seconds = accounts_.options().known_device_days * 24 * 3600;
  resp.SetCookie(kDeviceCookie, value, o);
}

void Site::SetLanguageCookie(http::Response& resp, const std::string& locale) const {
  http::CookieOptions o;
  o.secure = options_.secure_cookies;
  o.max_age_seconds = 365 * 24 * 3600;
  o.http_only = false;
  resp.SetCookie(kLangCookie, locale, o);
}

http::Handler Site::Web(RouteFn fn) const {
  return [this, fn = std::move(fn)](http::Request& req) -> http::Response {
    auto ctx = Begin(req);
    if (!ctx.ok()) {
      RequestContext anonymous;
      anonymous.locale = i18n_.Negotiate("", req.Header("Accept-Language"));
      return ErrorPage(anonymous, ctx.status());
    }
    if (req.method != "GET" && req.method != "HEAD") {
      if (Status csrf = CheckCsrf(*ctx, req); !csrf.ok()) return ErrorPage(*ctx, csrf);
    }
    auto resp = fn(req, *ctx);
    if (!resp.ok()) return ErrorPage(*ctx, resp.status());
    return std::move(resp).value();
  };
}

http::Handler Site::Api(RouteFn fn) const {
  return [this, fn = std::move(fn)](http::Request& req) -> http::Response {
    auto ctx = Begin(req);
    if (!ctx.ok()) return JsonError(ctx.status());
    if (req.method != "GET" && req.method != "HEAD" && !ctx->via_bearer && ctx->principal.signed_in()) {
      if (Status csrf = CheckCsrf(*ctx, req); !csrf.ok()) return JsonError(csrf);
    }
    auto resp = fn(req, *ctx);
    if (!resp.ok()) return JsonError(resp.status());
    return std::move(resp).value();
  };
}

StatusOr<nlohmann::json> Site::JsonBody(const http::Request& req, const std::vector<std::string>& allowed) {
  if (req.Header("Content-Type").rfind("application/json", 0) != 0) {
    return InvalidArgumentError("send the body as application/json", "Content-Type");
  }
  RETURN_IF_ERROR(utf8::Validate(req.body, "body"));
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgumentError(Msg("malformed JSON at byte {}: {}", e.byte, e.what()), "body");
  }
  if (!body.is_object()) return InvalidArgumentError("the body must be a JSON object", "body");
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return InvalidArgumentError(Msg("unknown field \"{}\"", FieldName{key}), key);
    }
  }
  return body;
}

std::string Site::Field(const RequestContext& ctx, const std::string& name) {
  auto it = ctx.form.find(name);
  return it == ctx.form.end() ? "" : it->second;
}

}  // namespace ningju::web
