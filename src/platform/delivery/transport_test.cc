// The transports against real servers on loopback: Debian's aiosmtpd storing into a Maildir for SMTP, and
// testdata/sms_gateway.py (http.server) for the SMS gateway. Both run under /usr/bin/python3, which has
// python3-aiosmtpd; a python3 earlier on PATH may not.
#include "platform/delivery/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include "common/utf8.h"
#include "testing/source_path.h"
#include "testing/status_matchers.h"
#include "testing/test_process.h"
#include "testing/test_smtp_server.h"

namespace ningju::delivery {
namespace {

namespace fs = std::filesystem;
using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

constexpr const char* kPython = "/usr/bin/python3";

// Twenty characters (3 bytes each in UTF-8), three times.
std::string LongChineseSubject() {
  std::string s;
  for (int i = 0; i < 3; ++i) s += "凝聚社区业主大会关于加装电梯的表决通知！";
  return s;
}

std::string Base64Decode(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), " \t\r\n",
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    ADD_FAILURE() << "not base64: " << text;
    return {};
  }
  out.resize(len);
  return out;
}

// The RFC 2047 "B" encoded-words of an unfolded header value, each decoded; fails the test on anything else in the
// value but whitespace between words.
std::vector<std::string> DecodeWords(const std::string& value) {
  static const std::regex kWord(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  std::vector<std::string> words;
  size_t last = 0;
  for (auto it = std::sregex_iterator(value.begin(), value.end(), kWord); it != std::sregex_iterator(); ++it) {
    EXPECT_EQ(value.substr(last, it->position() - last).find_first_not_of(" \t"), std::string::npos)
        << "text between encoded-words in " << value;
    EXPECT_LE(it->length(), 75) << it->str();
    words.push_back(Base64Decode((*it)[1].str()));
    last = it->position() + it->length();
  }
  return words;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

std::vector<std::string> Lines(std::string_view text, std::string_view eol) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find(eol, start)) != std::string_view::npos; start = end + eol.size()) {
    lines.emplace_back(text.substr(start, end - start));
  }
  if (start < text.size()) lines.emplace_back(text.substr(start));
  return lines;
}

// A message as stored or sent: unfolded headers by name, and the raw body. Either line end is accepted (the Maildir
// has LF).
struct Mail {
  std::map<std::string, std::string> headers;
  std::string body;
};

Mail ParseMail(std::string text) {
  for (size_t p; (p = text.find("\r\n")) != std::string::npos;) text.replace(p, 2, "\n");
  Mail mail;
  const size_t blank = text.find("\n\n");
  EXPECT_NE(blank, std::string::npos) << "no blank line after the headers";
  mail.body = text.substr(blank + 2);
  std::string last;
  for (const std::string& line : Lines(text.substr(0, blank + 1), "\n")) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      mail.headers[last] += line;
    } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
      last = line.substr(0, colon);
      const size_t value = line.find_first_not_of(' ', colon + 1);
      mail.headers[last] = value == std::string::npos ? "" : line.substr(value);
    }
  }
  return mail;
}

SmtpOptions TestSmtpOptions(int port) {
  SmtpOptions o;
  o.url = "smtp://127.0.0.1:" + std::to_string(port);
  o.from = "ningju@example.org";
  o.from_name = "凝聚";
  o.starttls = "off";
  o.timeout_seconds = 5;
  return o;
}

// ---- FormatEmail.

const char* const kDate = "Thu, 03 Dec 2026 20:00:00 +0800";

