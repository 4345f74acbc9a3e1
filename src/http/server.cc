#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/utf8.h"
#include "http/log_redaction.h"

namespace ningju::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// How much to ask the socket for while waiting for the first byte of a request.
constexpr size_t kFirstReadBytes = 4096;
// After answering with "Connection: close", the server keeps reading (and dropping) what the client still sends, for
// at most this long and this much, before closing. Closing a socket with unread input makes the kernel send a reset,
// which can destroy the response before the client reads it (a 413 sent while the client is still uploading).
constexpr std::chrono::seconds kLingerTime(2);
constexpr size_t kLingerBytes = 1 << 20;
// When accept() fails for lack of file descriptors, wait this long before trying again instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay(100);

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Beast 1.74 takes boost::string_view.
beast::string_view ToBeast(std::string_view s) { return beast::string_view(s.data(), s.size()); }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A response header value must not smuggle a second header or response: CR, LF and NUL are dropped (a handler that
// copies user input into Location must not be able to split the response).
std::string SanitizeValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
  }
  return out;
}

// The IMF-fixdate of now ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once per second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local char buffer[64] = {0};
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = now;
  }
  return buffer;
}

std::string AddressString(const tcp::endpoint& endpoint) {
  net::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

// A syntax error in the request (as opposed to the peer going away or a timeout).
bool IsMalformed(const beast::error_code& ec) {
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) return false;
  const auto e = static_cast<bhttp::error>(ec.value());
  return (e >= bhttp::error::bad_line_ending && e <= bhttp::error::bad_obs_fold) || e == bhttp::error::unexpected_body;
}

// A request id from a trusted proxy is kept when it is short and plain (it goes into logs and a response header).
bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  });
}

// RFC 9112 section 6: a request whose body length is ambiguous. Transfer-Encoding with Content-Length (6.1), or a
// Transfer-Encoding whose codings are anything but exactly "chunked" (6.3: the server cannot tell where the body ends;
// we decode no other coding). Beast refuses some of these forms itself (Content-Length before a chunked coding); not
// "Transfer-Encoding: gzip" followed by Content-Length, which it would frame by the length.
bool HasAmbiguousLength(const Headers& headers) {
  auto [first, last] = headers.equal_range(std::string_view("Transfer-Encoding"));
  if (first == last) return false;
  if (headers.find(std::string_view("Content-Length")) != headers.end()) return true;
  if (std::next(first) != last) return true;  // chunked must appear once, and a second field adds a coding
  return !EqualsIgnoreCase(Trim(first->second), "chunked");
}

// Splits a request target into path and query, accepting the origin form ("/a?b") and the absolute form
// ("http://host/a?b", which HTTP/1.1 servers must accept). False when it is neither.
bool SplitTarget(std::string_view target, std::string_view* path, std::string_view* query) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && EqualsIgnoreCase(target.substr(0, scheme.size()), scheme)) {
      const size_t slash = target.find_first_of("/?", scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      if (target.front() == '?') return false;
      break;
    }
  }
  if (target.empty() || target.front() != '/') return false;
  const size_t q = target.find('?');
  *path = target.substr(0, q);
  *query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  return true;
}

class Session;

