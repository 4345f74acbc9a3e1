// What every route shares: who is asking (session cookie or API token), the interface language, CSRF tokens, and
// the one way to answer with a page, JSON, or an error (one JSON envelope, one error page).
#ifndef NINGJU_WEB_SITE_H_
#define NINGJU_WEB_SITE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "common/status.h"
#include "http/message.h"
#include "http/multipart.h"
#include "http/router.h"
#include "web/i18n.h"
#include "web/templates.h"

namespace ningju::web {

inline constexpr char kSessionCookie[] = "nj_session";
inline constexpr char kCsrfCookie[] = "nj_csrf";
inline constexpr char kLangCookie[] = "nj_lang";
inline constexpr char kDeviceCookie[] = "nj_device";
inline constexpr char kCsrfField[] = "_csrf";
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";

struct SiteOptions {
  bool secure_cookies = false;  // mark cookies Secure (behind TLS)
  std::string base_url = "http://127.0.0.1:8080";
  std::string csrf_secret;  // signs CSRF tokens; kept in the settings table
};

// Per-request state built by Site::Begin.
struct RequestContext {
  std::string request_id;  // http::Request::id: shown on error pages and in error envelopes
  auth::Principal principal;
  std::string locale;
  std::string session_token;  // from the cookie, when signed in
  std::string csrf_seed;      // the session token, or the anonymous CSRF cookie
  bool new_csrf_cookie = false;
  bool via_bearer = false;
  std::multimap<std::string, std::string> form;  // the fields of a urlencoded or multipart form body
  std::vector<http::FormPart> files;             // the file parts of a multipart form body
  // Where a sign-in asked for by this request returns (the 401 page's link): the request's own path and query for a
  // GET, the page the form was on (the Referer's path) for other methods; "/" when neither is a path of this site.
  std::string return_to = "/";
};

// RequestContext::return_to of `req`.
std::string ReturnTo(const http::Request& req);

// The box of a web form whose action cannot be undone (close a ballot early, reject, merge: name "confirm", value
// "1"), its label naming the consequence: OK when ticked, else kInvalidArgument (field "confirm"). The API's clients
// confirm in their own interface, so only web routes ask it.
Status RequireConfirm(const RequestContext& ctx);

// HTTP status for a Status code (400, 401, 403, 404, 409, 422, 429, 503, 500).
int HttpStatusFor(StatusCode code);

// The one test of a user-given redirect target (sign-in's `next`, the language switch's way back): `target` when it
// is a path on this site, "/" otherwise. Refused: anything not starting with a single '/' (no "//"), a '\'
// anywhere (browsers read "/\evil" as "//evil"), any control character (0x00-0x1F, 0x7F: "/\r/evil" is "//evil" to
// a browser that drops it), any raw byte beyond ASCII (escaped UTF-8 is fine), more than 2,000 bytes, and a
// percent-escape that is malformed or decodes (once or more) to any of these.
std::string SafeLocalPath(std::string_view target);

class Site;
// A route's body: answers, or fails with a Status that the wrapper turns into an error page or a JSON error.
using RouteFn = std::function<StatusOr<http::Response>(http::Request&, RequestContext&)>;
// Whether the one asking may send this request at all: called with the context of Site::Identify (who is asking, the
// language), before the body is parsed.
using GateFn = std::function<Status(const http::Request&, const RequestContext&)>;
// The gate of an action any account may attempt (the service then judges the object): anonymous visitors are asked
// to sign in (401) before their input is read.
Status SignedInGate(const http::Request& req, const RequestContext& ctx);

// What the layout's header shows besides the common values (the inbox link), for a signed-in viewer's pages.
using HeaderFn = std::function<nlohmann::json(const RequestContext&)>;
// What a module above web adds to a page's own data from what the page's data names (the follow button of a page
// whose data has "follow_ref"): called by Page with the page's data before rendering; it must not fail the page.
// What every page's header shows is HeaderFn's, not a hook's.
using PageHook = std::function<void(const RequestContext&, nlohmann::json& data)>;

class Site {
 public:
  Site(SiteOptions options, const Templates& templates, const I18n& i18n, auth::AccountService& accounts)
      : options_(std::move(options)), templates_(templates), i18n_(i18n), accounts_(accounts) {}

  // Authenticates (Bearer token first, then the session cookie), picks the language, parses a form body.
  // A malformed form or invalid UTF-8 in it is an error naming the field.
  StatusOr<RequestContext> Begin(const http::Request& req) const;

  // The CSRF token for forms rendered for this request.
  std::string CsrfToken(const RequestContext& ctx) const;
  // Checks the token of a state-changing request (form field _csrf or header X-CSRF-Token). Requests
  // authenticated by an API token carry no cookie and need none.
  Status CheckCsrf(const RequestContext& ctx, const http::Request& req) const;

  // A full HTML page: `template_name` rendered with `data` plus the common data (t, user, csrf, lang), inside the
  // layout. Every top-level list `X` of `data` also gets a boolean `has_X`. Sets the anonymous CSRF cookie when one
  // was created.
  http::Response Page(RequestContext& ctx, const std::string& template_name, nlohmann::json data,
                      const std::string& title, int status = 200) const;
  // An error page for `status` (its code picks the HTTP status), its message and field in the visitor's language,
  // and the request id. An internal error reads as the general sentence; its real text goes to the access log.
  http::Response ErrorPage(RequestContext& ctx, const Status& status) const;

