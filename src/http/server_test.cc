// Integration tests: a real Server on an ephemeral loopback port, driven by a small blocking client over real sockets.
// No test depends on timing beyond generous liveness timeouts (a hung server fails a test instead of hanging it).
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/static_files.h"
#include "testing/status_matchers.h"

namespace ningju::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

constexpr auto kLiveness = std::chrono::seconds(10);

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;

  std::string Header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A blocking HTTP/1.1 client on one socket. Every receive gives up after kLiveness.
class Client {
 public:
  // nullopt when the connection is refused.
  static std::optional<Client> Connect(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(fd);
      return std::nullopt;
    }
    timeval timeout{};
    timeout.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kLiveness).count();
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return Client(fd);
  }

  Client(Client&& other) noexcept : fd_(std::exchange(other.fd_, -1)), buffered_(std::move(other.buffered_)) {}
  Client& operator=(Client&&) = delete;
  ~Client() { Close(); }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response; nullopt when the connection ends (or times out) first.
  std::optional<ClientResponse> Read(bool head_request = false) {
    size_t end;
    while ((end = buffered_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    ClientResponse response;
    std::string_view head(buffered_.data(), end);
    const size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") return std::nullopt;
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    std::string_view fields = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!fields.empty()) {
      const size_t eol = fields.find("\r\n");
      const std::string_view line = fields.substr(0, eol);
      fields = eol == std::string_view::npos ? std::string_view() : fields.substr(eol + 2);
      const size_t colon = line.find(':');
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.emplace(std::string(line.substr(0, colon)), std::string(value));
    }
    buffered_.erase(0, end + 4);
    if (response.status == 100) return response;

    const std::string length = response.Header("Content-Length");
    if (head_request || response.status == 204 || response.status == 304) return response;
    if (length.empty()) {  // delimited by the end of the connection
      while (Fill()) {
      }
      response.body = std::move(buffered_);
      buffered_.clear();
      return response;
    }
    const size_t n = std::stoul(length);
    while (buffered_.size() < n) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffered_.substr(0, n);
    buffered_.erase(0, n);
    return response;
  }

  enum class End { kClosed, kData, kTimeout };
  // Waits until the server closes the connection (an orderly close or a reset both count), data arrives, or
  // kLiveness passes.
  End WaitForClose() {
    char c;
    while (true) {
      const ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n == 0) return End::kClosed;
      if (n > 0) return End::kData;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return End::kTimeout;
      return End::kClosed;  // ECONNRESET and friends
    }
  }

 private:
  explicit Client(int fd) : fd_(fd) {}

  bool Fill() {
    char buffer[16384];
    while (true) {
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffered_.append(buffer, static_cast<size_t>(n));
      return true;
    }
  }

  int fd_;
  std::string buffered_;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

