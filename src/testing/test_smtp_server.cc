#include "testing/test_smtp_server.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/message.h"
#include "testing/test_process.h"

namespace ningju::testing {
namespace {

namespace fs = std::filesystem;

std::string Base64Decode(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
  }
  std::string out(clean.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), clean.data(), clean.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "<undecodable base64>";
  }
  out.resize(len);
  return out;
}

ReceivedMail Parse(const std::string& raw) {
  ReceivedMail mail;
  mail.raw = raw;
  std::string text = raw;
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  const size_t split = text.find("\n\n");
  const std::string head = text.substr(0, split);
  const std::string body = split == std::string::npos ? "" : text.substr(split + 2);
  std::map<std::string, std::string> headers;  // lowercased names, folded lines joined
  std::string last;
  std::istringstream lines(head);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (!last.empty()) headers[last] += line;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    last = line.substr(0, colon);
    std::transform(last.begin(), last.end(), last.begin(), [](unsigned char c) { return std::tolower(c); });
    size_t start = colon + 1;
    while (start < line.size() && line[start] == ' ') ++start;
    headers[last] = line.substr(start);
  }
  mail.to = headers["to"];
  mail.from = headers["from"];
  mail.subject = DecodeHeader(headers["subject"]);
  std::string encoding = headers["content-transfer-encoding"];
  std::transform(encoding.begin(), encoding.end(), encoding.begin(), [](unsigned char c) { return std::tolower(c); });
  mail.body = encoding == "base64" ? Base64Decode(body) : body;
  return mail;
}

}  // namespace

std::string DecodeHeader(const std::string& header) {
  std::string out;
  size_t i = 0;
  bool after_word = false;
  while (i < header.size()) {
    const size_t start = header.find("=?", i);
    if (start == std::string::npos) {
      out += header.substr(i);
      break;
    }
    // Whitespace between two encoded-words is not part of the text (RFC 2047 6.2).
    std::string between = header.substr(i, start - i);
    if (!(after_word && between.find_first_not_of(" \t") == std::string::npos)) out += between;
    const size_t q1 = header.find('?', start + 2);
    const size_t q2 = q1 == std::string::npos ? q1 : header.find('?', q1 + 1);
    const size_t end = q2 == std::string::npos ? q2 : header.find("?=", q2 + 1);
    if (end == std::string::npos) {
      out += header.substr(start);
      break;
    }
    const char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(header[q1 + 1])));
    const std::string payload = header.substr(q2 + 1, end - q2 - 1);
    out += encoding == 'B' ? Base64Decode(payload) : payload;
    after_word = true;
    i = end + 2;
  }
  return out;
}

StatusOr<std::unique_ptr<TestSmtpServer>> TestSmtpServer::Start() {
  if (sodium_init() < 0) return InternalError("libsodium did not initialize");
  ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
  std::error_code ec;
  fs::path dir = fs::temp_directory_path() / ("ningju-smtp-" + std::to_string(getpid()) + "-" + std::to_string(port));
  fs::create_directories(dir, ec);
  if (ec) return InternalError(Msg("could not create {}: {}", dir.string(), ec.message()));
  std::unique_ptr<TestSmtpServer> server(new TestSmtpServer(port, dir.string()));
  RETURN_IF_ERROR(server->Restart());
  return server;
}

Status TestSmtpServer::Restart() {
  return process_.Start({"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port_), "-c",
                         "aiosmtpd.handlers.Mailbox", dir_ + "/mail"},
                        port_, dir_ + "/smtp.log");
}

void TestSmtpServer::Stop() { process_.Stop(); }

TestSmtpServer::~TestSmtpServer() {
  Stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::vector<ReceivedMail> TestSmtpServer::Messages() const {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const char* sub : {"new", "cur"}) {
    for (fs::directory_iterator it(fs::path(dir_) / "mail" / sub, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) files.push_back(it->path());
    }
  }
  // Maildir names start with the delivery time in seconds, then a sequence; sorted by time written, then name.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    std::error_code e1, e2;
    auto ta = fs::last_write_time(a, e1), tb = fs::last_write_time(b, e2);
    return ta != tb ? ta < tb : a.filename() < b.filename();
  });
  std::vector<ReceivedMail> out;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(Parse(ss.str()));
  }
  return out;
}

std::optional<ReceivedMail> TestSmtpServer::WaitFor(const std::function<bool(const ReceivedMail&)>& match,
                                                    std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    for (const ReceivedMail& m : Messages()) {
      if (match(m)) return m;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

}  // namespace ningju::testing
