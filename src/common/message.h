// Msg: the English text of an error message plus what is needed to say it in another language (gettext's design).
// The English template is the msgid: `NotFoundError(Msg("no such case {}", id))` formats "no such case 17" for logs,
// the CLI and the JSON API, and keeps "no such case {}" and {"17"} so that the web pages can look the template up in
// templates/i18n/errors/<locale>.json and put the arguments into the translation. A message built from a plain
// string is its own template with no arguments.
#ifndef NINGJU_COMMON_MESSAGE_H_
#define NINGJU_COMMON_MESSAGE_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace ningju {

// An argument that names an input field ("title", "closes_at"): shown translated as Status::field() is.
struct FieldName {
  std::string_view name;
};

class Msg;

// One argument of a message, already formatted.
struct MsgArg {
  enum class Kind {
    kValue,    // shown as it is (a number, a name, a date)
    kField,    // a field name (FieldName{...}): translated as Status::field() is
    kMessage,  // a message without arguments given as an argument (Msg): translated as a message
  };
  std::string text;
  Kind kind = Kind::kValue;

  friend bool operator==(const MsgArg&, const MsgArg&) = default;
};

class Msg {
 public:
  Msg() = default;
  Msg(const char* text) : text_(text) {}             // NOLINT(google-explicit-constructor)
  Msg(std::string text) : text_(std::move(text)) {}  // NOLINT(google-explicit-constructor)
  // A template with its arguments; each `{}` is replaced by the next argument.
  template <typename... Args>
  requires(sizeof...(Args) > 0) Msg(fmt::format_string<Args...> tmpl, Args&&... args)
      : text_(fmt::vformat(fmt::string_view(tmpl), fmt::make_format_args(args...))),
        template_(fmt::string_view(tmpl).data(), fmt::string_view(tmpl).size()),
        args_{ToArg(args)...} {}

  // A message with the given parts (for a copy whose English text has more around it, as Status::WithContext).
  static Msg FromParts(std::string text, std::string tmpl, std::vector<MsgArg> args) {
    Msg m(std::move(text));
    m.template_ = std::move(tmpl);
    m.args_ = std::move(args);
    return m;
  }

  // The English text.
  const std::string& text() const { return text_; }
  // The English template (the text itself when there are no arguments).
  const std::string& tmpl() const { return template_.empty() && args_.empty() ? text_ : template_; }
  const std::vector<MsgArg>& args() const { return args_; }

  // Puts `args` into the `{}` of `tmpl` in order (`{{` and `}}` are braces); field and message arguments pass
  // through `translate`. Extra placeholders are left as they are, extra arguments are dropped.
  template <typename TranslateFn>
  static std::string Substitute(std::string_view tmpl, const std::vector<MsgArg>& args, TranslateFn translate) {
    std::string out;
    size_t next = 0;
    for (size_t i = 0; i < tmpl.size(); ++i) {
      char c = tmpl[i];
      if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
        out += c;
        ++i;
      } else if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '}' && next < args.size()) {
        const MsgArg& a = args[next++];
        out += a.kind == MsgArg::Kind::kValue ? a.text : translate(a);
        ++i;
      } else {
        out += c;
      }
    }
    return out;
  }

 private:
  template <typename T>
  static MsgArg ToArg(const T& value) {
    if constexpr (std::is_same_v<std::decay_t<T>, FieldName>) {
      return {std::string(value.name), MsgArg::Kind::kField};
    } else if constexpr (std::is_same_v<std::decay_t<T>, Msg>) {
      // A message with arguments of its own cannot be looked up: it goes in as English text.
      return {value.text(), value.args().empty() ? MsgArg::Kind::kMessage : MsgArg::Kind::kValue};
    } else {
      return {fmt::format("{}", value), MsgArg::Kind::kValue};
    }
  }

  std::string text_;
  std::string template_;  // empty when the text is its own template
  std::vector<MsgArg> args_;
};

}  // namespace ningju

template <>
struct fmt::formatter<ningju::FieldName> : fmt::formatter<std::string_view> {
  auto format(const ningju::FieldName& f, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(f.name, ctx);
  }
};

template <>
struct fmt::formatter<ningju::Msg> : fmt::formatter<std::string_view> {
  auto format(const ningju::Msg& m, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(m.text(), ctx);
  }
};

#endif  // NINGJU_COMMON_MESSAGE_H_
