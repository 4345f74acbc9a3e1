// Text messages through an HTTP gateway with libcurl (transport.h).
#include "platform/delivery/transport.h"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "common/utf8.h"

namespace ningju::delivery {
namespace {

// A gateway's answer is its status; the body is read and dropped, up to this much: past it the gateway is not
// answering the request it was sent, and the attempt is cut short rather than read to the timeout.
constexpr size_t kMaxResponseBytes = 1 << 20;

Status InitCurl() {
  static std::once_flag once;
  static Status status;
  std::call_once(once, [] {
    if (const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
      status = InternalError(Msg("curl_global_init failed: {}", curl_easy_strerror(rc)));
    }
  });
  return status;
}

// A mainland mobile number: 11 digits starting with 1 ("13900001111"). The number stays out of the message: error
// texts reach logs.
Status CheckMobile(std::string_view to) {
  bool ok = to.size() == 11 && to[0] == '1';
  for (char c : to) ok = ok && c >= '0' && c <= '9';
  if (!ok) return InvalidArgumentError(Msg("{} must be an 11-digit mobile number", FieldName{"to"}), "to");
  return OkStatus();
}

struct Response {
  size_t bytes = 0;
  bool too_long = false;
};

size_t DropBody(char*, size_t size, size_t count, void* data) {
  auto* response = static_cast<Response*>(data);
  response->bytes += size * count;
  if (response->bytes > kMaxResponseBytes) {
    response->too_long = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  return size * count;
}

// transport.h: 2xx is sent; 408 (timeout) and 429 (slow down) are the gateway's state, and 401 and 403 its
// configuration (a wrong or expired token: every message would be refused until the operator fixes it, so they wait
// and are retried rather than dead); the other 4xx a refusal of this message; 3xx (redirects are not followed), 5xx
// and anything else may pass.
Status StatusFromHttp(long status) {
  if (status >= 200 && status < 300) return OkStatus();
  if (status >= 400 && status < 500 && status != 408 && status != 429 && status != 401 && status != 403) {
    return InvalidArgumentError(Msg("SMS gateway refused the message: HTTP {}", status));
  }
  return UnavailableError(Msg("SMS gateway unavailable: HTTP {}", status));
}

class SmsTransport final : public Transport {
 public:
  explicit SmsTransport(SmsOptions options) : options_(std::move(options)) {}
  SmsTransport(const SmsTransport&) = delete;
  SmsTransport& operator=(const SmsTransport&) = delete;

  Status Send(const Message& message) override;

 private:
  const SmsOptions options_;
};

Status SmsTransport::Send(const Message& message) {
  RETURN_IF_ERROR(CheckMobile(message.to));
  RETURN_IF_ERROR(utf8::Validate(message.body, "text"));
  // Valid UTF-8 never makes dump() throw; `replace` keeps it so should that check ever go.
  const std::string body = nlohmann::json{{"to", message.to}, {"text", message.body}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);

  // A handle per attempt: handles are not shared between threads.
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return InternalError("curl_easy_init failed");
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  // libcurl would otherwise wait for "100 Continue" before a larger body, a second lost to gateways that never send
  // one.
  if (list) list = curl_slist_append(list, "Expect:");
  if (list && !options_.token.empty())
    list = curl_slist_append(list, ("Authorization: Bearer " + options_.token).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(list, &curl_slist_free_all);
  if (!headers) return InternalError("curl_slist_append failed");
  Response response;
  const long timeout = options_.timeout_seconds;

  CURL* h = curl.get();
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_URL, options_.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT, timeout);
  set(CURLOPT_CONNECTTIMEOUT, timeout);
  set(CURLOPT_POST, 1L);
  set(CURLOPT_POSTFIELDS, body.c_str());
  set(CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_WRITEFUNCTION, &DropBody);
  set(CURLOPT_WRITEDATA, &response);
  if (rc != CURLE_OK) return InternalError(Msg("SMS setup failed: {}", curl_easy_strerror(rc)));

  rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  // A body cut off for its length still came after a status line, and the status is the answer.
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && response.too_long && status > 0)) return StatusFromHttp(status);
  return UnavailableError(Msg("SMS gateway unavailable: {}", curl_easy_strerror(rc)));
}

}  // namespace

StatusOr<std::unique_ptr<Transport>> NewSmsTransport(const SmsOptions& options) {
  RETURN_IF_ERROR(InitCurl());
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), &curl_url_cleanup);
  if (!url) return InternalError("curl_url failed");
  char* scheme = nullptr;
  char* host = nullptr;
  const bool parsed =
      curl_url_set(url.get(), CURLUPART_URL, options.url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_get(url.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(url.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] != '\0';
  const std::string scheme_text = parsed ? scheme : "";
  curl_free(scheme);
  curl_free(host);
  if (scheme_text != "http" && scheme_text != "https") {
    return InvalidArgumentError(Msg("{} must be an http:// or https:// URL", FieldName{"url"}), "url");
  }
  // libcurl reads 0 as "no timeout": one stuck gateway would then hold a delivery worker for good.
  if (options.timeout_seconds <= 0) {
    return InvalidArgumentError(Msg("{} must be > 0", FieldName{"timeout_seconds"}), "timeout_seconds");
  }
  // The token goes into a header line as it is: a CR or LF would add headers of its own.
  if (options.token.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgumentError(Msg("{} must be one line", FieldName{"token"}), "token");
  }
  return std::unique_ptr<Transport>(std::make_unique<SmsTransport>(options));
}

}  // namespace ningju::delivery
