#include "http/message.h"

#include <algorithm>
#include <cstddef>

#include "common/utf8.h"

namespace ningju::http {
namespace {

// ASCII-only lower-casing: header names are ASCII tokens, and locale-aware functions would be slower and wrong here.
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

Response WithContentType(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace("Content-Type", std::move(content_type));
  return r;
}

}  // namespace

bool HeaderLess::operator()(std::string_view a, std::string_view b) const {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const char x = Lower(a[i]);
    const char y = Lower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  }
  return a.size() < b.size();
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  // RFC 6265 section 5.4: "a=b; c=d". A proxy may split cookies over several Cookie headers, so all are searched.
  auto [first, last] = headers.equal_range(std::string_view("Cookie"));
  for (auto it = first; it != last; ++it) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (Trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

void Response::SetHeader(std::string name, std::string value) {
  headers.erase(name);
  headers.emplace(std::move(name), std::move(value));
}

void Response::SetCookie(std::string_view name, std::string_view value, const CookieOptions& options) {
  std::string c;
  c.reserve(name.size() + value.size() + 64);
  c.append(name).append("=").append(value);
  if (!options.path.empty()) c.append("; Path=").append(options.path);
  if (options.max_age_seconds >= 0) c.append("; Max-Age=").append(std::to_string(options.max_age_seconds));
  if (options.http_only) c.append("; HttpOnly");
  if (options.secure) c.append("; Secure");
  if (!options.same_site.empty()) c.append("; SameSite=").append(options.same_site);
  headers.emplace("Set-Cookie", std::move(c));
}

Response Response::Text(int status, std::string body) {
  return WithContentType(status, std::move(body), "text/plain; charset=utf-8");
}

Response Response::Html(int status, std::string body) {
  return WithContentType(status, std::move(body), "text/html; charset=utf-8");
}

Response Response::Json(int status, std::string body) {
  return WithContentType(status, std::move(body), "application/json; charset=utf-8");
}

Response Response::Redirect(std::string location, int status) {
  Response r;
  r.status = status;
  r.headers.emplace("Location", std::move(location));
  return r;
}

Response Response::File(std::string content_type, std::string_view filename, std::string body, bool inline_display) {
  Response r;
  r.status = 200;
  r.headers.emplace("Content-Type", std::move(content_type));
  std::string ascii;
  for (char c : filename) {
    unsigned char u = static_cast<unsigned char>(c);
    ascii += (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') ? '_' : c;
  }
  r.headers.emplace("Content-Disposition", std::string(inline_display ? "inline" : "attachment") + "; filename=\"" +
                                               ascii + "\"; filename*=UTF-8''" + PercentEncode(filename));
  r.headers.emplace("Cache-Control", "private, max-age=3600");
  r.body = std::move(body);
  return r;
}

std::string_view ReasonPhrase(int status) {
  // clang-format off
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
  // clang-format on
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::optional<std::multimap<std::string, std::string>> ParseUrlEncoded(std::string_view s) {
  std::multimap<std::string, std::string> out;
  while (!s.empty()) {
    const size_t amp = s.find('&');
    std::string_view pair = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2": browsers never send it, but it is harmless
    const size_t eq = pair.find('=');
    std::optional<std::string> key = PercentDecode(pair.substr(0, eq), /*plus_as_space=*/true);
    std::optional<std::string> value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), /*plus_as_space=*/true);
    if (!key || !value) return std::nullopt;
    // Every text that enters ningju is valid UTF-8 from here on (see common/utf8.h).
    if (utf8::FindInvalid(*key) || utf8::FindInvalid(*value)) return std::nullopt;
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

}  // namespace ningju::http
