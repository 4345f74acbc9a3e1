// A minimal blocking HTTP/1.1 client over loopback for integration tests: one request per connection
// (Connection: close), cookies kept like a browser would.
#ifndef NINGJU_TESTS_INTEGRATION_HTTP_CLIENT_H_
#define NINGJU_TESTS_INTEGRATION_HTTP_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ningju::testing {

struct HttpResult {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}

  HttpResult Get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult Post(const std::string& target, const std::string& body, const std::string& content_type,
                  const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult Send(const std::string& method, const std::string& target, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers);
  // Sends raw bytes and returns the raw answer (for malformed requests).
  std::string Raw(const std::string& bytes);

  // Posts a form (fields percent-encoded), adding the CSRF token from the last page seen.
  HttpResult PostForm(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
                      bool with_csrf = true);

  std::map<std::string, std::string>& cookies() { return cookies_; }
  // The value of the hidden _csrf field of the last HTML page received.
  const std::string& csrf() const { return csrf_; }

 private:
  uint16_t port_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
};

std::string UrlEncode(const std::string& s);

}  // namespace ningju::testing

#endif  // NINGJU_TESTS_INTEGRATION_HTTP_CLIENT_H_