TEST(FormatEmail, UsesCrlfLineEndsOnly) {
  const std::string text =
      FormatEmail(TestSmtpOptions(25), {"a@example.org", "主题", "第一行\n第二行\r\n第三行"}, kDate, "abc@example.org");
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      EXPECT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
    if (text[i] == '\r') {
      EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  EXPECT_TRUE(text.ends_with("\r\n"));
}

TEST(FormatEmail, WritesTheHeaders) {
  const std::string text =
      FormatEmail(TestSmtpOptions(25), {"resident@example.com", "Hello", "Hi"}, kDate, "0123abcd@example.org");
  const std::string head = text.substr(0, text.find("\r\n\r\n") + 2);
  EXPECT_THAT(head, HasSubstr("\r\nTo: resident@example.com\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nDate: Thu, 03 Dec 2026 20:00:00 +0800\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nMessage-ID: <0123abcd@example.org>\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nMIME-Version: 1.0\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Transfer-Encoding: base64\r\n"));
  const Mail mail = ParseMail(text);
  EXPECT_EQ(Join(DecodeWords(mail.headers.at("Subject"))), "Hello");
  // The display name is encoded; the address is as it is.
  const std::string& from = mail.headers.at("From");
  ASSERT_TRUE(from.ends_with(" <ningju@example.org>")) << from;
  EXPECT_EQ(Join(DecodeWords(from.substr(0, from.size() - std::strlen(" <ningju@example.org>")))), "凝聚");
}

TEST(FormatEmail, PlainFromWithoutDisplayName) {
  SmtpOptions o = TestSmtpOptions(25);
  o.from_name.clear();
  const std::string text = FormatEmail(o, {"a@example.org", "s", "b"}, kDate, "x@example.org");
  EXPECT_TRUE(text.starts_with("From: ningju@example.org\r\n")) << text;
}

TEST(FormatEmail, LongChineseSubjectSplitsBetweenCharacters) {
  const std::string subject = LongChineseSubject();
  ASSERT_EQ(utf8::CodePointCount(subject), 60u);
  const std::string text = FormatEmail(TestSmtpOptions(25), {"a@example.org", subject, "b"}, kDate, "x@example.org");
  const std::string head = text.substr(0, text.find("\r\n\r\n") + 2);
  // RFC 2047 §2: a header line holding encoded-words is at most 76 characters.
  for (const std::string& line : Lines(head, "\r\n")) EXPECT_LE(line.size(), 76u) << line;
  const std::vector<std::string> words = DecodeWords(ParseMail(text).headers.at("Subject"));
  ASSERT_GT(words.size(), 1u);
  // Each word decodes on its own to whole characters.
  for (const std::string& w : words) EXPECT_FALSE(utf8::FindInvalid(w).has_value()) << w;
  EXPECT_EQ(Join(words), subject);
}

TEST(FormatEmail, MixedSubjectNeverSplitsACharacter) {
  // One- and three-byte characters mixed, so word boundaries fall at every offset.
  std::string subject;
  for (int i = 0; i < 12; ++i) subject += "第" + std::to_string(i) + "号楼a";
  const std::vector<std::string> words =
      DecodeWords(ParseMail(FormatEmail(TestSmtpOptions(25), {"a@example.org", subject, ""}, kDate, "x@example.org"))
                      .headers.at("Subject"));
  for (const std::string& w : words) EXPECT_FALSE(utf8::FindInvalid(w).has_value()) << w;
  EXPECT_EQ(Join(words), subject);
}

TEST(FormatEmail, SubjectLineBreaksStayInsideTheEncoding) {
  const std::string text =
      FormatEmail(TestSmtpOptions(25), {"a@example.org", "hi\r\nBcc: victim@example.com", "b"}, kDate, "x@example.org");
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Bcc:")));
  EXPECT_EQ(Join(DecodeWords(ParseMail(text).headers.at("Subject"))), "hi\r\nBcc: victim@example.com");
}

TEST(FormatEmail, BodyIsBase64InLinesOf76) {
  std::string body;
  for (int i = 0; i < 40; ++i) body += "第" + std::to_string(i) + "行：请各位业主于本周五前投票。\n";
  const std::string text = FormatEmail(TestSmtpOptions(25), {"a@example.org", "s", body}, kDate, "x@example.org");
  const std::string encoded = text.substr(text.find("\r\n\r\n") + 4);
  const std::vector<std::string> lines = Lines(encoded, "\r\n");
  ASSERT_GT(lines.size(), 2u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 76u);
    if (i + 1 < lines.size()) {
      EXPECT_EQ(lines[i].size(), 76u);
    }
  }
  // Text is encoded in its canonical form, with CRLF line breaks (RFC 2045 §6.8).
  std::string canonical;
  for (char c : body) canonical += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(Base64Decode(encoded), canonical);
}

TEST(FormatEmail, EmptySubjectAndBody) {
  const std::string text = FormatEmail(TestSmtpOptions(25), {"a@example.org", "", ""}, kDate, "x@example.org");
  EXPECT_THAT(text, HasSubstr("\r\nSubject:\r\n"));
  EXPECT_TRUE(text.ends_with("Content-Transfer-Encoding: base64\r\n\r\n")) << text;
}

// ---- The factories.