// Everything the server shares between its threads. Server::Impl derives from it: a private nested class could not
// be named by Session, which lives here in the unnamed namespace.
class Core {
 public:
  Core(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        ioc_(std::max(1, options_.io_threads)),
        strand_(net::make_strand(ioc_)),
        acceptor_(strand_),
        grace_timer_(strand_),
        accept_retry_timer_(strand_),
        workers_(static_cast<size_t>(options_.worker_threads)),
        blocking_(static_cast<size_t>(std::max(1, options_.blocking_threads))),
        import_(static_cast<size_t>(std::max(1, options_.import_threads))) {
    // Ids from two servers (or a restart) differ by their prefix; within one server the counter makes them unique.
    std::random_device random;
    std::snprintf(id_prefix_, sizeof(id_prefix_), "%08x", static_cast<unsigned>(random()));
  }

  // "3f9a0c1b-000001a4": this server's prefix and the request's number.
  std::string NextRequestId() {
    char id[32];
    std::snprintf(id, sizeof(id), "%s-%08llx", id_prefix_,
                  static_cast<unsigned long long>(request_counter_.fetch_add(1) + 1));
    return id;
  }

  Status Listen();
  void Run(bool handle_signals);
  void Stop() {
    net::post(strand_, [this] { DoStop(); });
  }

  // Runs the response hook, turning an exception from it into a 500.
  void ApplyHook(const Request& request, Response& response, std::string* error) const;
  void Log(const AccessRecord& record) const;

  void Register(Session* session, const std::shared_ptr<Session>& shared);
  void Unregister(Session* session);

  ServerOptions options_;
  const Router& router_;
  AccessLogger logger_;
  std::function<void(const Request&, Response&)> hook_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::atomic<uint16_t> port_{0};
  char id_prefix_[16] = {0};
  std::atomic<uint64_t> request_counter_{0};

  // Declared before the io_context, so that sessions destroyed with it can still unregister.
  std::mutex sessions_mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::atomic<int> connections_{0};

  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;  // the acceptor, the signals, stopping
  tcp::acceptor acceptor_;
  std::optional<net::signal_set> signals_;
  net::steady_timer grace_timer_;
  net::steady_timer accept_retry_timer_;
  // Declared after the io_context: destroyed first, so no handler holds a session past the io_context.
  net::thread_pool workers_;
  net::thread_pool blocking_;  // routes marked blocking (RouteOptions); unused when options_.blocking_threads is 0
  net::thread_pool import_;    // routes marked import (RouteOptions); unused when options_.import_threads is 0

  // Stops the pools and waits for the handlers still running.
  void JoinHandlers() {
    workers_.join();
    blocking_.join();
    import_.join();
  }

 private:
  void StartAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void DoStop();
  std::vector<std::shared_ptr<Session>> LiveSessions();
};

// One connection. All of its members are used on its strand, except request_/response_/error_ while phase_ is
// kBusy and the handler runs on the worker pool (the strand does not touch them then).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core* core, tcp::socket socket, std::string remote)
      : core_(core), stream_(std::move(socket)), executor_(stream_.get_executor()), remote_(std::move(remote)) {}
  ~Session() { core_->Unregister(this); }

  const net::any_io_executor& executor() const { return executor_; }

  void Start() { WaitForRequest(core_->options_.request_timeout_seconds); }

  // On the strand: the server is stopping. Connections between requests are closed; requests under way finish.
  void OnServerStopping() {
    if (phase_ == Phase::kWaiting || phase_ == Phase::kLingering) Close();
  }

  // Closes the socket now. REQUIRES: no event-loop thread is running (Run() after the grace period).
  void ForceClose() { Close(); }

 private:
  enum class Phase { kWaiting, kReading, kBusy, kLingering, kClosed };

  std::shared_ptr<Session> Self() { return shared_from_this(); }

