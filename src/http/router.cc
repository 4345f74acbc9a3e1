#include "http/router.h"

#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

namespace ningju::http {
namespace {

struct Segment {
  std::string_view text;
  size_t offset;  // where `text` starts in the path
};

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}. The same split serves patterns and paths, so a trailing
// slash is an empty last segment that only an identical pattern matches. REQUIRES: s starts with '/'.
std::vector<Segment> Split(std::string_view s) {
  std::vector<Segment> out;
  size_t start = 1;
  while (true) {
    const size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back({s.substr(start), start});
      return out;
    }
    out.push_back({s.substr(start, slash - start), start});
    start = slash + 1;
  }
}

[[noreturn]] void Die(std::string_view what, std::string_view method, std::string_view pattern) {
  std::fprintf(stderr, "ningju::http::Router::Add(%.*s, %.*s): %.*s\n", static_cast<int>(method.size()), method.data(),
               static_cast<int>(pattern.size()), pattern.data(), static_cast<int>(what.size()), what.data());
  std::abort();
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

enum class SegmentKind { kLiteral, kParam, kRest };

// Classifies one pattern segment; sets `name` for parameters. Aborts on a malformed one.
SegmentKind Classify(std::string_view seg, std::string* name, std::string_view method, std::string_view pattern) {
  const bool has_brace = seg.find_first_of("{}") != std::string_view::npos;
  if (!has_brace) return SegmentKind::kLiteral;
  if (seg.size() < 3 || seg.front() != '{' || seg.back() != '}') {
    Die("a parameter must be a whole segment: {name} or {name...}", method, pattern);
  }
  std::string_view inner = seg.substr(1, seg.size() - 2);
  SegmentKind kind = SegmentKind::kParam;
  if (inner.size() > 3 && inner.substr(inner.size() - 3) == "...") {
    inner.remove_suffix(3);
    kind = SegmentKind::kRest;
  }
  if (inner.empty()) Die("empty parameter name", method, pattern);
  for (const char c : inner) {
    if (!IsNameChar(c)) Die("a parameter name is letters, digits and '_'", method, pattern);
  }
  *name = std::string(inner);
  return kind;
}

}  // namespace

struct Router::Node {
  struct Route {
    Handler handler;
    RouteOptions options;
    std::vector<std::string> param_names;  // in the order of the pattern's parameters
  };
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;  // "{name}"
  std::unique_ptr<Node> rest;   // "{name...}": always a leaf
  std::map<std::string, Route, std::less<>> methods;
};

Router::Router(RouteOptions defaults) : defaults_(defaults), root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(std::string method, std::string pattern, Handler handler, std::optional<RouteOptions> route_options) {
  const RouteOptions options = route_options.value_or(defaults_);
  if (method.empty()) Die("empty method", method, pattern);
  for (const char c : method) {
    if (c < 'A' || c > 'Z') Die("the method must be upper-case letters", method, pattern);
  }
  if (pattern.empty() || pattern.front() != '/') Die("the pattern must start with '/'", method, pattern);
  if (!handler) Die("empty handler", method, pattern);

  Node* node = root_.get();
  std::vector<std::string> names;
  const std::vector<Segment> segments = Split(pattern);
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string name;
    switch (Classify(segments[i].text, &name, method, pattern)) {
      case SegmentKind::kLiteral: {
        auto it = node->literals.find(segments[i].text);
        if (it == node->literals.end()) {
          it = node->literals.emplace(std::string(segments[i].text), std::make_unique<Node>()).first;
        }
        node = it->second.get();
        break;
      }
      case SegmentKind::kParam:
        if (!node->param) node->param = std::make_unique<Node>();
        node = node->param.get();
        break;
      case SegmentKind::kRest:
        if (i + 1 != segments.size()) Die("{name...} must be the last segment", method, pattern);
        if (!node->rest) node->rest = std::make_unique<Node>();
        node = node->rest.get();
        break;
    }
    if (!name.empty()) {
      for (const std::string& n : names) {
        if (n == name) Die("a parameter name appears twice", method, pattern);
      }
      names.push_back(std::move(name));
    }
  }
  if (node->methods.contains(method)) Die("the route is already registered", method, pattern);
  node->methods.emplace(method, Node::Route{std::move(handler), options, std::move(names)});
  routes_.push_back(RouteInfo{std::move(method), std::move(pattern), options});
}

namespace {

// A template only so that it can take the private Router::Node without naming it.
// Depth-first search in precedence order (literal, parameter, rest). Returns the first node that matches the whole
// path and has at least one route; `values` holds the captured parameter values on return.
template <typename NodeT>
const NodeT* Search(const NodeT* node, std::string_view path, const std::vector<Segment>& segments, size_t i,
                    std::vector<std::string_view>* values) {
  if (i == segments.size()) return node->methods.empty() ? nullptr : node;
  const std::string_view seg = segments[i].text;
  if (auto it = node->literals.find(seg); it != node->literals.end()) {
    if (const NodeT* found = Search(it->second.get(), path, segments, i + 1, values)) return found;
  }
  if (node->param && !seg.empty()) {
    values->push_back(seg);
    if (const NodeT* found = Search(node->param.get(), path, segments, i + 1, values)) return found;
    values->pop_back();
  }
  if (node->rest && !node->rest->methods.empty()) {
    const std::string_view remainder = path.substr(segments[i].offset);
    if (!remainder.empty()) {
      values->push_back(remainder);
      return node->rest.get();
    }
  }
  return nullptr;
}

}  // namespace

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path.front() != '/') return match;
  const std::vector<Segment> segments = Split(path);
  std::vector<std::string_view> values;
  const Node* node = Search(root_.get(), path, segments, 0, &values);
  if (node == nullptr) return match;

  auto it = node->methods.find(method);
  if (it == node->methods.end() && method == "HEAD") it = node->methods.find(std::string_view("GET"));
  if (it == node->methods.end()) {
    match.kind = Match::Kind::kMethodNotAllowed;
    std::set<std::string_view> allowed;
    for (const auto& [m, route] : node->methods) {
      allowed.insert(m);
      if (m == "GET") allowed.insert("HEAD");
    }
    for (std::string_view m : allowed) {
      if (!match.allow.empty()) match.allow += ", ";
      match.allow += m;
    }
    return match;
  }
  const Node::Route& route = it->second;
  match.kind = Match::Kind::kFound;
  match.handler = &route.handler;
  match.options = &route.options;
  for (size_t i = 0; i < route.param_names.size() && i < values.size(); ++i) {
    match.params.emplace(route.param_names[i], std::string(values[i]));
  }
  return match;
}

std::vector<RouteInfo> Router::Routes() const { return routes_; }

}  // namespace ningju::http
