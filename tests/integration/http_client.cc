#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace ningju::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string HttpResult::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string HttpClient::Raw(const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return answer;
}

HttpResult HttpClient::Send(const std::string& method, const std::string& target, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  bool has_accept_language = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    if (Lower(k) == "accept-language") has_accept_language = true;
  }
  if (!has_accept_language) req += "Accept-Language: zh-CN\r\n";
  if (!cookies_.empty()) {
    req += "Cookie: ";
    bool first = true;
    for (const auto& [k, v] : cookies_) {
      if (!first) req += "; ";
      req += k + "=" + v;
      first = false;
    }
    req += "\r\n";
  }
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  std::string raw = Raw(req);
  HttpResult r;
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return r;
  std::string head = raw.substr(0, head_end);
  r.body = raw.substr(head_end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() >= 12) r.status = std::stoi(status_line.substr(9, 3));
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = Lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace(name, value);
      if (name == "set-cookie") {
        std::string pair = value.substr(0, value.find(';'));
        size_t eq = pair.find('=');
        std::string cname = pair.substr(0, eq), cvalue = pair.substr(eq + 1);
        if (value.find("Max-Age=0") != std::string::npos || cvalue.empty()) {
          cookies_.erase(cname);
        } else {
          cookies_[cname] = cvalue;
        }
      }
    }
    pos = end + 2;
  }
  if (r.Header("transfer-encoding") == "chunked") {
    std::string decoded;
    size_t p = 0;
    while (p < r.body.size()) {
      size_t eol = r.body.find("\r\n", p);
      size_t len = std::stoul(r.body.substr(p, eol - p), nullptr, 16);
      if (len == 0) break;
      decoded += r.body.substr(eol + 2, len);
      p = eol + 2 + len + 2;
    }
    r.body = decoded;
  }
  static const std::regex kCsrf(R"re(name="_csrf" value="([0-9a-f]+)")re");
  std::smatch m;
  if (std::regex_search(r.body, m, kCsrf)) csrf_ = m[1];
  return r;
}

HttpResult HttpClient::Get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers) {
  return Send("GET", target, "", headers);
}

HttpResult HttpClient::Post(const std::string& target, const std::string& body, const std::string& content_type,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
  auto h = headers;
  h.emplace_back("Content-Type", content_type);
  return Send("POST", target, body, h);
}

HttpResult HttpClient::PostForm(const std::string& target,
                                const std::vector<std::pair<std::string, std::string>>& fields, bool with_csrf) {
  std::string body;
  auto all = fields;
  if (with_csrf) all.emplace_back("_csrf", csrf_);
  for (const auto& [k, v] : all) {
    if (!body.empty()) body += '&';
    body += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return Post(target, body, "application/x-www-form-urlencoded");
}

}  // namespace ningju::testing