  // Waits for the first byte of the next request: under the idle timeout between keep-alive requests, under the
  // request timeout on a new connection.
  void WaitForRequest(int timeout_seconds) {
    if (core_->stopping_) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    phase_ = Phase::kWaiting;
    stream_.expires_after(std::chrono::seconds(timeout_seconds));
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes), [self = Self()](beast::error_code ec, size_t n) {
      self->buffer_.commit(n);
      if (ec) return self->Close();
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    started_ = SteadyClock::now();
    request_ = Request{};
    request_.remote_address = remote_;
    request_.id = core_->NextRequestId();
    response_ = Response{};
    error_.clear();
    match_ = Router::Match{};
    handler_ = nullptr;
    version_ = 11;
    keep_alive_ = false;
    close_after_ = false;
    body_limit_ = core_->options_.default_max_body_bytes;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(core_->options_.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    // No limit while the header is parsed: Beast would compare Content-Length with its own default (1 MiB) before
    // the route, and so the route's limit, is known.
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    stream_.expires_after(std::chrono::seconds(core_->options_.request_timeout_seconds));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return Answer(431, "request header too large", /*close=*/true);
    if (IsMalformed(ec)) return Answer(400, "malformed request", /*close=*/true);
    if (ec) return Close();

    auto& message = parser_->get();
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    request_.method = std::string(message.method_string());
    request_.target = std::string(message.target());
    for (const auto& field : message) {
      request_.headers.emplace(std::string(field.name_string()), std::string(field.value()));
    }
    if (core_->options_.trust_forwarded_headers) ApplyForwardedHeaders();
    if (HasAmbiguousLength(request_.headers)) {
      return Answer(400, "ambiguous body length (Transfer-Encoding with Content-Length, or not only chunked)",
                    /*close=*/true);
    }

    std::string_view raw_path, raw_query;
    if (!SplitTarget(request_.target, &raw_path, &raw_query)) {
      return Answer(400, "malformed request target", /*close=*/!parser_->is_done());
    }
    std::optional<std::string> path = PercentDecode(raw_path, /*plus_as_space=*/false);
    if (!path || path->find('\0') != std::string::npos || utf8::FindInvalid(*path)) {
      return Answer(400, "malformed path", /*close=*/!parser_->is_done());
    }
    request_.path = std::move(*path);
    std::optional<std::multimap<std::string, std::string>> query = ParseUrlEncoded(raw_query);
    if (!query)
      return Answer(400, "malformed query string: bad percent-encoding or invalid UTF-8",
                    /*close=*/!parser_->is_done());
    request_.query = std::move(*query);

    match_ = core_->router_.Find(request_.method, request_.path);
    size_t limit = core_->options_.default_max_body_bytes;
    if (match_.kind == Router::Match::Kind::kFound) {
      handler_ = match_.handler;
      limit = match_.options->max_body_bytes;
      request_.path_params = std::move(match_.params);
    }
    body_limit_ = limit;
    if (const auto length = parser_->content_length(); length && *length > limit) return AnswerTooLarge();
    parser_->body_limit(limit);  // for chunked bodies, whose size is only known as they arrive
    if (parser_->is_done()) return Dispatch();

    const bool expects_continue = version_ >= 11 && EqualsIgnoreCase(Trim(request_.Header("Expect")), "100-continue");
    if (!expects_continue) return ReadBody();
    if (handler_ == nullptr) {
      // Answer at once and close: the client may or may not send the body it announced.
      close_after_ = true;
      return Dispatch();
    }
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = Self()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->ReadBody();
                     });
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      if (ec == bhttp::error::body_limit) return self->AnswerTooLarge();
      if (IsMalformed(ec)) return self->Answer(400, "malformed request body", /*close=*/true);
      if (ec) return self->Close();
      self->request_.body = std::move(self->parser_->get().body());
      self->Dispatch();
    });
  }

  void Dispatch() {
    switch (match_.kind) {
      case Router::Match::Kind::kNotFound:
        return Answer(404, "not found", close_after_);
      case Router::Match::Kind::kMethodNotAllowed:
        return Answer(405, "method not allowed", close_after_);
      case Router::Match::Kind::kFound:
        break;
    }
    phase_ = Phase::kBusy;
    const bool import = match_.options->import && core_->options_.import_threads > 0;
    const bool blocking = match_.options->blocking && core_->options_.blocking_threads > 0;
    net::thread_pool& pool = import ? core_->import_ : blocking ? core_->blocking_ : core_->workers_;
    net::post(pool, [self = Self()] { self->RunHandler(); });
  }

  // On a worker thread.
  void RunHandler() {
    try {
      response_ = (*handler_)(request_);
      if (!response_.log_note.empty()) error_ = std::move(response_.log_note);
    } catch (const std::exception& e) {
      error_ = std::string("handler threw: ") + e.what();
      response_ = Response::Text(500, "internal server error\n");
    } catch (...) {
      error_ = "handler threw a non-standard exception";
      response_ = Response::Text(500, "internal server error\n");
    }
    core_->ApplyHook(request_, response_, &error_);
    net::post(executor_, [self = Self()] { self->Write(); });
  }

  // A response the server makes itself: no handler runs.
  void Answer(int status, std::string message, bool close) {
    phase_ = Phase::kBusy;
    close_after_ = close_after_ || close;
    error_ = message;
    response_ = Response::Text(status, message + "\n");
    if (status == 405) response_.SetHeader("Allow", match_.allow);
    core_->ApplyHook(request_, response_, &error_);
    Write();
  }

  void AnswerTooLarge() {
    Answer(413, "request body too large (limit " + std::to_string(body_limit_) + " bytes)", /*close=*/true);
  }

  void Write() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kBusy;
    int status = response_.status;
    if (status < 200 || status > 599) {
      error_ = "handler returned status " + std::to_string(status);
      response_ = Response::Text(500, "internal server error\n");
      status = 500;
    }
    bool keep_alive = keep_alive_ && !close_after_ && !core_->stopping_;

    out_ = {};
    out_.version(version_);
    out_.result(static_cast<unsigned>(status));
    out_.reason(ToBeast(ReasonPhrase(status)));
    bool has_date = false;
    for (const auto& [name, value] : response_.headers) {
      if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) continue;
      if (EqualsIgnoreCase(name, "Connection")) {
        if (EqualsIgnoreCase(Trim(value), "close")) keep_alive = false;
        continue;
      }
      // The server frames the body itself.
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding")) continue;
      if (EqualsIgnoreCase(name, "Date")) has_date = true;
      out_.insert(name, SanitizeValue(value));
    }
    if (!has_date) out_.set(bhttp::field::date, ToBeast(HttpDate()));
    out_.set("X-Request-Id", ToBeast(request_.id));
    if (status == 204 || status == 304) {
      response_.body.clear();
    } else {
      out_.content_length(response_.body.size());
      if (request_.method != "HEAD") out_.body() = std::move(response_.body);
    }
    out_.keep_alive(keep_alive);
    keep_alive_ = keep_alive;

    stream_.expires_after(std::chrono::seconds(core_->options_.request_timeout_seconds));
    bhttp::async_write(stream_, out_, [self = Self()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    AccessRecord record;
    record.request_id = request_.id;
    record.remote = request_.remote_address;
    record.method = request_.method;
    record.target = RedactTargetForLog(request_.target);
    record.status = out_.result_int();
    record.bytes = out_.body().size();
    record.millis = std::chrono::duration<double, std::milli>(SteadyClock::now() - started_).count();
    record.user_agent = std::string(request_.Header("User-Agent"));
    record.error = std::move(error_);
    core_->Log(record);

    out_ = {};
    if (ec) return Close();
    if (!keep_alive_) return Linger();
    parser_.reset();
    WaitForRequest(core_->options_.idle_timeout_seconds);
  }

  // Half-closes, then drains the input until the client closes (see kLingerTime).
  void Linger() {
    phase_ = Phase::kLingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.consume(buffer_.size());
    stream_.expires_after(kLingerTime);
    lingered_ = 0;
    DrainInput();
  }

  void DrainInput() {
    stream_.async_read_some(net::buffer(drain_), [self = Self()](beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerBytes) return self->Close();
      self->DrainInput();
    });
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // The client address is the last X-Forwarded-For entry: the one our proxy appended. Earlier entries come from the
  // client and may be forged.
  void ApplyForwardedHeaders() {
    auto [first, last] = request_.headers.equal_range(std::string_view("X-Forwarded-For"));
    std::string_view forwarded_for;
    for (auto it = first; it != last; ++it) forwarded_for = it->second;
    if (const size_t comma = forwarded_for.rfind(','); comma != std::string_view::npos) {
      forwarded_for = forwarded_for.substr(comma + 1);
    }
    forwarded_for = Trim(forwarded_for);
    if (!forwarded_for.empty()) request_.remote_address = std::string(forwarded_for);

    auto [pfirst, plast] = request_.headers.equal_range(std::string_view("X-Forwarded-Proto"));
    std::string_view proto;
    for (auto it = pfirst; it != plast; ++it) proto = it->second;
    if (const size_t comma = proto.rfind(','); comma != std::string_view::npos) proto = proto.substr(comma + 1);
    request_.secure = EqualsIgnoreCase(Trim(proto), "https");

    const std::string_view id = Trim(request_.Header("X-Request-Id"));
    if (IsSaneRequestId(id)) request_.id = std::string(id);
  }

  Core* const core_;
  beast::tcp_stream stream_;
  const net::any_io_executor executor_;  // the connection's strand
  const std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> out_;
  std::array<char, 4096> drain_;
  size_t lingered_ = 0;

  Phase phase_ = Phase::kWaiting;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool close_after_ = false;
  size_t body_limit_ = 0;
  SteadyClock::time_point started_;
  Router::Match match_;
  const Handler* handler_ = nullptr;
  Request request_;
  Response response_;
  std::string error_;
};

