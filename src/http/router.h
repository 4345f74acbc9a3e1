// Routes a request to its handler by method and path pattern. Patterns are literal segments and `{name}` segments
// ("/api/v1/areas/{id}/children"); a literal segment wins over a parameter at the same depth. A path that matches
// no pattern is 404; a path that matches with another method is 405 with an Allow header.
#ifndef NINGJU_HTTP_ROUTER_H_
#define NINGJU_HTTP_ROUTER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"

namespace ningju::http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
  // The largest body this route accepts, in bytes; a larger one is refused with 413 before it is read whole.
  size_t max_body_bytes = 64 * 1024;
};

struct RouteInfo {
  std::string method;
  std::string pattern;
  RouteOptions options;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // REQUIRES: no route with the same method and pattern exists. Not thread-safe: register before serving.
  void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
    const Handler* handler = nullptr;
    const RouteOptions* options = nullptr;
    std::map<std::string, std::string> params;
    std::string allow;  // for kMethodNotAllowed: "GET, POST"
  };
  // Thread-safe after registration. HEAD matches GET routes.
  Match Find(std::string_view method, std::string_view path) const;

  // Every route, in registration order (the OpenAPI test compares this with the document).
  std::vector<RouteInfo> Routes() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<RouteInfo> routes_;
};

}  // namespace ningju::http

#endif  // NINGJU_HTTP_ROUTER_H_