std::string Post(std::string_view target, std::string_view body, std::string_view extra_headers = "") {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir_template = (fs::temp_directory_path() / "ningju_server_XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    dir_ = dir_template;
    fs::create_directories(dir_ / "static" / "css");
    std::ofstream(dir_ / "static" / "css" / "app.css") << "body{margin:0}";
    std::ofstream(dir_ / "secret.txt") << "do not serve";

    router_.Add("GET", "/hello", [](Request&) { return Response::Text(200, "hello"); });
    router_.Add("GET", "/areas/{id}", [](Request& r) { return Response::Text(200, "area " + r.Param("id")); });
    router_.Add("GET", "/query", [](Request& r) { return Response::Text(200, r.Query("q").value_or("<none>")); });
    router_.Add("GET", "/whoami",
                [](Request& r) { return Response::Text(200, r.remote_address + (r.secure ? " https" : " http")); });
    router_.Add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("secret detail"); });
    router_.Add(
        "POST", "/echo", [](Request& r) { return Response::Text(200, r.body); },
        RouteOptions{.max_body_bytes = 1 << 20});
    router_.Add(
        "POST", "/small", [](Request& r) { return Response::Text(200, "got " + std::to_string(r.body.size())); },
        RouteOptions{.max_body_bytes = 1024});
    router_.Add("GET", "/slow", [this](Request&) {
      slow_entered_.set_value();
      slow_release_.wait();
      return Response::Text(200, "finally");
    });
    router_.Add("GET", "/static/{path...}", StaticFiles((dir_ / "static").string(), "/static/", 60));
    // Waits until kGathered handlers are inside at once (as intakes wait for one group commit).
    router_.Add(
        "GET", "/gather",
        [this](Request&) {
          std::unique_lock<std::mutex> lock(gather_mu_);
          ++gathered_;
          gather_cv_.notify_all();
          bool together = gather_cv_.wait_for(lock, kLiveness, [this] { return gathered_ >= kGathered; });
          return Response::Text(together ? 200 : 504, together ? "together" : "alone");
        },
        router_.Blocking());
    // Waits until released (an import that takes long), counting the imports inside at once.
    router_.Add(
        "POST", "/import",
        [this](Request&) {
          std::unique_lock<std::mutex> lock(gather_mu_);
          ++importing_;
          gather_cv_.notify_all();
          gather_cv_.wait_for(lock, kLiveness, [this] { return imports_released_; });
          return Response::Text(200, "imported");
        },
        router_.Import(1 << 20));
    router_.Add("GET", "/noted", [](Request&) {
      Response r = Response::Text(500, "general sentence");
      r.log_note = "the real text";
      return r;
    });
    router_.Add("GET", "/id", [](Request& r) { return Response::Text(200, r.id); });
    slow_release_ = slow_release_promise_.get_future().share();
  }

  void TearDown() override {
    if (!released_) slow_release_promise_.set_value();
    StopServer();
    fs::remove_all(dir_);
  }

  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    if (options.io_threads == 0) options.io_threads = 2;
    if (options.worker_threads == 0) options.worker_threads = 2;
    server_ = std::make_unique<Server>(options, router_);
    server_->SetAccessLogger([this](const AccessRecord& record) {
      std::lock_guard<std::mutex> lock(records_mu_);
      records_.push_back(record);
    });
    server_->SetResponseHook([](const Request&, Response& response) { response.SetHeader("X-Hook", "yes"); });
    ASSERT_OK(server_->Listen());
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { server_->Run(/*handle_signals=*/false); });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  Client Connect() {
    std::optional<Client> client = Client::Connect(server_->port());
    EXPECT_TRUE(client.has_value());
    if (!client) std::abort();  // nothing sensible to continue with
    return std::move(*client);
  }

  // Sends one request on a new connection and reads the answer.
  std::optional<ClientResponse> RoundTrip(std::string_view request) {
    Client client = Connect();
    if (!client.Send(request)) return std::nullopt;
    return client.Read();
  }

  std::vector<AccessRecord> Records() {
    std::lock_guard<std::mutex> lock(records_mu_);
    return records_;
  }

  // The record is written once the response is sent, so the client may see the response a moment before it.
  std::vector<AccessRecord> WaitForRecords(size_t n) {
    for (const auto deadline = std::chrono::steady_clock::now() + kLiveness;
         std::chrono::steady_clock::now() < deadline;) {
      std::vector<AccessRecord> records = Records();
      if (records.size() >= n) return records;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return Records();
  }

  void Release() {
    released_ = true;
    slow_release_promise_.set_value();
  }

  fs::path dir_;
  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::mutex records_mu_;
  std::vector<AccessRecord> records_;
  std::promise<void> slow_entered_;
  std::promise<void> slow_release_promise_;
  std::shared_future<void> slow_release_;
  bool released_ = false;
  static constexpr int kGathered = 6;
  std::mutex gather_mu_;
  std::condition_variable gather_cv_;
  int gathered_ = 0;
  int importing_ = 0;
  bool imports_released_ = false;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/hello")));
  std::optional<ClientResponse> first = client.Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello");
  EXPECT_EQ(first->Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(first->Header("X-Hook"), "yes");
  EXPECT_NE(first->Header("Date"), "");
  EXPECT_EQ(first->Header("Connection"), "");

  ASSERT_TRUE(client.Send(Get("/areas/%E9%95%BF%E5%AE%81")));
  std::optional<ClientResponse> second = client.Read();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "area 长宁");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/areas/1") + Get("/areas/2") + Post("/echo", "three")));
  for (const char* expected : {"area 1", "area 2", "three"}) {
    std::optional<ClientResponse> r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, expected);
  }
}

