// The error-message translation table (templates/i18n/errors/zh-CN.json) against the code: every message literal
// of an Error constructor or Msg(...) in src/**/*.cc (tests and src/testing excepted) must have a translation, every
// translation must still be used, and a message must be a literal or a Msg, never a concatenation that no table can
// hold. Internal and unavailable errors are skipped: people read one general sentence for those (I18n::ErrorText).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

std::string SourceDir() {
  const char* env = std::getenv("NINGJU_SOURCE_DIR");
  return env != nullptr ? env : NINGJU_SOURCE_DIR_FALLBACK;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A C++ source file read just enough to find calls and their arguments: comments, string and character literals
// (raw ones too) are skipped as units.
class Source {
 public:
  Source(std::string path, std::string text) : path_(std::move(path)), s_(std::move(text)) {
    for (size_t i = 0; i < s_.size(); ++i) {
      if (s_[i] == '\n') newlines_.push_back(i);
    }
  }

  const std::string& path() const { return path_; }
  const std::string& text() const { return s_; }
  int LineAt(size_t pos) const {
    return 1 + static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), pos) - newlines_.begin());
  }

  // If a comment or literal starts at `i`, returns the position after it; else `i`.
  size_t SkipNonCode(size_t i) const {
    if (s_.compare(i, 2, "//") == 0) {
      size_t end = s_.find('\n', i);
      return end == std::string::npos ? s_.size() : end;
    }
    if (s_.compare(i, 2, "/*") == 0) {
      size_t end = s_.find("*/", i + 2);
      return end == std::string::npos ? s_.size() : end + 2;
    }
    if (s_[i] == 'R' && i + 1 < s_.size() && s_[i + 1] == '"' && (i == 0 || !IsIdent(s_[i - 1]))) {
      size_t open = s_.find('(', i + 2);
      std::string close = ")" + s_.substr(i + 2, open - i - 2) + "\"";
      size_t end = s_.find(close, open);
      return end == std::string::npos ? s_.size() : end + close.size();
    }
    if (s_[i] == '"' || (s_[i] == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(s_[i - 1]))))) {
      char q = s_[i];
      size_t j = i + 1;
      while (j < s_.size() && s_[j] != q) j += s_[j] == '\\' ? 2 : 1;
      return j + 1;
    }
    return i;
  }

  // The arguments of the call whose '(' is at `open`, as [begin, end) spans; `end_out` after the ')'.
  std::vector<std::pair<size_t, size_t>> Args(size_t open, size_t* end_out) const {
    std::vector<std::pair<size_t, size_t>> args;
    int depth = 0;
    size_t start = open + 1;
    for (size_t i = open + 1; i < s_.size();) {
      size_t skip = SkipNonCode(i);
      if (skip != i) {
        i = skip;
        continue;
      }
      char c = s_[i];
      if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) {
          if (i > start || !args.empty()) args.emplace_back(start, i);
          *end_out = i + 1;
          return args;
        }
        --depth;
      } else if (c == ',' && depth == 0) {
        args.emplace_back(start, i);
        start = i + 1;
      }
      ++i;
    }
    *end_out = s_.size();
    return args;
  }

  // The value of an argument made only of string literals ("a" "b"), or nullopt.
  std::optional<std::string> Literal(std::pair<size_t, size_t> span) const {
    std::string value;
    bool any = false;
    size_t i = span.first;
    while (i < span.second) {
      char c = s_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      size_t skip = SkipNonCode(i);
      if (c != '"' || skip == i) {
        if (skip != i && c == '/') {  // a comment between the pieces
          i = skip;
          continue;
        }
        return std::nullopt;
      }
      for (size_t j = i + 1; j + 1 < skip; ++j) {
        if (s_[j] != '\\') {
          value += s_[j];
          continue;
        }
        char e = s_[++j];
        value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      }
      any = true;
      i = skip;
    }
    if (!any) return std::nullopt;
    return value;
  }

  // Whether the argument has, outside any parentheses, a string literal or a '+': text built by concatenation.
  bool IsBuiltText(std::pair<size_t, size_t> span) const {
    int depth = 0;
    for (size_t i = span.first; i < span.second;) {
      char c = s_[i];
      size_t skip = SkipNonCode(i);
      if (skip != i) {
        if (depth == 0 && (c == '"' || c == 'R')) return true;
        i = skip;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') --depth;
      if (depth == 0 && c == '+' && s_[i + 1] != '+' && s_[i + 1] != '=' && s_[i - 1] != '+') return true;
      ++i;
    }
    return false;
  }

  std::string Trimmed(std::pair<size_t, size_t> span) const {
    while (span.first < span.second && std::isspace(static_cast<unsigned char>(s_[span.first]))) ++span.first;
    while (span.second > span.first && std::isspace(static_cast<unsigned char>(s_[span.second - 1]))) --span.second;
    return s_.substr(span.first, span.second - span.first);
  }

 private:
  std::string path_;
  std::string s_;
  std::vector<size_t> newlines_;
};

