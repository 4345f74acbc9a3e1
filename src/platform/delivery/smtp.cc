// Email through libcurl's SMTP (transport.h). The message is formatted here (FormatEmail) and handed to libcurl as an
// upload; libcurl speaks the protocol (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA with dot-stuffing).
#include "platform/delivery/transport.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>
#include <sodium.h>

#include "common/time.h"
#include "common/utf8.h"

namespace ningju::delivery {
namespace {

// RFC 2047 §2: an encoded-word is at most 75 characters and a header line holding one at most 76. 39 bytes of text
// are 52 base64 characters, so a word is 12 + 52 = 64 characters and "Subject: " or "From: " plus one word stays
// within 76; 39 is also a whole number of 3-byte Chinese characters.
constexpr size_t kWordBytes = 39;
constexpr size_t kEncodedLineMax = 76;
// RFC 2045 §6.8: base64 lines are at most 76 characters.
constexpr size_t kBodyLineMax = 76;

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));  // the encoded length counts the terminating NUL
  return out;
}

// The length of the UTF-8 sequence that `lead` starts. A stray byte (only in text that is not UTF-8, which Send
// refuses) counts alone, so the splitter below always moves forward.
size_t SequenceLength(unsigned char lead) {
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// `text` as RFC 2047 "B" encoded-words of at most kWordBytes each, split between characters: a decoder may decode
// each word on its own, so a character cut in two would show as two replacement characters.
std::vector<std::string> EncodedWords(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start;
    while (end < text.size()) {
      const size_t len = std::min(SequenceLength(static_cast<unsigned char>(text[end])), text.size() - end);
      if (end + len - start > kWordBytes) break;
      end += len;
    }
    words.push_back("=?UTF-8?B?" + Base64(text.substr(start, end - start)) + "?=");
    start = end;
  }
  return words;
}

// "Name: part part\r\n", folded before a part that would take the line past 76 characters. Whitespace between two
// encoded-words is not part of the text (RFC 2047 §6.2), so folding between them changes nothing.
std::string Header(std::string_view name, const std::vector<std::string>& parts) {
  std::string out(name);
  out += ':';
  size_t line = out.size();
  bool first = true;
  for (const std::string& part : parts) {
    if (!first && line + 1 + part.size() > kEncodedLineMax) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += part;
    line += 1 + part.size();
    first = false;
  }
  out += "\r\n";
  return out;
}

// RFC 2045 §6.8: text is base64-encoded in its canonical form, with CRLF line breaks.
std::string CanonicalLineBreaks(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

// An address goes into the envelope (MAIL FROM:<...>, RCPT TO:<...>) and a header as it is, so a CR or LF would start
// a new SMTP command or header and an angle bracket would end the address early; spaces and other control characters
// have no place in an unquoted address either. This is a guard against injection, not a full RFC 5321 parser: the
// server refuses what is merely malformed (a 5xx, kInvalidArgument). The address itself stays out of the message:
// error texts reach logs.
Status CheckAddress(std::string_view address, const std::string& field) {
  if (address.find('@') == std::string_view::npos) {
    return InvalidArgumentError(Msg("{} is not an email address (no @)", FieldName{field}), field);
  }
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>') {
      return InvalidArgumentError(
          Msg("{} must be a plain email address (no spaces, control characters or angle brackets)", FieldName{field}),
          field);
    }
  }
  return OkStatus();
}

// "Thu, 03 Dec 2026 20:00:00 +0800" (RFC 5322 §3.3) in Asia/Shanghai time, computed from the UTC instant: the host's
// time zone does not enter (STYLE.md 16).
std::string FormatDate(Instant t) {
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Instant local = t + kShanghaiOffset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::weekday weekday(day);
  const std::chrono::hh_mm_ss<std::chrono::seconds> time(local - day);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0800", kWeekdays[weekday.c_encoding()],
                     static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

// 128 random bits in hex at the sender's domain: unique without a counter shared between processes.
std::string NewMessageId(const std::string& from) {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex) + "@" + from.substr(from.rfind('@') + 1);
}

// libcurl and libsodium are set up once per process; a failure is kept and reported by every factory call.
Status InitLibraries() {
  static std::once_flag once;
  static Status status;
  std::call_once(once, [] {
    if (const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
      status = InternalError(Msg("curl_global_init failed: {}", curl_easy_strerror(rc)));
    } else if (sodium_init() < 0) {
      status = InternalError("sodium_init failed");
    }
  });
  return status;
}

// The lower-case scheme of `url`, or an error when libcurl cannot parse it or it names no host.
StatusOr<std::string> UrlScheme(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (!parsed) return InternalError("curl_url failed");
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return InvalidArgumentError(Msg("{} is not a URL", FieldName{"url"}), "url");
  }
  char* scheme = nullptr;
  char* host = nullptr;
  const bool ok = curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
                  curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] != '\0';
  std::string result = ok ? scheme : "";
  curl_free(scheme);
  curl_free(host);
  if (!ok) return InvalidArgumentError(Msg("{} names no host", FieldName{"url"}), "url");
  return result;
}

struct Upload {
  std::string_view rest;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* data) {
  auto* upload = static_cast<Upload*>(data);
  const size_t n = std::min(size * count, upload->rest.size());
  std::memcpy(buffer, upload->rest.data(), n);
  upload->rest.remove_prefix(n);
  return n;
}

