// HTTP request and response as the rest of ningju sees them: plain values, no Beast types.
#ifndef NINGJU_HTTP_MESSAGE_H_
#define NINGJU_HTTP_MESSAGE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ningju::http {

// Case-insensitive (ASCII) header names. Transparent, so headers.find("Content-Type") needs no std::string.
struct HeaderLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::multimap<std::string, std::string, HeaderLess>;

struct Request {
  std::string method;                             // "GET", "POST", ...
  std::string target;                             // as received: "/areas/3?x=1"
  std::string path;                               // percent-decoded path: "/areas/3"
  std::multimap<std::string, std::string> query;  // percent-decoded query parameters
  Headers headers;
  std::string body;
  std::string remote_address;  // peer IP address
  bool secure = false;         // arrived over TLS (X-Forwarded-Proto: https from a trusted proxy)
  // Set by the server for every request: the id the response's X-Request-Id header, the error envelopes and the
  // access log carry, so that a user's report of an error finds its log line.
  std::string id;
  // Filled by the router: the values of `{name}` segments of the matched pattern.
  std::map<std::string, std::string> path_params;

  // The first value of a header, or "".
  std::string_view Header(std::string_view name) const;
  // A cookie's value from the Cookie header(s); surrounding double quotes are removed. The first one wins.
  std::optional<std::string> Cookie(std::string_view name) const;
  // The first value of a query parameter.
  std::optional<std::string> Query(std::string_view name) const;
  // A path parameter; REQUIRES: the matched pattern has it.
  const std::string& Param(const std::string& name) const { return path_params.at(name); }
};

struct CookieOptions {
  std::string path = "/";
  int max_age_seconds = -1;  // -1: a session cookie; 0: delete
  bool http_only = true;
  bool secure = false;
  std::string same_site = "Lax";
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // For the access log only, never sent: what the client is not told (an internal error's real text). The server
  // puts it in AccessRecord::error.
  std::string log_note;

  // Replaces every header of that name.
  void SetHeader(std::string name, std::string value);
  // Adds a Set-Cookie header: "name=value; Path=/; Max-Age=N; HttpOnly; Secure; SameSite=Lax" (Max-Age only when
  // max_age_seconds >= 0). REQUIRES: name and value are cookie tokens (no ';', ',', whitespace, quotes or controls);
  // nothing is escaped. Browsers drop SameSite=None without Secure.
  void SetCookie(std::string_view name, std::string_view value, const CookieOptions& options);

  static Response Text(int status, std::string body);
  static Response Html(int status, std::string body);
  static Response Json(int status, std::string body);                // body: serialized JSON
  static Response Redirect(std::string location, int status = 303);  // empty body
  // A stored file: `content_type` as sniffed when it was stored, `filename` offered to the browser (RFC 6266
  // filename* in UTF-8, with an ASCII fallback), shown in the browser when `inline_display`, otherwise downloaded.
  // Private caching only: files belong to objects whose visibility the caller checked.
  static Response File(std::string content_type, std::string_view filename, std::string body, bool inline_display);
};

// The reason phrase for a status code ("Not Found").
std::string_view ReasonPhrase(int status);

// Percent-decodes `s` ('+' as space when `plus_as_space`). nullopt when a %XX escape is malformed.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space);
// Percent-encodes everything but unreserved characters.
std::string PercentEncode(std::string_view s);

// Parses an application/x-www-form-urlencoded body or query string ('+' is a space; "a" alone is a = ""; empty pairs
// are skipped). nullopt when malformed: a bad %XX escape, or a name or value that is not valid UTF-8 once decoded.
std::optional<std::multimap<std::string, std::string>> ParseUrlEncoded(std::string_view s);

}  // namespace ningju::http

#endif  // NINGJU_HTTP_MESSAGE_H_