Status Core::Listen() {
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(options_.address, ec);
  if (ec) return InvalidArgumentError(Msg("not an IP address: {}", options_.address), "address");
  const tcp::endpoint endpoint(address, options_.port);
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return UnavailableError(Msg("cannot listen on {}: {}", where, ec.message()));
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return OkStatus();
}

void Core::Run(bool handle_signals) {
  running_ = true;
  auto work = net::make_work_guard(ioc_);  // Run() ends by ioc_.stop(), never by running out of work
  if (handle_signals) {
    signals_.emplace(strand_, SIGINT, SIGTERM);
    signals_->async_wait([this](beast::error_code ec, int) {
      if (!ec) DoStop();
    });
  }
  net::dispatch(strand_, [this] { StartAccept(); });

  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (std::thread& t : threads) t.join();

  // Only this thread touches the io_context now. Close what the grace period left open, wait for the handlers still
  // running, then run what they and the closing queued, so that every session is gone when Run() returns.
  running_ = false;
  for (const std::shared_ptr<Session>& session : LiveSessions()) session->ForceClose();
  JoinHandlers();
  work.reset();
  ioc_.restart();
  ioc_.poll();
  signals_.reset();
}

void Core::StartAccept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         net::bind_executor(strand_, [this](beast::error_code ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         }));
}

