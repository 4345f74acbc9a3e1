// Interface languages: zh-CN (the default) and en. Messages live in templates/i18n/<locale>.json (the shell) and
// templates/i18n/<module>.<locale>.json (one per module) as flat key -> text maps, merged at load; every key of zh-CN
// must exist in en (i18n_test checks). Error messages are translated apart: templates/i18n/errors/<locale>.json maps
// each English message template (the msgid, see common/message.h) and each input field name to its translation, for
// every locale but English; the English is the source text in the code.
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

// The punctuation a locale writes after a value, from its message catalog (the keys colon, lparen, rparen, comma and
// semicolon, which the templates write as {{t.colon}} and so on): zh-CN's full-width "：" "（" "）" "，" "；",
// English's ": " " (" ")" ", " "; ". Text that C++ builds for a page (an error with its field, a chart's aria-label)
// uses these rather than ASCII punctuation: a zh-CN page reads "标题不能为空（标题）", never "标题不能为空 (标题)".
struct Punctuation {
  std::string colon;
  std::string lparen;
  std::string rparen;
  std::string comma;
  std::string semicolon;
  std::string list;  // between the items of a list of names: zh-CN's "、" (顿号), English's ", "

  // `text` followed by `aside` in parentheses: "text（aside）", "text (aside)".
  std::string Parenthesized(std::string_view text, std::string_view aside) const {
    return std::string(text) + lparen + std::string(aside) + rparen;
  }
  // The items with the list separator between them: "1号楼 1-101、1号楼 1-102", "A, B".
  template <typename Items>
  std::string Join(const Items& items) const {
    std::string out;
    for (const auto& item : items) {
      if (!out.empty()) out += list;
      out += item;
    }
    return out;
  }
  // `label`, the colon, then `value`: "label：value", "label: value".
  std::string Labeled(std::string_view label, std::string_view value) const {
    return std::string(label) + colon + std::string(value);
  }
};

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
  // The punctuation of `locale`'s catalog (see Punctuation).
  Punctuation Punct(const std::string& locale) const;

  // The text of an error for people reading `locale`: the translation of its template with its arguments put in,
  // or the English when there is none. The context added by Status::WithContext is for logs and is left out.
  // Internal, unavailable and conflict errors (library and system messages) read as one general sentence instead
  // (web/public_error.h).
  std::string ErrorText(const std::string& locale, const Status& status) const;
  // One message (its template translated, its arguments put in), the English when there is no translation.
  std::string MessageText(const std::string& locale, const Msg& msg) const;
  // An input field's name ("phone" -> "手机号"); the name itself when there is no translation.
  std::string FieldText(const std::string& locale, const std::string& field) const;

  // The error translations of `locale` ({"messages": {template: text}, "fields": {name: text}}); null for English.
  const nlohmann::json* ErrorCatalog(const std::string& locale) const;

 private:
  std::map<std::string, nlohmann::json, std::less<>> catalogs_;
  std::map<std::string, nlohmann::json, std::less<>> error_catalogs_;
};

}  // namespace ningju::web

#endif  // NINGJU_WEB_I18N_H_
