// The configuration file: `name = value` lines (TOML's simple form: `# comments`, quoted or bare values), where a
// name is a flag without its dashes ("database", "max-body-kb" or "max_body_kb"). A setting from the file is handed
// to the command as its NINGJU_* environment variable unless that variable is already set, so that the order of
// precedence is: flag, environment, file, default.
#ifndef NINGJU_CLI_CONFIG_FILE_H_
#define NINGJU_CLI_CONFIG_FILE_H_

#include <map>
#include <set>
#include <string>

#include "common/status.h"

namespace ningju::cli {

// The settings of `text` as environment variable names and values. An unknown name (not in `known`), a line that
// is not `name = value`, or invalid UTF-8 is an error naming the line.
StatusOr<std::map<std::string, std::string>> ParseConfigFile(const std::string& text,
                                                             const std::set<std::string>& known);

// The value of --config (or --config=...) in argv, else NINGJU_CONFIG, else "".
std::string ConfigPathFromArgs(int argc, char** argv);

}  // namespace ningju::cli

#endif  // NINGJU_CLI_CONFIG_FILE_H_