struct Use {
  std::string where;  // file:line
  std::string text;
};

struct Scan {
  std::vector<Use> messages;       // message literals and Msg templates
  std::vector<Use> fields;         // field-name literals of Error constructors and FieldName{...}
  std::vector<Use> built;          // messages built by concatenation
  std::set<std::string> literals;  // every string literal, to tell a field name still in use
};

// The calls that take a message: where the message and the field are among their arguments (-1: none). Besides
// the Error constructors, the few helpers that pass a message through to one.
struct MessageCall {
  int message = 0;
  int field = -1;
  bool skip = false;  // internal and unavailable errors: people read a general sentence instead
};
const std::map<std::string, MessageCall>& MessageCalls() {
  static const std::map<std::string, MessageCall> calls = {
      {"InvalidArgumentError", {0, 1}},
      {"UnauthenticatedError", {0, 1}},
      {"PermissionDeniedError", {0, 1}},
      {"NotFoundError", {0, 1}},
      {"AlreadyExistsError", {0, 1}},
      {"FailedPreconditionError", {0, 1}},
      {"OutOfRangeError", {0, 1}},
      {"ResourceExhaustedError", {0, 1}},
      {"AbortedError", {0, 1}},
      {"UnimplementedError", {0, 1}},
      {"UnavailableError", {0, 1, true}},
      {"InternalError", {0, 1, true}},
      {"Msg", {0, -1}},
      {"Denied", {1, -1}},       // governance/cases/case_policy.cc
      {"RequireNote", {1, -1}},  // governance/cases/actions.cc
      {"Refuse", {0, 1}},        // governance/decisions/elevator.cc
      {"WrongState", {1, -1}},   // governance/decisions/meetings.cc
  };
  return calls;
}

void ScanFile(const Source& src, Scan& out) {
  const std::string& s = src.text();
  // Spans of the messages of internal errors: their Msg(...) needs no translation.
  std::vector<std::pair<size_t, size_t>> skipped;
  auto where = [&](size_t pos) { return src.path() + ":" + std::to_string(src.LineAt(pos)); };
  for (size_t i = 0; i < s.size();) {
    size_t skip = src.SkipNonCode(i);
    if (skip != i) {
      if (s[i] == '"') {
        if (auto lit = src.Literal({i, skip})) out.literals.insert(*lit);
      }
      i = skip;
      continue;
    }
    if (!IsIdent(s[i]) || (i > 0 && IsIdent(s[i - 1]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && IsIdent(s[end])) ++end;
    std::string name = s.substr(i, end - i);
    size_t open = end;
    while (open < s.size() && s[open] == ' ') ++open;
    auto call = MessageCalls().find(name);
    bool is_field_name = name == "FieldName" && open < s.size() && s[open] == '{';
    if ((call == MessageCalls().end() && !is_field_name) || open >= s.size() || (s[open] != '(' && s[open] != '{')) {
      i = end;
      continue;
    }
    size_t call_end = 0;
    auto args = src.Args(open, &call_end);
    bool in_skipped = false;
    for (auto [b, e] : skipped) in_skipped = in_skipped || (i >= b && i < e);
    if (is_field_name) {
      if (!args.empty())
        if (auto lit = src.Literal(args[0])) out.fields.push_back({where(i), *lit});
    } else if (s[open] != '(' || static_cast<int>(args.size()) <= call->second.message) {
      // a declaration or another use of the name
    } else if (call->second.skip) {
      skipped.push_back(args[call->second.message]);
    } else if (!in_skipped) {
      auto message = args[call->second.message];
      if (auto lit = src.Literal(message)) {
        out.messages.push_back({where(i), *lit});
      } else if (name != "Msg" && src.IsBuiltText(message)) {
        out.built.push_back({where(i), src.Trimmed(message)});
      }
      if (call->second.field >= 0 && static_cast<int>(args.size()) > call->second.field) {
        if (auto field = src.Literal(args[call->second.field]); field && !field->empty()) {
          out.fields.push_back({where(i), *field});
        }
      }
    }
    i = open + 1;  // arguments may hold more calls
  }
}

Scan ScanSources() {
  Scan scan;
  std::filesystem::path root = std::filesystem::path(SourceDir()) / "src";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    std::string name = entry.path().filename().string();
    std::string rel = std::filesystem::relative(entry.path(), SourceDir()).string();
    if (!entry.is_regular_file() || !name.ends_with(".cc") || name.ends_with("_test.cc")) continue;
    if (rel.starts_with("src/testing/")) continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    ScanFile(Source(std::filesystem::relative(path, SourceDir()).string(), ReadFile(path)), scan);
  }
  return scan;
}

nlohmann::json LoadTable() {
  std::string path = SourceDir() + "/templates/i18n/errors/zh-CN.json";
  nlohmann::json j = nlohmann::json::parse(ReadFile(path), nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(j.is_object()) << path;
  return j;
}

int Placeholders(std::string_view text) {
  int n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '{' && text[i + 1] == '{') {
      ++i;
    } else if (text[i] == '{' && text[i + 1] == '}') {
      ++n;
      ++i;
    }
  }
  return n;
}

