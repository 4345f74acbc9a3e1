#include "web/i18n.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace ningju::web {

StatusOr<std::unique_ptr<I18n>> I18n::Load(const std::string& dir) {
  auto i18n = std::make_unique<I18n>();
  for (const char* locale : {"zh-CN", "en"}) {
    std::string path = dir + "/" + locale + ".json";
    std::ifstream in(path);
    if (!in) return NotFoundError("no message catalog " + path);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return InvalidArgumentError("message catalog " + path + " is not a JSON object");
    i18n->catalogs_[locale] = std::move(j);
  }
  return i18n;
}

bool I18n::Supports(std::string_view locale) const { return catalogs_.find(locale) != catalogs_.end(); }

std::string I18n::Negotiate(std::string_view explicit_choice, std::string_view accept_language) const {
  if (Supports(explicit_choice)) return std::string(explicit_choice);
  // Accept-Language: "en-US,en;q=0.9,zh-CN;q=0.8". Pick the highest q among languages we speak.
  double best_q = -1;
  std::string best(kDefaultLocale);
  size_t pos = 0;
  while (pos < accept_language.size()) {
    size_t comma = accept_language.find(',', pos);
    std::string_view item =
        accept_language.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? accept_language.size() : comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    double q = 1.0;
    std::string_view tag = item;
    if (size_t semi = item.find(';'); semi != std::string_view::npos) {
      tag = item.substr(0, semi);
      std::string_view params = item.substr(semi + 1);
      if (size_t qpos = params.find("q="); qpos != std::string_view::npos) {
        try {
          q = std::stod(std::string(params.substr(qpos + 2)));
        } catch (...) {
          q = 0;
        }
      }
    }
    std::string lower;
    for (char c : tag) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string match;
    if (lower.rfind("zh", 0) == 0)
      match = "zh-CN";
    else if (lower.rfind("en", 0) == 0)
      match = "en";
    if (!match.empty() && q > best_q) {
      best_q = q;
      best = match;
    }
  }
  return best;
}

const nlohmann::json& I18n::Messages(const std::string& locale) const {
  auto it = catalogs_.find(locale);
  if (it == catalogs_.end()) it = catalogs_.find(kDefaultLocale);
  return it->second;
}

std::string I18n::Get(const std::string& locale, const std::string& key) const {
  const auto& m = Messages(locale);
  auto it = m.find(key);
  return it != m.end() && it->is_string() ? it->get<std::string>() : key;
}

}  // namespace ningju::web