void Core::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_ || !acceptor_.is_open()) return;
  if (ec) {
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory) {
      std::fprintf(stderr, "ningju http: accept: %s; retrying\n", ec.message().c_str());
      accept_retry_timer_.expires_after(kAcceptRetryDelay);
      accept_retry_timer_.async_wait([this](beast::error_code timer_ec) {
        if (!timer_ec && !stopping_) StartAccept();
      });
      return;
    }
    return StartAccept();  // the peer went away before we accepted it, or similar
  }
  if (connections_.load() >= options_.max_connections) {
    beast::error_code ignored;
    socket.close(ignored);
    return StartAccept();
  }
  socket.set_option(tcp::no_delay(true), ec);
  const std::string remote = AddressString(socket.remote_endpoint(ec));
  if (ec) return StartAccept();  // already disconnected

  ++connections_;
  auto session = std::make_shared<Session>(this, std::move(socket), remote);
  Register(session.get(), session);
  net::dispatch(session->executor(), [session] { session->Start(); });
  StartAccept();
}

void Core::DoStop() {
  if (stopping_.exchange(true)) return;
  beast::error_code ignored;
  acceptor_.close(ignored);
  if (signals_) signals_->cancel(ignored);
  accept_retry_timer_.cancel();
  if (connections_.load() == 0) {
    ioc_.stop();
    return;
  }
  for (const std::shared_ptr<Session>& session : LiveSessions()) {
    net::post(session->executor(), [session] { session->OnServerStopping(); });
  }
  grace_timer_.expires_after(std::chrono::seconds(std::max(0, options_.shutdown_grace_seconds)));
  grace_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) ioc_.stop();
  });
}

std::vector<std::shared_ptr<Session>> Core::LiveSessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard<std::mutex> lock(sessions_mu_);
  out.reserve(sessions_.size());
  for (const auto& [raw, weak] : sessions_) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

void Core::Register(Session* session, const std::shared_ptr<Session>& shared) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  sessions_.emplace(session, shared);
}

void Core::Unregister(Session* session) {
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.erase(session);
  }
  // The last connection of a stopping server ends Run() without waiting out the grace period.
  if (--connections_ == 0 && stopping_ && running_) ioc_.stop();
}

void Core::ApplyHook(const Request& request, Response& response, std::string* error) const {
  if (!hook_) return;
  try {
    hook_(request, response);
  } catch (const std::exception& e) {
    *error = std::string("response hook threw: ") + e.what();
    response = Response::Text(500, "internal server error\n");
  } catch (...) {
    *error = "response hook threw a non-standard exception";
    response = Response::Text(500, "internal server error\n");
  }
}

void Core::Log(const AccessRecord& record) const {
  if (logger_) {
    try {
      logger_(record);
    } catch (...) {
      // A failing logger must not take the connection down with it.
    }
    return;
  }
  if (!record.error.empty() && record.status >= 500) {
    std::fprintf(stderr, "ningju http: [%s] %s %s -> %d: %s\n", record.request_id.c_str(), record.method.c_str(),
                 record.target.c_str(), record.status, record.error.c_str());
  }
}

int DefaultThreads(int requested, int minimum) {
  if (requested > 0) return requested;
  return std::max<int>(minimum, static_cast<int>(std::thread::hardware_concurrency()));
}

ServerOptions Normalized(ServerOptions options) {
  options.io_threads = DefaultThreads(options.io_threads, 1);
  options.worker_threads = DefaultThreads(options.worker_threads, 2);
  return options;
}

}  // namespace

class Server::Impl final : public Core {
 public:
  using Core::Core;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(Normalized(std::move(options)), router)) {}

Server::~Server() {
  impl_->workers_.stop();
  impl_->blocking_.stop();
  impl_->import_.stop();
  impl_->JoinHandlers();
}

void Server::SetAccessLogger(AccessLogger logger) { impl_->logger_ = std::move(logger); }

void Server::SetResponseHook(std::function<void(const Request&, Response&)> hook) { impl_->hook_ = std::move(hook); }

Status Server::Listen() { return impl_->Listen(); }

uint16_t Server::port() const { return impl_->port_; }

void Server::Run(bool handle_signals) { impl_->Run(handle_signals); }

void Server::Stop() { impl_->Stop(); }

}  // namespace ningju::http