  static http::Response Json(int status, const nlohmann::json& body);
  // {"error": {"code": "not_found", "message": "...", "field": "...", "request_id": "..."}} with the matching HTTP
  // status. An internal error's message is the general sentence (web/public_error.h) and its field null; its real
  // text goes to the access log (Response::log_note).
  static http::Response JsonError(const Status& status, std::string_view request_id);
  // The HTTP server's own refusals (a malformed request, query string or path, 404, 405, 413, 431) are plain text;
  // under /api/ they become the same envelope ("malformed_request", "not_found", "method_not_allowed",
  // "too_large"), so an API client reads every error one way. Other answers are left as they are.
  static void EnvelopeServerError(const http::Request& req, http::Response& resp);

  // Starts a session cookie after sign-in / clears it.
  void SetSessionCookie(http::Response& resp, const std::string& token) const;
  void ClearSessionCookie(http::Response& resp) const;
  void SetLanguageCookie(http::Response& resp, const std::string& locale) const;
  // The known-device cookie (auth::AccountOptions): HttpOnly, kept known_device_days.
  void SetDeviceCookie(http::Response& resp, const std::string& value) const;

  // Wraps a page route: Begin(), the CSRF check for every method but GET/HEAD, errors as error pages.
  http::Handler Web(RouteFn fn) const { return Web(nullptr, std::move(fn)); }
  // Web() for a route whose input is validated after `gate` allows the one asking (who may take the action on the
  // path's object): a refused caller learns "not allowed", never "bad input" first (STYLE.md item 19).
  http::Handler Web(GateFn gate, RouteFn fn) const;
  // Wraps an upload page route (a roster, an attachment): who is asking, then `gate` (the permission for the object),
  // and only when it allows: the form body is parsed, the CSRF token checked and `fn` run. A stranger's file is never
  // parsed (STYLE.md item 20). Errors as error pages.
  http::Handler Upload(GateFn gate, RouteFn fn) const;
  // Wraps an API route: Begin(), the CSRF check for cookie-authenticated writes, errors as the JSON envelope.
  http::Handler Api(RouteFn fn) const { return Api(nullptr, std::move(fn)); }
  // Api() with a `gate` asked before the body is read, as Web(gate, fn).
  http::Handler Api(GateFn gate, RouteFn fn) const;
  // Api() for a route that takes an upload: who is asking, then `gate`, and only when it allows is the body parsed,
  // the CSRF token checked (cookie-authenticated writes) and `fn` run. Errors as the JSON envelope.
  http::Handler ApiUpload(GateFn gate, RouteFn fn) const;

  // Parses a JSON object body: malformed JSON is an error naming the byte, a number out of range (1e999, or an
  // integer beyond int64) is refused, a field not in `allowed` is refused by name, invalid UTF-8 is refused. Every
  // error is kInvalidArgument (400).
  static StatusOr<nlohmann::json> JsonBody(const http::Request& req, const std::vector<std::string>& allowed);

  // A form field (first value), or "".
  static std::string Field(const RequestContext& ctx, const std::string& name);

  // Sets the header's extra values (the layout reads them as {{header.<key>}}). Call before serving.
  void SetHeaderData(HeaderFn fn) { header_ = std::move(fn); }
  // Adds a page hook, run in the order added. Call before serving (the hooks are read without a lock).
  void AddPageHook(PageHook hook) { page_hooks_.push_back(std::move(hook)); }

  const I18n& i18n() const { return i18n_; }
  const Templates& templates() const { return templates_; }
  auth::AccountService& accounts() const { return accounts_; }
  const SiteOptions& options() const { return options_; }
  std::string T(const RequestContext& ctx, const std::string& key) const { return i18n_.Get(ctx.locale, key); }
  // A Status's message as the visitor reads it (I18n::ErrorText), for error pages and errors shown inside a form.
  std::string ErrorText(const RequestContext& ctx, const Status& status) const {
    return i18n_.ErrorText(ctx.locale, status);
  }
  // An input field's name in the visitor's language.
  std::string FieldText(const RequestContext& ctx, const std::string& field) const {
    return i18n_.FieldText(ctx.locale, field);
  }
  // ErrorText followed by the status's field, if any, in the visitor's parentheses ("标题不能为空（标题）",
  // "title must not be empty (title)"), for an error shown inside a form.
  std::string ErrorTextWithField(const RequestContext& ctx, const Status& status) const {
    const std::string text = ErrorText(ctx, status);
    return status.field().empty() ? text : Punct(ctx).Parenthesized(text, FieldText(ctx, status.field()));
  }
  // The visitor's punctuation (web::Punctuation) for text built in C++.
  Punctuation Punct(const RequestContext& ctx) const { return i18n_.Punct(ctx.locale); }

 private:
  // The first part of Begin: the principal (Bearer token or session cookie), the CSRF seed, the language.
  StatusOr<RequestContext> Identify(const http::Request& req) const;
  // The second part: a urlencoded or multipart form body into ctx.form and ctx.files.
  Status ParseForm(const http::Request& req, RequestContext& ctx) const;

  SiteOptions options_;
  const Templates& templates_;
  const I18n& i18n_;
  auth::AccountService& accounts_;
  HeaderFn header_;
  std::vector<PageHook> page_hooks_;
};

}  // namespace ningju::web

#endif  // NINGJU_WEB_SITE_H_
