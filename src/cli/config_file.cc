#include "cli/config_file.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "common/text_util.h"
#include "common/utf8.h"

namespace ningju::cli {

StatusOr<std::map<std::string, std::string>> ParseConfigFile(const std::string& text,
                                                             const std::set<std::string>& known) {
  RETURN_IF_ERROR(utf8::Validate(text, "configuration file"));
  std::map<std::string, std::string> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line = Trim(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::string where = "line " + std::to_string(line_no);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return InvalidArgumentError("expected `name = value`", where);
    std::string name(Trim(line.substr(0, eq)));
    std::string_view value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (size_t hash = value.find(" #"); hash != std::string_view::npos) {
      value = Trim(value.substr(0, hash));  // a comment after a bare value
    }
    std::string env = "NINGJU_";
    for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!known.count(env)) return InvalidArgumentError(Msg("unknown setting \"{}\"", name), where);
    out[env] = std::string(value);
    if (pos > text.size()) break;
  }
  return out;
}

std::string ConfigPathFromArgs(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) return argv[i + 1];
    if (std::strncmp(argv[i], "--config=", 9) == 0) return argv[i] + 9;
  }
  const char* env = std::getenv("NINGJU_CONFIG");
  return env ? env : "";
}

}  // namespace ningju::cli
