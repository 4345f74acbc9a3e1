// Routes a request to its handler by method and path pattern.
//
// Patterns are split on '/' into segments, each one of:
//   - a literal ("areas"), matched exactly (case-sensitive);
//   - a parameter "{name}", matching any one non-empty segment;
//   - a final rest parameter "{name...}", matching one or more remaining segments, slashes included
//     ("/static/{path...}" matches "/static/css/app.css" with path = "css/app.css").
// At each depth a literal beats a parameter, and a parameter beats a rest parameter; when the preferred branch leads
// nowhere, the next one is tried. Matching is exact: "/areas/" does not match "/areas", and "/areas//1" matches
// nothing; there are no redirects between them. Matching runs on Request::path, which is already percent-decoded, so
// an encoded "%2F" separates segments like '/' does.
//
// The path picks the route first and the method second: a path whose best-matching pattern has no handler for the
// method is 405 with an Allow header listing that pattern's methods, even if a less specific pattern has the method.
// A path that matches no pattern is 404. HEAD is served by the GET handler unless a HEAD handler is registered
// (the server then sends headers only).
#ifndef NINGJU_HTTP_ROUTER_H_
#define NINGJU_HTTP_ROUTER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace ningju::http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
  // The largest body this route accepts, in bytes; a larger one is refused with 413 before it is read whole.
  size_t max_body_bytes = 64 * 1024;
  // The handler spends most of its time waiting, not computing (a case intake waits for the group commit that holds
  // it): it runs on the server's pool of blocking threads, so that many can wait together while the workers, one per
  // core, go on with everything else.
  bool blocking = false;
  // The handler parses and writes a large upload (a roster import): it runs on the server's small pool of import
  // threads (ServerOptions::import_threads), so that a few imports at once cannot take the workers from the pages.
  bool import = false;
};

struct RouteInfo {
  std::string method;
  std::string pattern;
  RouteOptions options;
};

class Router {
 public:
  // `defaults` applies to routes added without options of their own.
  explicit Router(RouteOptions defaults = {});
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The options of routes added without their own; a base for a route that changes one of them.
  const RouteOptions& defaults() const { return defaults_; }
  // The defaults with `blocking` set: for handlers that mostly wait (RouteOptions::blocking).
  RouteOptions Blocking() const {
    RouteOptions o = defaults_;
    o.blocking = true;
    return o;
  }
  // The defaults with `import` set and the body limit `max_body_bytes` (RouteOptions::import).
  RouteOptions Import(size_t max_body_bytes) const {
    RouteOptions o = defaults_;
    o.max_body_bytes = max_body_bytes;
    o.import = true;
    return o;
  }

  // `method` is upper case ("GET"); `pattern` starts with '/'. A malformed pattern or a second route with the same
  // method and pattern is a programming error and aborts with a message. Not thread-safe: register before serving.
  void Add(std::string method, std::string pattern, Handler handler,
           std::optional<RouteOptions> options = std::nullopt);

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
    const Handler* handler = nullptr;
    const RouteOptions* options = nullptr;
    std::map<std::string, std::string> params;
    std::string allow;  // for kMethodNotAllowed: "GET, HEAD, POST" (sorted; HEAD whenever GET is there)
  };
  // Thread-safe after registration. The pointers in the match live as long as the router.
  Match Find(std::string_view method, std::string_view path) const;

  // Every route, in registration order (the OpenAPI test compares this with the document).
  std::vector<RouteInfo> Routes() const;

 private:
  struct Node;
  RouteOptions defaults_;
  std::unique_ptr<Node> root_;
  std::vector<RouteInfo> routes_;
};

}  // namespace ningju::http

#endif  // NINGJU_HTTP_ROUTER_H_
