// What of a request target may be written to a log: the access log must never hold a credential or a person's phone
// number (STYLE.md item 22), while the path and the other parameters stay readable for operations.
#ifndef NINGJU_HTTP_LOG_REDACTION_H_
#define NINGJU_HTTP_LOG_REDACTION_H_

#include <string>
#include <string_view>

namespace ningju::http {

// The target with:
//   - the value of every query parameter named like a credential (case-insensitive: api_key, apikey, key, token,
//     access_token, refresh_token, id_token, code, password, secret, session, _csrf, csrf, signature, sig, and any
//     name ending in _token or _key) replaced by "[redacted]";
//   - every mainland mobile number (11 digits 1[3-9]xxxxxxxxx, optionally +86/86 before it and single spaces or
//     hyphens between digits, not part of a longer run of digits) in the path or any query value, also inside other
//     text and also percent-encoded, replaced by "[phone]";
//   - a query string that is not well-formed (a bad %XX) replaced by "[malformed query]".
// Parameter order and the rest of the text are kept.
std::string RedactTargetForLog(std::string_view target);

// `text` with every mainland mobile number (as above) replaced by "[phone]".
std::string MaskPhoneNumbers(std::string_view text);

}  // namespace ningju::http

#endif  // NINGJU_HTTP_LOG_REDACTION_H_
