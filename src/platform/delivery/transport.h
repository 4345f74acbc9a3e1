// The transports a delivery goes out through: email over SMTP (libcurl) and text messages through an HTTP gateway
// (libcurl). Each send is one blocking attempt with timeouts; retrying is the outbox's (delivery/outbox.h), so a
// transport only says whether this attempt worked and, when not, why (for last_error and the log).
#ifndef NINGJU_PLATFORM_DELIVERY_TRANSPORT_H_
#define NINGJU_PLATFORM_DELIVERY_TRANSPORT_H_

#include <memory>
#include <string>

#include "common/status.h"

namespace ningju::delivery {

// One message to one recipient.
struct Message {
  std::string to;       // an email address, or a mainland mobile number for SMS
  std::string subject;  // email only
  std::string body;     // plain UTF-8 text
};

class Transport {
 public:
  virtual ~Transport() = default;
  // One attempt. kUnavailable: the server could not be reached or refused for now (try again later);
  // kInvalidArgument: the message itself was refused (a bad address: no retry will help); kInternal otherwise.
  // Thread-safe.
  virtual Status Send(const Message& message) = 0;
};

struct SmtpOptions {
  std::string url;   // smtp://host:port (STARTTLS as `starttls` says) or smtps://host:port (TLS from the start)
  std::string user;  // empty: no authentication
  std::string password;
  std::string from;                   // the envelope sender and the From header: "ningju@example.org"
  std::string from_name;              // the From header's display name ("凝聚"), encoded as RFC 2047
  std::string starttls = "required";  // required | try | off (smtp:// only)
  int timeout_seconds = 30;
};

// Email through libcurl's SMTP: one connection per message, a MIME text/plain UTF-8 message (base64 body, RFC 2047
// subject) with Date and Message-ID. kInvalidArgument from NewSmtpTransport for a URL that is neither smtp:// nor
// smtps://, an empty `from` or an unknown `starttls`.
StatusOr<std::unique_ptr<Transport>> NewSmtpTransport(const SmtpOptions& options);

struct SmsOptions {
  std::string url;    // the gateway's endpoint: http:// or https://
  std::string token;  // sent as "Authorization: Bearer TOKEN" when not empty
  int timeout_seconds = 15;
};

// Text messages through an HTTP gateway: POST `url` with the JSON body {"to": "13900001111", "text": "..."}; any
// 2xx answer is sent, 4xx (other than 401, 403, 408 and 429: the gateway's configuration or state) is a refused
// message (kInvalidArgument), anything else or no answer kUnavailable.
StatusOr<std::unique_ptr<Transport>> NewSmsTransport(const SmsOptions& options);

// The RFC 5322 text NewSmtpTransport sends (exposed for its tests): headers, a blank line, the base64 body.
// `date` is an RFC 5322 date ("Thu, 03 Dec 2026 20:00:00 +0800"), `message_id` without the angle brackets.
std::string FormatEmail(const SmtpOptions& options, const Message& message, const std::string& date,
                        const std::string& message_id);

}  // namespace ningju::delivery

#endif  // NINGJU_PLATFORM_DELIVERY_TRANSPORT_H_
