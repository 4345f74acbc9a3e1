// Interface languages: zh-CN (the default) and en. Messages live in templates/i18n/<locale>.json (the shell) and
// templates/i18n/<module>.<locale>.json (one per module) as flat key -> text maps, merged at load; every key of zh-CN
// must exist in en (i18n_test checks).
#ifndef NINGJU_WEB_I18N_H_
#define NINGJU_WEB_I18N_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace ningju::web {

inline constexpr std::string_view kDefaultLocale = "zh-CN";

class I18n {
 public:
  static StatusOr<std::unique_ptr<I18n>> Load(const std::string& dir);

  // The locale to use: an explicit choice (cookie or ?lang=) if supported, else the best Accept-Language match,
  // else zh-CN.
  std::string Negotiate(std::string_view explicit_choice, std::string_view accept_language) const;

  // The messages of `locale` as a JSON object (for templates as {{t.key}}).
  const nlohmann::json& Messages(const std::string& locale) const;
  // One message; the key itself when missing.
  std::string Get(const std::string& locale, const std::string& key) const;
  bool Supports(std::string_view locale) const;

 private:
  std::map<std::string, nlohmann::json, std::less<>> catalogs_;
};

}  // namespace ningju::web

#endif  // NINGJU_WEB_I18N_H_