TEST_F(ServerTest, HeadSendsHeadersOnly) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n"));
  std::optional<ClientResponse> head = client.Read(/*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "5");
  // The connection is still in step: the next response is not preceded by a stray body.
  ASSERT_TRUE(client.Send(Get("/hello")));
  std::optional<ClientResponse> get = client.Read();
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->body, "hello");
}

TEST_F(ServerTest, Http10ClosesAfterTheResponse) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\n\r\n"));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(client.WaitForClose(), Client::End::kClosed);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/hello", "Connection: close\r\n")));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(client.WaitForClose(), Client::End::kClosed);
}

TEST_F(ServerTest, OversizeHeaderIs431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/hello", "Cookie: " + std::string(4000, 'a') + "\r\n")));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(r->Header("X-Hook"), "yes");
  EXPECT_EQ(client.WaitForClose(), Client::End::kClosed);

  // A header under the limit is fine.
  std::optional<ClientResponse> ok = RoundTrip(Get("/hello", "Cookie: " + std::string(500, 'a') + "\r\n"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, BodyLimitIsPerRoute) {
  StartServer();
  const std::string body(10 * 1024, 'x');
  {
    Client client = Connect();
    ASSERT_TRUE(client.Send(Post("/small", body)));
    std::optional<ClientResponse> r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 413);
    EXPECT_THAT(r->body, HasSubstr("1024"));
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_EQ(r->Header("X-Hook"), "yes");
    EXPECT_EQ(client.WaitForClose(), Client::End::kClosed);
  }
  std::optional<ClientResponse> r = RoundTrip(Post("/echo", body));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);

  std::optional<ClientResponse> small = RoundTrip(Post("/small", std::string(1024, 'y')));
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(small->status, 200);
  EXPECT_EQ(small->body, "got 1024");
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  StartServer();
  std::string request = "POST /small HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(512, 'z') + "\r\n";
  request += "0\r\n\r\n";
  Client client = Connect();
  ASSERT_TRUE(client.Send(request));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);

  std::optional<ClientResponse> ok =
      RoundTrip("POST /small HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->body, "got 3");
}

TEST_F(ServerTest, ExpectContinueOnlyWhenTheBodyFits) {
  StartServer();
  {
    Client client = Connect();
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
    std::optional<ClientResponse> go_on = client.Read();
    ASSERT_TRUE(go_on.has_value());
    EXPECT_EQ(go_on->status, 100);
    ASSERT_TRUE(client.Send("12345"));
    std::optional<ClientResponse> r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "12345");
  }
  Client client = Connect();
  ASSERT_TRUE(
      client.Send("POST /small HTTP/1.1\r\nHost: test\r\nContent-Length: 99999\r\nExpect: 100-continue\r\n\r\n"));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, UnknownRouteIs404WithHook) {
  StartServer();
  std::optional<ClientResponse> r = RoundTrip(Get("/nowhere"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("X-Hook"), "yes");
  // Exact matching: no trailing-slash redirect.
  r = RoundTrip(Get("/hello/"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Post("/hello", "body")));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD");
  EXPECT_EQ(r->Header("X-Hook"), "yes");
  // The body was read, so the connection stays usable.
  ASSERT_TRUE(client.Send(Get("/hello")));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, HandlerExceptionIsAGeneric500) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/boom", "User-Agent: test-agent\r\n")));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_THAT(r->body, Not(HasSubstr("secret")));
  EXPECT_EQ(r->Header("X-Hook"), "yes");
  // The connection survives a failing handler.
  ASSERT_TRUE(client.Send(Get("/hello")));
  ASSERT_TRUE(client.Read().has_value());

  std::vector<AccessRecord> records = WaitForRecords(1);
  ASSERT_GE(records.size(), 1u);
  EXPECT_EQ(records[0].status, 500);
  EXPECT_EQ(records[0].method, "GET");
  EXPECT_EQ(records[0].target, "/boom");
  EXPECT_EQ(records[0].user_agent, "test-agent");
  EXPECT_EQ(records[0].remote, "127.0.0.1");
  EXPECT_THAT(records[0].error, HasSubstr("secret detail"));
}

TEST_F(ServerTest, AccessLogHasOneRecordPerRequest) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/hello", "User-Agent: ua/1\r\n")));
  ASSERT_TRUE(client.Read().has_value());
  ASSERT_TRUE(client.Send(Get("/nowhere?x=1")));
  ASSERT_TRUE(client.Read().has_value());
  std::vector<AccessRecord> records = WaitForRecords(2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].target, "/hello");
  EXPECT_EQ(records[0].status, 200);
  EXPECT_EQ(records[0].bytes, 5u);
  EXPECT_EQ(records[0].user_agent, "ua/1");
  EXPECT_GE(records[0].millis, 0.0);
  EXPECT_EQ(records[0].error, "");
  EXPECT_EQ(records[1].target, "/nowhere?x=1");
  EXPECT_EQ(records[1].status, 404);
}

TEST_F(ServerTest, BadPathsAre400) {
  StartServer();
  for (const char* target : {"/hello%zz", "/a%00b", "/areas/%FF", "/query?q=%", "/query?q=%C0%AF"}) {
    std::optional<ClientResponse> r = RoundTrip(Get(target));
    ASSERT_TRUE(r.has_value()) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_EQ(r->Header("X-Hook"), "yes") << target;
  }
  std::optional<ClientResponse> r = RoundTrip("GARBAGE\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, QueryAndAbsoluteFormTargets) {
  StartServer();
  std::optional<ClientResponse> r = RoundTrip(Get("/query?q=%E9%95%BF+x&other=1"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "长 x");
  r = RoundTrip(Get("http://test/query?q=abs"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "abs");
}

TEST_F(ServerTest, ForwardedHeadersOnlyWhenTrusted) {
  const std::string forwarded = "X-Forwarded-For: 203.0.113.9, 198.51.100.7\r\nX-Forwarded-Proto: https\r\n";
  {
    StartServer();
    std::optional<ClientResponse> r = RoundTrip(Get("/whoami", forwarded));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "127.0.0.1 http");
    StopServer();
  }
  ServerOptions options;
  options.trust_forwarded_headers = true;
  StartServer(options);
  std::optional<ClientResponse> r = RoundTrip(Get("/whoami", forwarded));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "198.51.100.7 https");
  r = RoundTrip(Get("/whoami"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "127.0.0.1 http");
}

TEST_F(ServerTest, StaticFilesWithEtagAnd304) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/static/css/app.css")));
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "body{margin:0}");
  EXPECT_EQ(r->Header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(r->Header("Cache-Control"), "public, max-age=60");
  const std::string etag = r->Header("ETag");
  ASSERT_FALSE(etag.empty());

  ASSERT_TRUE(client.Send(Get("/static/css/app.css", "If-None-Match: " + etag + "\r\n")));
  r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->Header("ETag"), etag);

  for (const char* target :
       {"/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/css/%2E%2E/../secret.txt"}) {
    std::optional<ClientResponse> refused = RoundTrip(Get(target));
    ASSERT_TRUE(refused.has_value()) << target;
    EXPECT_EQ(refused->status, 400) << target;
    EXPECT_THAT(refused->body, Not(HasSubstr("do not serve"))) << target;
  }
}

TEST_F(ServerTest, StopLetsTheInFlightRequestFinishAndRefusesNewConnections) {
  ServerOptions options;
  options.shutdown_grace_seconds = 60;  // far longer than the test: the request must finish on its own
  StartServer(options);
  const uint16_t port = server_->port();

  Client idle = Connect();  // a keep-alive connection between requests: closed by Stop()
  ASSERT_TRUE(idle.Send(Get("/hello")));
  ASSERT_TRUE(idle.Read().has_value());

  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/slow")));
  ASSERT_EQ(slow_entered_.get_future().wait_for(kLiveness), std::future_status::ready);

  server_->Stop();
  EXPECT_EQ(idle.WaitForClose(), Client::End::kClosed);

  // Stop() is asynchronous: within the liveness timeout, connecting must start failing.
  bool refused = false;
  for (const auto deadline = std::chrono::steady_clock::now() + kLiveness;
       std::chrono::steady_clock::now() < deadline;) {
    if (!Client::Connect(port).has_value()) {
      refused = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(refused);

  Release();
  std::optional<ClientResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finally");
  EXPECT_EQ(r->Header("Connection"), "close");
  thread_.join();  // Run() returns once the last connection is gone
}

TEST_F(ServerTest, BlockingRoutesWaitTogetherWithoutTakingTheWorkers) {
  ServerOptions options;
  options.worker_threads = 2;
  options.blocking_threads = 8;
  StartServer(options);

  // kGathered - 1 handlers wait on the blocking pool, more than there are workers...
  std::vector<Client> waiting;
  for (int i = 0; i + 1 < kGathered; ++i) {
    waiting.push_back(Connect());
    ASSERT_TRUE(waiting.back().Send(Get("/gather")));
  }
  {
    std::unique_lock<std::mutex> lock(gather_mu_);
    ASSERT_TRUE(gather_cv_.wait_for(lock, kLiveness, [this] { return gathered_ == kGathered - 1; }));
  }
  // ...and the workers still answer other routes.
  std::optional<ClientResponse> hello = RoundTrip(Get("/hello"));
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->body, "hello");

  // The last one joins; all are answered together.
  waiting.push_back(Connect());
  ASSERT_TRUE(waiting.back().Send(Get("/gather")));
  for (Client& c : waiting) {
    std::optional<ClientResponse> r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "together");
  }
}

TEST_F(ServerTest, ImportRoutesRunOnTheirOwnPoolAndLeaveTheWorkersFree) {
  ServerOptions options;
  options.worker_threads = 2;
  options.import_threads = 2;
  StartServer(options);
  // Three imports: two run (the pool's size), the third waits for one of them...
  std::vector<Client> imports;
  for (int i = 0; i < 3; ++i) {
    imports.push_back(Connect());
    ASSERT_TRUE(imports.back().Send(Post("/import", "rows")));
  }
  {
    std::unique_lock<std::mutex> lock(gather_mu_);
    ASSERT_TRUE(gather_cv_.wait_for(lock, kLiveness, [this] { return importing_ == 2; }));
  }
  // ...and both workers still answer pages.
  for (int i = 0; i < 3; ++i) {
    std::optional<ClientResponse> hello = RoundTrip(Get("/hello"));
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ(hello->body, "hello");
  }
  {
    std::lock_guard<std::mutex> lock(gather_mu_);
    EXPECT_EQ(importing_, 2);  // the third import is queued, not on a worker
    imports_released_ = true;
    gather_cv_.notify_all();
  }
  for (Client& c : imports) {
    std::optional<ClientResponse> r = c.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "imported");
  }
  std::lock_guard<std::mutex> lock(gather_mu_);
  EXPECT_EQ(importing_, 3);
}

// RFC 9112 6.1 and 6.3: a body whose length two headers disagree on, or that no header frames, is refused and the
// connection closed, so that what follows on it (a smuggled request) is never read as a request.
TEST_F(ServerTest, AmbiguousBodyLengthIs400AndClosesTheConnection) {
  StartServer();
  const std::string smuggled = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";
  const std::vector<std::string> heads = {
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
      "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
      "Transfer-Encoding: gzip\r\n",
      "Transfer-Encoding: chunked, gzip\r\n",
      "Transfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n",
      "Transfer-Encoding: identity\r\n",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
  };
  for (const std::string& head : heads) {
    Client client = Connect();
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\n" + head + "\r\n0\r\n\r\n" + smuggled));
    std::optional<ClientResponse> r = client.Read();
    ASSERT_TRUE(r.has_value()) << head;
    EXPECT_EQ(r->status, 400) << head;
    EXPECT_EQ(r->Header("Connection"), "close") << head;
    EXPECT_EQ(r->Header("X-Hook"), "yes") << head;
    // The smuggled GET is never answered: the server closes without a second response.
    EXPECT_EQ(client.WaitForClose(), Client::End::kClosed) << head;
  }
  std::vector<AccessRecord> records = WaitForRecords(heads.size());
  EXPECT_EQ(records.size(), heads.size());
  for (const AccessRecord& record : records) EXPECT_NE(record.target, "/hello");
  // A plain chunked body is still read.
  std::optional<ClientResponse> ok =
      RoundTrip("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->body, "abc");
}

TEST_F(ServerTest, EveryResponseCarriesItsRequestIdWhichTheLogHas) {
  StartServer();
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/id")));
  std::optional<ClientResponse> first = client.Read();
  ASSERT_TRUE(client.Send(Get("/nowhere")));
  std::optional<ClientResponse> second = client.Read();
  ASSERT_TRUE(client.Send(Get("/noted", "X-Request-Id: forged-by-client\r\n")));
  std::optional<ClientResponse> third = client.Read();
  ASSERT_TRUE(first && second && third);
  EXPECT_THAT(first->Header("X-Request-Id"), ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{8}"));
  EXPECT_EQ(first->body, first->Header("X-Request-Id"));  // the handler saw the same id
  EXPECT_NE(second->Header("X-Request-Id"), first->Header("X-Request-Id"));
  EXPECT_NE(third->Header("X-Request-Id"), "forged-by-client");  // not from an untrusted client
  EXPECT_EQ(third->body, "general sentence");
  std::vector<AccessRecord> records = WaitForRecords(3);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].request_id, first->Header("X-Request-Id"));
  EXPECT_EQ(records[1].request_id, second->Header("X-Request-Id"));  // the server's own 404 too
  EXPECT_EQ(records[2].request_id, third->Header("X-Request-Id"));
  EXPECT_EQ(records[2].error, "the real text");  // the log note reaches the log, not the client
  EXPECT_THAT(third->body, Not(HasSubstr("real text")));
}

TEST_F(ServerTest, RequestIdFromATrustedProxyOnlyWhenSane) {
  ServerOptions options;
  options.trust_forwarded_headers = true;
  StartServer(options);
  std::optional<ClientResponse> r = RoundTrip(Get("/id", "X-Request-Id: edge-4711.a:b_c\r\n"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Header("X-Request-Id"), "edge-4711.a:b_c");
  EXPECT_EQ(r->body, "edge-4711.a:b_c");
  for (const std::string& bad : {std::string(65, 'a'), std::string("a b"), std::string("x<script>")}) {
    r = RoundTrip(Get("/id", "X-Request-Id: " + bad + "\r\n"));
    ASSERT_TRUE(r.has_value());
    EXPECT_THAT(r->Header("X-Request-Id"), ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{8}")) << bad;
  }
}

TEST_F(ServerTest, StopWithoutConnectionsReturnsAndStopIsIdempotent) {
  StartServer();
  server_->Stop();
  server_->Stop();
  thread_.join();
  EXPECT_FALSE(Client::Connect(server_->port()).has_value());
}

TEST_F(ServerTest, MaxConnectionsIsHonoured) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  std::optional<Client> first = Connect();
  Client second = Connect();
  for (Client* c : {&*first, &second}) {
    ASSERT_TRUE(c->Send(Get("/hello")));
    ASSERT_TRUE(c->Read().has_value());
  }
  Client third = Connect();  // the kernel completes the handshake; the server closes it at once
  EXPECT_EQ(third.WaitForClose(), Client::End::kClosed);

  first.reset();  // frees a slot once the server notices
  bool served = false;
  for (const auto deadline = std::chrono::steady_clock::now() + kLiveness;
       !served && std::chrono::steady_clock::now() < deadline;) {
    std::optional<Client> next = Client::Connect(server_->port());
    ASSERT_TRUE(next.has_value());
    std::optional<ClientResponse> r = next->Send(Get("/hello")) ? next->Read() : std::nullopt;
    served = r.has_value() && r->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(served);
  // The second connection was never disturbed.
  ASSERT_TRUE(second.Send(Get("/hello")));
  ASSERT_TRUE(second.Read().has_value());
}

TEST_F(ServerTest, RequestTimeoutClosesAHalfSentHeader) {
  ServerOptions options;
  options.request_timeout_seconds = 1;
  StartServer(options);
  Client client = Connect();
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: te"));
  EXPECT_EQ(client.WaitForClose(), Client::End::kClosed);
  EXPECT_TRUE(Records().empty());  // no response, so no access record
}

TEST_F(ServerTest, IdleTimeoutClosesAKeepAliveConnection) {
  ServerOptions options;
  options.idle_timeout_seconds = 1;
  StartServer(options);
  Client client = Connect();
  ASSERT_TRUE(client.Send(Get("/hello")));
  ASSERT_TRUE(client.Read().has_value());
  EXPECT_EQ(client.WaitForClose(), Client::End::kClosed);
}

TEST_F(ServerTest, ListenFailsOnABadAddress) {
  ServerOptions options;
  options.address = "not-an-address";
  Server server(options, router_);
  EXPECT_THAT(server.Listen(), testing::StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ServerTest, ListenFailsOnABusyPort) {
  StartServer();
  ServerOptions options;
  options.port = server_->port();
  Server second(options, router_);
  EXPECT_THAT(second.Listen(), testing::StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace ningju::http
