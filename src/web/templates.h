// Server-rendered HTML from mustache templates (kainjow mustache). Every {{value}} is HTML-escaped. Unescaped tags
// ({{{name}}} / {{&name}}) are allowed only for names starting with "html_", which only our own renderers fill
// (the page body rendered from another template, an SVG QR code); templates_test checks every template for this.
#ifndef NINGJU_WEB_TEMPLATES_H_
#define NINGJU_WEB_TEMPLATES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace ningju::web {

class Templates {
 public:
  // Loads every *.mustache file under `dir` (recursively); a template is named by its path without the extension
  // ("areas/area"). A template in a folder can be included as a partial ({{> areas/card}}); the top-level ones
  // (error, home, layout) cannot, so that their names never stand in for a page's own value ({{#error}}).
  static StatusOr<std::unique_ptr<Templates>> Load(const std::string& dir);

  // Renders `name` with `data`. kNotFound for an unknown template; kInternal when the template has an error.
  // `messages`, when given, is visible to the template as `t` ({{t.key}}); it must outlive the Templates (the
  // message catalogs do), because its converted form is cached per thread.
  StatusOr<std::string> Render(const std::string& name, const nlohmann::json& data,
                               const nlohmann::json* messages = nullptr) const;

  bool Has(const std::string& name) const { return sources_.count(name) > 0; }
  const std::map<std::string, std::string>& sources() const { return sources_; }

 private:
  // Distinguishes instances in the per-thread caches (an address may be reused by a later instance).
  const uint64_t id_ = NextId();
  static uint64_t NextId();
  std::map<std::string, std::string> sources_;
};

// The names used in unescaped tags of a template source; for the check above.
std::vector<std::string> UnescapedNames(const std::string& source);

}  // namespace ningju::web

#endif  // NINGJU_WEB_TEMPLATES_H_
