#include "web/site.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "auth/crypto.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "web/public_error.h"

namespace ningju::web {
namespace {

constexpr size_t kMaxFormFields = 200;

// An integer JSON number beyond int64 (nlohmann keeps 2^63 .. 2^64-1 as unsigned): every route reads integers as
// int64, where such a value would wrap around to a negative one. Iterative, so that deep nesting costs no stack.
bool HasIntegerBeyondInt64(const nlohmann::json& root) {
  std::vector<const nlohmann::json*> todo = {&root};
  while (!todo.empty()) {
    const nlohmann::json* v = todo.back();
    todo.pop_back();
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return true;
    }
    if (v->is_structured()) {
      for (const auto& child : *v) todo.push_back(&child);
    }
  }
  return false;
}

// A template that fails to render is our bug: the visitor reads the general sentence, the log the template's error.
http::Response TemplateFailure(const Status& status) {
  http::Response resp = http::Response::Text(500, PublicMessage(InternalError("template")) + "\n");
  resp.log_note = "template error: " + status.ToString();
  return resp;
}

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

namespace {

// A path that cannot leave the site: one leading '/', then no backslash or control byte (nor, in the raw form, a
// byte beyond ASCII), and never "//" at the start.
bool IsPlainLocalPath(std::string_view p, bool raw) {
  if (p.empty() || p[0] != '/' || (p.size() > 1 && p[1] == '/')) return false;
  return std::none_of(p.begin(), p.end(), [raw](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    // Bytes beyond ASCII only as escapes: a browser may fold a raw fullwidth solidus into '/'; an escaped one stays.
    return c < 0x20 || c == 0x7F || (raw && c >= 0x80) || c == '\\';
  });
}

}  // namespace

std::string SafeLocalPath(std::string_view target) {
  constexpr size_t kMaxLength = 2000;
  if (target.size() > kMaxLength) return "/";
  // A proxy or browser that decodes once more must not find an off-site form either: check every decoding until it
  // no longer changes.
  std::string form(target);
  for (int round = 0; round < 4; ++round) {
    if (!IsPlainLocalPath(form, /*raw=*/round == 0)) return "/";
    std::optional<std::string> decoded = http::PercentDecode(form, /*plus_as_space=*/false);
    if (!decoded) return "/";
    if (*decoded == form) return std::string(target);
    form = std::move(*decoded);
  }
  return "/";  // still encoded after four rounds: no honest link does that
}

StatusOr<RequestContext> Site::Begin(const http::Request& req) const {
  ASSIGN_OR_RETURN(RequestContext ctx, Identify(req));
  RETURN_IF_ERROR(ParseForm(req, ctx));
  return ctx;
}

std::string ReturnTo(const http::Request& req) {
  if (req.method == "GET" || req.method == "HEAD") return SafeLocalPath(req.target);
  // The Referer of a form on this site (Referrer-Policy same-origin sends it only there): its path and query.
  std::string_view referer = req.Header("Referer");
  const size_t scheme = referer.find("://");
  if (scheme == std::string_view::npos) return "/";
  const size_t path = referer.find('/', scheme + 3);
  if (path == std::string_view::npos) return "/";
  return SafeLocalPath(referer.substr(path));
}

Status RequireConfirm(const RequestContext& ctx) {
  if (Site::Field(ctx, "confirm") == "1") return OkStatus();
  return InvalidArgumentError("tick the box to confirm: this cannot be undone", "confirm");
}

StatusOr<RequestContext> Site::Identify(const http::Request& req) const {
  RequestContext ctx;
  ctx.request_id = req.id;
  ctx.return_to = ReturnTo(req);
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
  return ctx;
}

Status Site::ParseForm(const http::Request& req, RequestContext& ctx) const {
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
  return OkStatus();
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
  for (const PageHook& hook : page_hooks_) hook(ctx, data);
  auto body = templates_.Render(template_name, data, &t);
  if (!body.ok()) return TemplateFailure(body.status());
  // The layout needs only the common values; converting the page's own data a second time was wasted work.
  nlohmann::json layout = {{"lang", data["lang"]},
                           {"lang_en", data["lang_en"]},
                           {"csrf", data["csrf"]},
                           {"title", data["title"]},
                           {"user", data.value("user", nlohmann::json())},
                           {"header", ctx.principal.signed_in() && header_ ? header_(ctx) : nlohmann::json::object()},
                           {"html_content", std::move(body).value()}};
  auto page = templates_.Render("layout", layout, &t);
  if (!page.ok()) return TemplateFailure(page.status());
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
                         {"needs_sign_in", status.code() == StatusCode::kUnauthenticated},
                         {"sign_in_next", http::PercentEncode(ctx.return_to)},
                         {"request_id", ctx.request_id}};
  http::Response resp = Page(ctx, "error", data, i18n_.Get(ctx.locale, "error_title"), HttpStatusFor(status.code()));
  if (resp.log_note.empty()) resp.log_note = LogNoteFor(status);
  return resp;
}