TEST(NewSmtpTransport, RefusesBadOptions) {
  const auto refused = [](auto edit) {
    SmtpOptions o = TestSmtpOptions(25);
    edit(o);
    return NewSmtpTransport(o).status();
  };
  EXPECT_OK(refused([](SmtpOptions&) {}));
  EXPECT_OK(refused([](SmtpOptions& o) { o.url = "smtps://mail.example.org:465"; }));
  EXPECT_THAT(refused([](SmtpOptions& o) { o.url = "http://mail.example.org"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused([](SmtpOptions& o) { o.url = "mail.example.org"; }), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused([](SmtpOptions& o) { o.from.clear(); }), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused([](SmtpOptions& o) { o.starttls = "maybe"; }), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused([](SmtpOptions& o) { o.timeout_seconds = 0; }), StatusIs(StatusCode::kInvalidArgument));
  // The sender goes into MAIL FROM and the From header: a line break would inject commands or headers.
  EXPECT_THAT(refused([](SmtpOptions& o) { o.from = "ningju@example.org\r\nBcc: victim@example.com"; }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused([](SmtpOptions& o) { o.from = "ningju@example.org>"; }), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused([](SmtpOptions& o) { o.from = "ningju"; }), StatusIs(StatusCode::kInvalidArgument));
}

TEST(NewSmsTransport, RefusesBadOptions) {
  for (const char* url : {"ftp://gw.example.org/send", "smtp://gw.example.org", "gw.example.org/send", "", "http://"}) {
    EXPECT_THAT(NewSmsTransport({url, "t", 5}).status(), StatusIs(StatusCode::kInvalidArgument)) << url;
  }
  EXPECT_OK(NewSmsTransport({"https://gw.example.org/send", "t", 5}).status());
  EXPECT_OK(NewSmsTransport({"HTTP://gw.example.org/send", "", 5}).status());
  EXPECT_THAT(NewSmsTransport({"https://gw.example.org/send", "t", 0}).status(),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(NewSmsTransport({"https://gw.example.org/send", "t\r\nX-Evil: 1", 5}).status(),
              StatusIs(StatusCode::kInvalidArgument));
}

// ---- Real servers.

// A loopback port nothing listens on (testing/test_process.h).
int FreePort() {
  auto port = ::ningju::testing::FreeLoopbackPort();
  EXPECT_OK(port.status());
  return port.value_or(0);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A scratch directory and one server process on a loopback port, stopped in TearDown.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ningju_delivery_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << std::strerror(errno);
    dir_ = tmpl;
    port_ = FreePort();
  }

  void TearDown() override {
    server_.Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs `args` (args[0] an absolute path) with its output in dir_/server.log until port_ accepts connections.
  void StartServer(std::vector<std::string> args) {
    ASSERT_OK(server_.Start(std::move(args), port_, (dir_ / "server.log").string()));
  }

  fs::path dir_;
  int port_ = 0;
  ::ningju::testing::TestProcess server_;
};

// Against Debian's aiosmtpd (testing/test_smtp_server.h).
class SmtpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto smtp = ::ningju::testing::TestSmtpServer::Start();
    ASSERT_OK(smtp.status());
    smtp_ = std::move(smtp).value();
    auto transport = NewSmtpTransport(TestSmtpOptions(smtp_->port()));
    ASSERT_OK(transport.status());
    transport_ = std::move(transport).value();
  }

  // The messages the server stored, as stored.
  std::vector<std::string> Stored() const {
    std::vector<std::string> out;
    for (const auto& mail : smtp_->Messages()) out.push_back(mail.raw);
    return out;
  }

  std::unique_ptr<::ningju::testing::TestSmtpServer> smtp_;
  std::unique_ptr<Transport> transport_;
};

// "Thu, 03 Dec 2026 20:00:00 +0800" -> the UTC instant, checking that the weekday is the date's.
std::optional<std::chrono::sys_seconds> ParseDate(const std::string& text) {
  char weekday[4] = {}, month[4] = {}, zone[6] = {};
  int day = 0, year = 0, h = 0, m = 0, s = 0;
  if (std::sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d %5s", weekday, &day, month, &year, &h, &m, &s, zone) != 8) {
    return std::nullopt;
  }
  static const std::vector<std::string> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static const std::vector<std::string> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const auto month_it = std::find(kMonths.begin(), kMonths.end(), month);
  if (month_it == kMonths.end() || std::string(zone) != "+0800") return std::nullopt;
  const std::chrono::sys_days date{std::chrono::year(year) / (month_it - kMonths.begin() + 1) / day};
  if (kWeekdays[std::chrono::weekday(date).c_encoding()] != weekday) return std::nullopt;
  return date + std::chrono::hours(h) + std::chrono::minutes(m) + std::chrono::seconds(s) - std::chrono::hours(8);
}

TEST_F(SmtpTransportTest, DeliversTheMessage) {
  // The Date is Shanghai time whatever the host's zone is.
  const char* old_tz = std::getenv("TZ");
  const std::string saved_tz = old_tz ? old_tz : "";
  ::setenv("TZ", "America/New_York", 1);
  ::tzset();
  std::string body = "各位业主：\n\n加装电梯的表决将于本周五截止。";
  for (int i = 0; i < 10; ++i) body += "这是一行较长的正文，用来让 base64 编码跨越好几行。\n";
  const Status sent = transport_->Send({"resident@example.com", LongChineseSubject(), body});
  if (old_tz) {
    ::setenv("TZ", saved_tz.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  ASSERT_OK(sent);

  const std::vector<std::string> stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  const Mail mail = ParseMail(stored[0]);
  // aiosmtpd records the envelope in X- headers.
  EXPECT_EQ(mail.headers.at("X-MailFrom"), "ningju@example.org");
  EXPECT_EQ(mail.headers.at("X-RcptTo"), "resident@example.com");
  EXPECT_EQ(mail.headers.at("To"), "resident@example.com");
  EXPECT_EQ(Join(DecodeWords(mail.headers.at("Subject"))), LongChineseSubject());
  EXPECT_THAT(mail.headers.at("From"), HasSubstr("<ningju@example.org>"));
  EXPECT_EQ(mail.headers.at("Content-Transfer-Encoding"), "base64");
  std::string canonical;
  for (char c : body) canonical += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(Base64Decode(mail.body), canonical);
  EXPECT_TRUE(std::regex_match(mail.headers.at("Message-ID"), std::regex("<[0-9a-f]{32}@example\\.org>")))
      << mail.headers.at("Message-ID");
  const auto date = ParseDate(mail.headers.at("Date"));
  ASSERT_TRUE(date.has_value()) << mail.headers.at("Date");
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_LE(std::chrono::abs(now - *date), std::chrono::seconds(120)) << mail.headers.at("Date");
}

TEST_F(SmtpTransportTest, ConcurrentSendsAllArrive) {
  std::vector<std::thread> threads;
  std::vector<Status> results(8);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = transport_->Send({"r" + std::to_string(i) + "@example.com", "通知 " + std::to_string(i), "正文"});
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_OK(s);
  std::vector<std::string> recipients;
  for (const std::string& m : Stored()) recipients.push_back(ParseMail(m).headers["X-RcptTo"]);
  std::sort(recipients.begin(), recipients.end());
  EXPECT_THAT(recipients,
              ::testing::ElementsAre("r0@example.com", "r1@example.com", "r2@example.com", "r3@example.com",
                                     "r4@example.com", "r5@example.com", "r6@example.com", "r7@example.com"));
}

TEST_F(SmtpTransportTest, RecipientTheServerRefusesIsInvalidArgument) {
  // aiosmtpd answers RCPT with "553 5.1.3 Error: malformed address" for a domain with an empty label.
  const Status s = transport_->Send({"resident@example..com", "s", "b"});
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("553"));
  EXPECT_TRUE(Stored().empty());
}

TEST_F(SmtpTransportTest, HeaderInjectionRefusedBeforeConnecting) {
  for (const char* to : {"resident@example.com\r\nBcc: victim@example.com", "resident@example.com>", "<a@example.com",
                         "resident", "resident@example.com\n", "resi dent@example.com"}) {
    EXPECT_THAT(transport_->Send({to, "s", "b"}), StatusIs(StatusCode::kInvalidArgument)) << to;
  }
  EXPECT_TRUE(Stored().empty());
}

TEST_F(SmtpTransportTest, InvalidUtf8Refused) {
  EXPECT_THAT(transport_->Send({"resident@example.com", "s\xff", "b"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(transport_->Send({"resident@example.com", "s", "b\xc3"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(Stored().empty());
}

TEST_F(SmtpTransportTest, StarttlsRequiredButNotOfferedIsUnavailable) {
  // aiosmtpd without a certificate offers no STARTTLS.
  SmtpOptions o = TestSmtpOptions(smtp_->port());
  o.starttls = "required";
  ASSERT_OK_AND_ASSIGN(auto required, NewSmtpTransport(o));
  EXPECT_THAT(required->Send({"resident@example.com", "s", "b"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_TRUE(Stored().empty());
  o.starttls = "try";
  ASSERT_OK_AND_ASSIGN(auto opportunistic, NewSmtpTransport(o));
  EXPECT_OK(opportunistic->Send({"resident@example.com", "s", "b"}));
  EXPECT_EQ(Stored().size(), 1u);
}

// A loopback socket that listens and never accepts: the kernel completes connections, nobody ever answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen: " << std::strerror(errno);
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(SmtpTransport, SilentServerTimesOutAsUnavailable) {
  SilentServer server;
  SmtpOptions o = TestSmtpOptions(server.port());
  o.timeout_seconds = 1;
  ASSERT_OK_AND_ASSIGN(auto transport, NewSmtpTransport(o));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(transport->Send({"resident@example.com", "s", "b"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SmtpTransport, ServerDownIsUnavailable) {
  auto transport = NewSmtpTransport(TestSmtpOptions(FreePort()));
  ASSERT_OK(transport.status());
  EXPECT_THAT((*transport)->Send({"resident@example.com", "s", "b"}), StatusIs(StatusCode::kUnavailable));
}

constexpr const char* kToken = "test-token-1";

class SmsTransportTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    posts_ = dir_ / "posts.jsonl";
    ASSERT_NO_FATAL_FAILURE(
        StartServer({kPython, ::ningju::testing::SourcePath("src/platform/delivery/testdata/sms_gateway.py"),
                     std::to_string(port_), posts_.string(), kToken}));
    transport_ = Make(kToken);
  }

  std::unique_ptr<Transport> Make(const std::string& token) {
    auto transport = NewSmsTransport({"http://127.0.0.1:" + std::to_string(port_) + "/send", token, 5});
    EXPECT_OK(transport.status());
    return transport.ok() ? std::move(transport).value() : nullptr;
  }

  // The bodies the gateway received, one JSON object each.
  std::vector<nlohmann::json> Posts() const {
    std::vector<nlohmann::json> out;
    for (const std::string& line : Lines(ReadFile(posts_), "\n")) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  fs::path posts_;
  std::unique_ptr<Transport> transport_;
};

TEST_F(SmsTransportTest, Sends) {
  ASSERT_OK(transport_->Send({"13900001111", "ignored", "您的验证码是 123456。\n请勿泄露。"}));
  const std::vector<nlohmann::json> posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0], (nlohmann::json{{"to", "13900001111"}, {"text", "您的验证码是 123456。\n请勿泄露。"}}));
}

TEST_F(SmsTransportTest, ServerErrorIsUnavailable) {
  EXPECT_THAT(transport_->Send({"13900001111", "", "fail-503"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(transport_->Send({"13900001111", "", "busy-429"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(Posts().size(), 2u);
}

TEST_F(SmsTransportTest, LongAnswerIsCutShortButCounts) {
  EXPECT_OK(transport_->Send({"13900001111", "", "huge-body"}));
}

TEST_F(SmsTransportTest, RefusedMessageIsInvalidArgument) {
  const Status s = transport_->Send({"13900001111", "", "bad-400"});
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("400"));
}

// A wrong token is the operator's to fix: the message waits and is retried (kUnavailable), never dead.
TEST_F(SmsTransportTest, AWrongTokenIsTheGatewaysStateNotTheMessages) {
  EXPECT_THAT(Make("wrong")->Send({"13900001111", "", "hi"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(Make("")->Send({"13900001111", "", "hi"}), StatusIs(StatusCode::kUnavailable));
}

TEST_F(SmsTransportTest, BadNumberRefusedWithoutARequest) {
  for (const char* to :
       {"", "1390000111", "139000011112", "23900001111", "1390000111a", "+8613900001111", "１３９００００１１１１"}) {
    EXPECT_THAT(transport_->Send({to, "", "hi"}), StatusIs(StatusCode::kInvalidArgument)) << to;
  }
  EXPECT_THAT(transport_->Send({"13900001111", "", "bad \xff utf-8"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(Posts().empty());
}

TEST(SmsTransport, SilentGatewayTimesOutAsUnavailable) {
  SilentServer server;
  ASSERT_OK_AND_ASSIGN(auto transport,
                       NewSmsTransport({"http://127.0.0.1:" + std::to_string(server.port()) + "/send", kToken, 1}));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(transport->Send({"13900001111", "", "hi"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SmsTransport, GatewayDownIsUnavailable) {
  auto transport = NewSmsTransport({"http://127.0.0.1:" + std::to_string(FreePort()) + "/send", kToken, 5});
  ASSERT_OK(transport.status());
  EXPECT_THAT((*transport)->Send({"13900001111", "", "hi"}), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace ningju::delivery
