// An event-driven HTTP/1.1 server on Boost.Asio/Beast. Connections are asynchronous (an idle keep-alive connection
// holds no thread); handlers run on a worker pool sized to the cores, so a slow database call never blocks the
// accepting and reading of other connections.
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
  uint16_t port = 8080;                    // 0: an ephemeral port (tests); read it back with Server::port()
  int io_threads = 0;                      // 0: one per core
  int worker_threads = 0;                  // 0: one per core, at least 2
  size_t max_header_bytes = 16 * 1024;     // larger headers: 431
  size_t default_max_body_bytes = 64 * 1024;
  int request_timeout_seconds = 30;        // reading one request, headers and body
  int idle_timeout_seconds = 75;           // keep-alive idle connection
  int max_connections = 10000;             // further connections are closed at once
  int shutdown_grace_seconds = 10;         // in-flight requests get this long to finish on Stop()
  bool trust_forwarded_headers = false;    // take X-Forwarded-For/-Proto from a reverse proxy
};

// Called once per finished request (the access log).
struct AccessRecord {
  std::string remote;
  std::string method;
  std::string target;
  int status = 0;
  size_t bytes = 0;
  double millis = 0;
  std::string user_agent;
};
using AccessLogger = std::function<void(const AccessRecord&)>;

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void SetAccessLogger(AccessLogger logger);
  // Wraps every handler call, e.g. to turn exceptions into 500s and add security headers.
  void SetResponseHook(std::function<void(const Request&, Response&)> hook);

  // Binds and listens; after it returns OK, port() is the bound port.
  Status Listen();
  uint16_t port() const;
  // Serves until Stop() (or SIGTERM/SIGINT when `handle_signals`). Blocks.
  void Run(bool handle_signals);
  // Stops accepting, lets in-flight requests finish (up to the grace period), then returns from Run(). Thread-safe.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ningju::http

#endif  // NINGJU_HTTP_SERVER_H_