TEST(ErrorCatalog, EveryMessageHasATranslation) {
  Scan scan = ScanSources();
  nlohmann::json table = LoadTable();
  ASSERT_GT(scan.messages.size(), 300u) << "the scan found too few messages to be right";
  for (const Use& use : scan.messages) {
    EXPECT_TRUE(table["messages"].contains(use.text))
        << use.where << ": no translation in templates/i18n/errors/zh-CN.json for \"" << use.text << "\"";
    EXPECT_EQ(use.text.find("{:"), std::string::npos)
        << use.where << ": a message template uses only plain {} placeholders: \"" << use.text << "\"";
  }
  for (const Use& use : scan.fields) {
    EXPECT_TRUE(table["fields"].contains(use.text))
        << use.where << ": no translation in templates/i18n/errors/zh-CN.json \"fields\" for \"" << use.text << "\"";
  }
}

TEST(ErrorCatalog, NoMessageIsBuiltByConcatenation) {
  Scan scan = ScanSources();
  for (const Use& use : scan.built) {
    ADD_FAILURE() << use.where
                  << ": build the message with Msg(\"template {}\", args...) so it can be translated: " << use.text;
  }
}

TEST(ErrorCatalog, EveryTranslationIsUsed) {
  Scan scan = ScanSources();
  nlohmann::json table = LoadTable();
  std::set<std::string> used;
  for (const Use& use : scan.messages) used.insert(use.text);
  for (const auto& [key, value] : table["messages"].items()) {
    EXPECT_TRUE(used.count(key)) << "templates/i18n/errors/zh-CN.json: no source uses \"" << key << "\" any more";
  }
  for (const auto& [key, value] : table["fields"].items()) {
    EXPECT_TRUE(scan.literals.count(key))
        << "templates/i18n/errors/zh-CN.json: no source names the field \"" << key << "\" any more";
  }
}

TEST(ErrorCatalog, TranslationsKeepThePlaceholders) {
  nlohmann::json table = LoadTable();
  for (const auto& [key, value] : table["messages"].items()) {
    ASSERT_TRUE(value.is_string()) << key;
    EXPECT_FALSE(value.get<std::string>().empty()) << key;
    EXPECT_EQ(Placeholders(key), Placeholders(value.get<std::string>()))
        << "\"" << key << "\" and its translation \"" << value.get<std::string>() << "\" differ in their {}";
  }
  for (const auto& [key, value] : table["fields"].items()) {
    ASSERT_TRUE(value.is_string()) << key;
    EXPECT_FALSE(value.get<std::string>().empty()) << key;
  }
}

}  // namespace