http::Response Site::Json(int status, const nlohmann::json& body) {
  return http::Response::Json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response Site::JsonError(const Status& status, std::string_view request_id) {
  nlohmann::json err = {{"code", StatusCodeName(status.code())}, {"message", PublicMessage(status)}};
  const bool own = PublicKindOf(status.code()) == PublicErrorKind::kOwnMessage;
  err["field"] = status.field().empty() || !own ? nlohmann::json(nullptr) : nlohmann::json(status.field());
  err["request_id"] = std::string(request_id);
  http::Response resp = Json(HttpStatusFor(status.code()), {{"error", err}});
  resp.log_note = LogNoteFor(status);
  return resp;
}

void Site::EnvelopeServerError(const http::Request& req, http::Response& resp) {
  if (resp.status < 400 || !req.target.starts_with("/api/")) return;
  const auto type = resp.headers.find("Content-Type");  // the names compare without case
  if (type == resp.headers.end() || !type->second.starts_with("text/plain")) return;
  const char* code = resp.status == 404                         ? "not_found"
                     : resp.status == 405                       ? "method_not_allowed"
                     : resp.status == 413 || resp.status == 431 ? "too_large"
                     : resp.status == 400                       ? "malformed_request"
                                                                : nullptr;
  if (code == nullptr) return;
  const std::string message(Trim(resp.body));
  const nlohmann::json body = {
      {"error", {{"code", code}, {"message", message}, {"field", nullptr}, {"request_id", req.id}}}};
  http::Response json = Json(resp.status, body);
  resp.body = std::move(json.body);
  for (auto& [name, value] : json.headers) resp.SetHeader(name, value);
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

Status SignedInGate(const http::Request&, const RequestContext& ctx) {
  if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in first");
  return OkStatus();
}

http::Handler Site::Web(GateFn gate, RouteFn fn) const {
  return [this, gate = std::move(gate), fn = std::move(fn)](http::Request& req) -> http::Response {
    auto ctx = Begin(req);
    if (!ctx.ok()) {
      RequestContext anonymous;
      anonymous.request_id = req.id;
      anonymous.return_to = ReturnTo(req);
      anonymous.locale = i18n_.Negotiate("", req.Header("Accept-Language"));
      return ErrorPage(anonymous, ctx.status());
    }
    if (gate) {
      if (Status allowed = gate(req, *ctx); !allowed.ok()) return ErrorPage(*ctx, allowed);
    }
    if (req.method != "GET" && req.method != "HEAD") {
      if (Status csrf = CheckCsrf(*ctx, req); !csrf.ok()) return ErrorPage(*ctx, csrf);
    }
    auto resp = fn(req, *ctx);
    if (!resp.ok()) return ErrorPage(*ctx, resp.status());
    return std::move(resp).value();
  };
}

http::Handler Site::Upload(GateFn gate, RouteFn fn) const {
  return [this, gate = std::move(gate), fn = std::move(fn)](http::Request& req) -> http::Response {
    auto ctx = Identify(req);
    auto fail = [&](RequestContext& c, const Status& s) { return ErrorPage(c, s); };
    if (!ctx.ok()) {
      RequestContext anonymous;
      anonymous.request_id = req.id;
      anonymous.return_to = ReturnTo(req);
      anonymous.locale = i18n_.Negotiate("", req.Header("Accept-Language"));
      return fail(anonymous, ctx.status());
    }
    // The permission first: a stranger's upload is refused before its body is looked at (STYLE.md item 20).
    if (Status allowed = gate(req, *ctx); !allowed.ok()) return fail(*ctx, allowed);
    if (Status parsed = ParseForm(req, *ctx); !parsed.ok()) return fail(*ctx, parsed);
    if (Status csrf = CheckCsrf(*ctx, req); !csrf.ok()) return fail(*ctx, csrf);
    auto resp = fn(req, *ctx);
    if (!resp.ok()) return fail(*ctx, resp.status());
    return std::move(resp).value();
  };
}

http::Handler Site::Api(GateFn gate, RouteFn fn) const {
  return [this, gate = std::move(gate), fn = std::move(fn)](http::Request& req) -> http::Response {
    auto ctx = Begin(req);
    if (!ctx.ok()) return JsonError(ctx.status(), req.id);
    if (gate) {
      if (Status allowed = gate(req, *ctx); !allowed.ok()) return JsonError(allowed, req.id);
    }
    if (req.method != "GET" && req.method != "HEAD" && !ctx->via_bearer && ctx->principal.signed_in()) {
      if (Status csrf = CheckCsrf(*ctx, req); !csrf.ok()) return JsonError(csrf, req.id);
    }
    auto resp = fn(req, *ctx);
    if (!resp.ok()) return JsonError(resp.status(), req.id);
    return std::move(resp).value();
  };
}

http::Handler Site::ApiUpload(GateFn gate, RouteFn fn) const {
  return [this, gate = std::move(gate), fn = std::move(fn)](http::Request& req) -> http::Response {
    auto ctx = Identify(req);
    if (!ctx.ok()) return JsonError(ctx.status(), req.id);
    // The permission first, as in Upload(): a stranger's file is refused before its body is looked at.
    if (Status allowed = gate(req, *ctx); !allowed.ok()) return JsonError(allowed, req.id);
    if (Status parsed = ParseForm(req, *ctx); !parsed.ok()) return JsonError(parsed, req.id);
    if (!ctx->via_bearer && ctx->principal.signed_in()) {
      if (Status csrf = CheckCsrf(*ctx, req); !csrf.ok()) return JsonError(csrf, req.id);
    }
    auto resp = fn(req, *ctx);
    if (!resp.ok()) return JsonError(resp.status(), req.id);
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
    // e.what() is the library's text: the byte says where, which is what the client needs.
    return InvalidArgumentError(Msg("malformed JSON at byte {}", e.byte), "body");
  } catch (const nlohmann::json::out_of_range&) {
    // 1e999, -1e999: a number that overflows a double.
    return InvalidArgumentError("a number in the JSON body is out of range", "body");
  } catch (const nlohmann::json::exception&) {
    return InvalidArgumentError("malformed JSON", "body");
  }
  if (HasIntegerBeyondInt64(body)) return InvalidArgumentError("a number in the JSON body is out of range", "body");
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