// What a failed attempt means for the outbox. Connection, TLS and login failures are the server's or the
// configuration's and may pass; then the last SMTP reply decides: 5xx is permanent (RFC 5321 §4.2.1), which after a
// working login means this message (its recipient, mostly: libcurl reports a refused RCPT as CURLE_SEND_ERROR) will
// never go through, and 4xx is "try again later".
Status SendError(CURLcode rc, long reply) {
  const std::string what =
      reply > 0 ? fmt::format("{} (SMTP reply {})", curl_easy_strerror(rc), reply) : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_GOT_NOTHING:
    case CURLE_USE_SSL_FAILED:
    case CURLE_LOGIN_DENIED:
      return UnavailableError(Msg("SMTP server unavailable: {}", what));
    default:
      break;
  }
  if (reply >= 500 && reply < 600) return InvalidArgumentError(Msg("SMTP server refused the message: {}", what));
  if (reply >= 400 && reply < 500) return UnavailableError(Msg("SMTP server deferred the message: {}", what));
  if (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR) {
    return UnavailableError(Msg("SMTP server unavailable: {}", what));
  }
  return InternalError(Msg("SMTP send failed: {}", what));
}

class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpOptions options) : options_(std::move(options)) {}
  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  Status Send(const Message& message) override;

 private:
  const SmtpOptions options_;
};

Status SmtpTransport::Send(const Message& message) {
  RETURN_IF_ERROR(CheckAddress(message.to, "to"));
  RETURN_IF_ERROR(utf8::Validate(message.subject, "subject"));
  RETURN_IF_ERROR(utf8::Validate(message.body, "body"));
  const Instant now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string text = FormatEmail(options_, message, FormatDate(now), NewMessageId(options_.from));

  // A handle per attempt: handles are not shared between threads, and one connection per message is the contract.
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return InternalError("curl_easy_init failed");
  const std::string mail_from = "<" + options_.from + ">";
  const std::string rcpt_to = "<" + message.to + ">";
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(curl_slist_append(nullptr, rcpt_to.c_str()),
                                                                         &curl_slist_free_all);
  if (!recipients) return InternalError("curl_slist_append failed");
  Upload upload{text};
  const long timeout = options_.timeout_seconds;
  long use_ssl = CURLUSESSL_ALL;
  if (options_.starttls == "try") use_ssl = CURLUSESSL_TRY;
  if (options_.starttls == "off") use_ssl = CURLUSESSL_NONE;

  CURL* h = curl.get();
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_URL, options_.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT, timeout);
  set(CURLOPT_CONNECTTIMEOUT, timeout);
  set(CURLOPT_MAIL_FROM, mail_from.c_str());
  set(CURLOPT_MAIL_RCPT, recipients.get());
  set(CURLOPT_UPLOAD, 1L);
  set(CURLOPT_READFUNCTION, &ReadUpload);
  set(CURLOPT_READDATA, &upload);
  // smtps:// is TLS from the first byte whatever this says.
  set(CURLOPT_USE_SSL, use_ssl);
  if (!options_.user.empty()) {
    set(CURLOPT_USERNAME, options_.user.c_str());
    set(CURLOPT_PASSWORD, options_.password.c_str());
  }
  if (rc != CURLE_OK) return InternalError(Msg("SMTP setup failed: {}", curl_easy_strerror(rc)));

  rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return OkStatus();
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  return SendError(rc, reply);
}

}  // namespace

std::string FormatEmail(const SmtpOptions& options, const Message& message, const std::string& date,
                        const std::string& message_id) {
  // sodium_bin2base64 is plain code with no state: unlike randombytes_buf (Send's, after the factory's sodium_init),
  // it works before sodium_init(), so this may be called on its own.
  std::vector<std::string> from;
  if (!options.from_name.empty()) {
    from = EncodedWords(options.from_name);
    from.push_back("<" + options.from + ">");
  } else {
    from.push_back(options.from);
  }
  std::string out = Header("From", from);
  out += "To: " + message.to + "\r\n";
  // Always encoded, ASCII or not: a CR or LF in a subject then cannot start a header of its own.
  out += Header("Subject", EncodedWords(message.subject));
  out += "Date: " + date + "\r\n";
  out += "Message-ID: <" + message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "\r\n";
  const std::string body = Base64(CanonicalLineBreaks(message.body));
  for (size_t i = 0; i < body.size(); i += kBodyLineMax) {
    out.append(body, i, kBodyLineMax);
    out += "\r\n";
  }
  return out;
}

StatusOr<std::unique_ptr<Transport>> NewSmtpTransport(const SmtpOptions& options) {
  RETURN_IF_ERROR(InitLibraries());
  ASSIGN_OR_RETURN(const std::string scheme, UrlScheme(options.url));
  if (scheme != "smtp" && scheme != "smtps") {
    return InvalidArgumentError(Msg("{} must be smtp:// or smtps://", FieldName{"url"}), "url");
  }
  if (options.from.empty()) return InvalidArgumentError(Msg("{} must not be empty", FieldName{"from"}), "from");
  // A bad sender would fail every message; better to say so when the transport is configured.
  RETURN_IF_ERROR(CheckAddress(options.from, "from"));
  RETURN_IF_ERROR(utf8::Validate(options.from_name, "from_name"));
  if (options.starttls != "required" && options.starttls != "try" && options.starttls != "off") {
    return InvalidArgumentError(Msg("{} must be required, try or off", FieldName{"starttls"}), "starttls");
  }
  // libcurl reads 0 as "no timeout": one stuck server would then hold a delivery worker for good.
  if (options.timeout_seconds <= 0) {
    return InvalidArgumentError(Msg("{} must be > 0", FieldName{"timeout_seconds"}), "timeout_seconds");
  }
  return std::unique_ptr<Transport>(std::make_unique<SmtpTransport>(options));
}

}  // namespace ningju::delivery
