#include "http/log_redaction.h"

#include <array>
#include <cstddef>
#include <optional>

#include "http/message.h"

namespace ningju::http {
namespace {

constexpr std::string_view kRedacted = "[redacted]";
constexpr std::string_view kPhone = "[phone]";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IsCredentialName(std::string_view raw_name) {
  static constexpr std::array<std::string_view, 15> kNames = {
      "api_key",  "apikey", "key",    "token",   "access_token", "refresh_token", "id_token", "code",
      "password", "passwd", "secret", "session", "_csrf",        "csrf",          "signature"};
  const std::string name = LowerCopy(PercentDecode(raw_name, /*plus_as_space=*/true).value_or(std::string(raw_name)));
  for (std::string_view n : kNames) {
    if (name == n) return true;
  }
  return name == "sig" || name.ends_with("_token") || name.ends_with("_key") || name.ends_with("-token");
}

// The length of a mobile number starting at s[i] ('1'), or 0: eleven digits, the second 3-9, with at most one space
// or hyphen between two digits, and no digit right after it.
size_t MobileAt(std::string_view s, size_t i) {
  size_t digits = 0;
  size_t j = i;
  while (j < s.size() && digits < 11) {
    if (IsDigit(s[j])) {
      if (digits == 0 && s[j] != '1') return 0;
      if (digits == 1 && (s[j] < '3' || s[j] > '9')) return 0;
      ++digits;
      ++j;
    } else if (digits > 0 && (s[j] == ' ' || s[j] == '-') && j + 1 < s.size() && IsDigit(s[j + 1])) {
      ++j;
    } else {
      return 0;
    }
  }
  if (digits != 11 || (j < s.size() && IsDigit(s[j]))) return 0;
  return j - i;
}

}  // namespace

std::string MaskPhoneNumbers(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const bool boundary = i == 0 || !IsDigit(s[i - 1]);
    if (boundary) {
      // "+86 138...", "86138...": the country code goes with the number.
      size_t start = i;
      if (s[start] == '+') ++start;
      size_t after_cc = start;
      if (s.substr(start, 2) == "86") {
        after_cc = start + 2;
        if (after_cc < s.size() && (s[after_cc] == ' ' || s[after_cc] == '-')) ++after_cc;
      }
      if (after_cc != start) {
        if (const size_t n = after_cc < s.size() ? MobileAt(s, after_cc) : 0; n > 0) {
          out += kPhone;
          i = after_cc + n;
          continue;
        }
      }
      if (s[i] == '1') {
        if (const size_t n = MobileAt(s, i); n > 0) {
          out += kPhone;
          i += n;
          continue;
        }
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

std::string RedactTargetForLog(std::string_view target) {
  const size_t q = target.find('?');
  std::string out = MaskPhoneNumbers(target.substr(0, q));
  if (q == std::string_view::npos) return out;
  out.push_back('?');
  std::string_view query = target.substr(q + 1);
  bool first = true;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    if (!first) out.push_back('&');
    first = false;
    if (eq == std::string_view::npos) {
      out += MaskPhoneNumbers(name);
    } else {
      out += MaskPhoneNumbers(name);
      out.push_back('=');
      const std::string_view value = pair.substr(eq + 1);
      if (IsCredentialName(name)) {
        out += kRedacted;
      } else {
        std::optional<std::string> decoded = PercentDecode(value, /*plus_as_space=*/true);
        if (!decoded) return out.substr(0, q + 1) + "[malformed query]";
        if (*decoded == value) {
          out += MaskPhoneNumbers(value);  // nothing was encoded: mask in place
        } else {
          const std::string masked = MaskPhoneNumbers(*decoded);
          out += masked == *decoded ? std::string(value) : PercentEncode(masked);
        }
      }
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace ningju::http
