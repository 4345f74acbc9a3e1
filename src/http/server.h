// An event-driven HTTP/1.1 server on Boost.Asio/Beast. Connections are asynchronous (an idle keep-alive connection
// holds no thread); handlers run on a worker pool sized to the cores, so a slow database call never blocks the
// accepting and reading of other connections. Routes marked `blocking` (handlers that mostly wait, e.g. for a group
// commit) run on a second, larger pool, so that waiting never starves the workers and many waits can share one commit.
// Routes marked `import` (large uploads parsed and written at once) run on a third, small pool, so that a few imports
// cannot take every worker from the pages.
//
// One request, in order: the request gets its id (Request::id: a per-server random prefix and a counter, or a sane
// X-Request-Id from a trusted proxy), sent back in X-Request-Id on every response; the header is read (larger than
// max_header_bytes: 431, then close); a request with a Transfer-Encoding other than exactly "chunked", or with both
// Transfer-Encoding and Content-Length, is refused with 400 and the connection closed (RFC 9112 sections 6.1 and 6.3:
// the body's length is ambiguous, so a second request could be smuggled in it); the target's path is
// percent-decoded (a bad escape, a NUL or invalid UTF-8 in the path or query: 400); the route is looked up; a body
// larger than the route's max_body_bytes is refused with 413 before it is read (then close), and a client that sent
// "Expect: 100-continue" is told to go on only when the body fits; the handler runs on the worker pool; an exception
// from it becomes a generic 500 (the what() goes to the access log's `error`, never to the client); the response hook
// runs on every response, including the 400/404/405/413/431/500 the server makes itself; the response is written and
// the access logger called. HEAD responses carry the GET handler's headers and Content-Length but no body.
//
// Timeouts: reading one request (header and body) and writing its response each get request_timeout_seconds; a
// keep-alive connection waiting for its next request gets idle_timeout_seconds (a new connection waiting for its
// first byte gets request_timeout_seconds). A timed-out connection is closed without a response.
#ifndef NINGJU_HTTP_SERVER_H_
#define NINGJU_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"
#include "http/router.h"

namespace ningju::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;                 // 0: an ephemeral port (tests); read it back with Server::port()
  int io_threads = 0;                   // threads running the event loop, Run()'s caller included; 0: one per core
  int worker_threads = 0;               // threads running handlers; 0: one per core, at least 2
  int blocking_threads = 64;            // threads running the handlers of routes marked `blocking`; 0: the workers
  int import_threads = 2;               // threads running the handlers of routes marked `import`; 0: the workers
  size_t max_header_bytes = 16 * 1024;  // request line and header fields, in bytes; larger: 431
  size_t default_max_body_bytes = 64 * 1024;  // bytes; for requests that match no route (404/405)
  int request_timeout_seconds = 30;           // reading one request, headers and body
  int idle_timeout_seconds = 75;              // keep-alive idle connection
  int max_connections = 10000;                // open connections; further ones are accepted and closed at once
  int shutdown_grace_seconds = 10;            // in-flight requests get this long to finish on Stop()
  // Take the client address from the last X-Forwarded-For entry, `secure` from X-Forwarded-Proto: https, and the
  // request id from X-Request-Id (when it is 1 to 64 letters, digits and ._:-). Only behind a reverse proxy that sets
  // them: otherwise a client could claim any address.
  bool trust_forwarded_headers = false;
};

// Called once per answered request (the access log), from the event-loop threads: the logger must be thread-safe and
// should be quick. A connection closed before its response (timeout, client gone) produces no record.
struct AccessRecord {
  std::string request_id;  // Request::id, also sent as X-Request-Id
  std::string remote;
  std::string method;
  std::string target;  // as received, with credentials and phone numbers redacted (http/log_redaction.h)
  int status = 0;
  size_t bytes = 0;
  double millis = 0;
  std::string user_agent;
  // Why the server answered 5xx/4xx itself ("handler threw: ...") or the handler's Response::log_note (an internal
  // error's real text); empty otherwise; never sent.
  std::string error;
};
using AccessLogger = std::function<void(const AccessRecord&)>;

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Set both before Run().
  void SetAccessLogger(AccessLogger logger);
  // Called after the handler on every response, including the ones the server makes itself (400, 404, 405, 413,
  // 431, 500), e.g. to add security headers. For a 431 the request has no method, target or headers. Runs on a
  // worker or event-loop thread: must be thread-safe. An exception from it turns the response into a generic 500.
  void SetResponseHook(std::function<void(const Request&, Response&)> hook);

  // Binds and listens; after it returns OK, port() is the bound port. kInvalidArgument for a bad address,
  // kUnavailable when the address cannot be bound.
  Status Listen();
  uint16_t port() const;
  // Serves until Stop() (or SIGTERM/SIGINT when `handle_signals`). Blocks. REQUIRES: Listen() returned OK; called
  // once per Server. Returns after every connection is closed and every handler still running has returned (it may
  // use objects the caller destroys next).
  void Run(bool handle_signals);
  // Stops accepting (new connections are refused), closes idle connections, lets in-flight requests (whose header has
  // begun to arrive) finish and answers them with "Connection: close"; after shutdown_grace_seconds the remaining
  // connections are closed. Then Run() returns. Thread-safe, idempotent; may be called before Run() or from a
  // handler.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ningju::http

#endif  // NINGJU_HTTP_SERVER_H_
