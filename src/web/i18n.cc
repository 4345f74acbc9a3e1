#include "web/i18n.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "web/public_error.h"

namespace ningju::web {

StatusOr<std::unique_ptr<I18n>> I18n::Load(const std::string& dir) {
  auto i18n = std::make_unique<I18n>();
  for (const char* locale : {"zh-CN", "en"}) {
    // <locale>.json holds the shell's messages; <module>.<locale>.json each module's. A key defined twice is an error.
    std::vector<std::string> paths{dir + "/" + locale + ".json"};
    std::vector<std::string> modules;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      std::string suffix = std::string(".") + locale + ".json";
      if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          name.find('.') == name.size() - suffix.size()) {
        modules.push_back(entry.path().string());
      }
    }
    std::sort(modules.begin(), modules.end());
    paths.insert(paths.end(), modules.begin(), modules.end());
    nlohmann::json merged = nlohmann::json::object();
    for (const auto& path : paths) {
      std::ifstream in(path);
      if (!in) return NotFoundError(Msg("no message catalog {}", path));
      nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object()) return InvalidArgumentError(Msg("message catalog {} is not a JSON object", path));
      for (auto& [key, value] : j.items()) {
        if (merged.contains(key))
          return InvalidArgumentError(Msg("message {} is defined twice (again in {})", key, path));
        merged[key] = std::move(value);
      }
    }
    i18n->catalogs_[locale] = std::move(merged);
  }
  // English is the source text of error messages; every other locale has a translation table.
  for (const char* locale : {"zh-CN"}) {
    std::string path = dir + "/errors/" + locale + ".json";
    std::ifstream in(path);
    if (!in) return NotFoundError(Msg("no message catalog {}", path));
    nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.value("messages", nlohmann::json()).is_object() ||
        !j.value("fields", nlohmann::json()).is_object()) {
      return InvalidArgumentError(Msg("error catalog {} is not an object with \"messages\" and \"fields\"", path));
    }
    i18n->error_catalogs_[locale] = std::move(j);
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

Punctuation I18n::Punct(const std::string& locale) const {
  return {Get(locale, "colon"), Get(locale, "lparen"),    Get(locale, "rparen"),
          Get(locale, "comma"), Get(locale, "semicolon"), Get(locale, "list_separator")};
}

const nlohmann::json* I18n::ErrorCatalog(const std::string& locale) const {
  auto it = error_catalogs_.find(locale);
  return it == error_catalogs_.end() ? nullptr : &it->second;
}

namespace {

// Matches `text` against a field pattern whose `{}` stand for any non-empty text ("row {}, column {}" and
// "row 7, column C"), collecting what they stand for.
bool MatchPattern(std::string_view pattern, std::string_view text, std::vector<MsgArg>& parts) {
  size_t hole = pattern.find("{}");
  if (hole == std::string_view::npos) return pattern == text;
  if (text.substr(0, hole) != pattern.substr(0, hole)) return false;
  std::string_view rest = pattern.substr(hole + 2);
  size_t next = rest.find("{}");
  std::string_view literal = rest.substr(0, next);
  // The shortest part that lets the rest match.
  for (size_t end = hole + 1; end <= text.size(); ++end) {
    if (!literal.empty() && text.substr(end, literal.size()) != literal) continue;
    parts.push_back({std::string(text.substr(hole, end - hole))});
    if (MatchPattern(rest, text.substr(end), parts)) return true;
    parts.pop_back();
  }
  return false;
}

}  // namespace

std::string I18n::FieldText(const std::string& locale, const std::string& field) const {
  const nlohmann::json* catalog = ErrorCatalog(locale);
  if (catalog == nullptr || field.empty()) return field;
  const auto& fields = (*catalog)["fields"];
  auto it = fields.find(field);
  if (it != fields.end() && it->is_string()) return it->get<std::string>();
  // Built fields ("row 7, column C") match a pattern entry ("row {}, column {}").
  for (const auto& [pattern, text] : fields.items()) {
    std::vector<MsgArg> parts;
    if (pattern.find("{}") != std::string::npos && text.is_string() && MatchPattern(pattern, field, parts)) {
      return Msg::Substitute(text.get<std::string>(), parts, [](const MsgArg& a) { return a.text; });
    }
  }
  return field;
}

std::string I18n::ErrorText(const std::string& locale, const Status& status) const {
  switch (PublicKindOf(status.code())) {  // the rule the JSON and Open311 envelopes follow too
    case PublicErrorKind::kInternal:
      return Get(locale, "error_internal");
    case PublicErrorKind::kUnavailable:
      return Get(locale, "error_unavailable");
    case PublicErrorKind::kConflict:
      return Get(locale, "error_conflict");
    case PublicErrorKind::kOwnMessage:
      break;
  }
  return MessageText(locale, status.msg());
}

std::string I18n::MessageText(const std::string& locale, const Msg& msg) const {
  std::string_view text = msg.tmpl();
  if (const nlohmann::json* catalog = ErrorCatalog(locale)) {
    const auto& messages = (*catalog)["messages"];
    auto it = messages.find(msg.tmpl());
    if (it != messages.end() && it->is_string()) text = it->get_ref<const std::string&>();
  }
  if (msg.args().empty()) return std::string(text);
  return Msg::Substitute(text, msg.args(), [&](const MsgArg& a) {
    return a.kind == MsgArg::Kind::kField ? FieldText(locale, a.text) : MessageText(locale, Msg(a.text));
  });
}

}  // namespace ningju::web
