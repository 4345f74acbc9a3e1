// How a module adds its subcommands to the `ningju` command. Each `*_command.cc` file in this folder defines one
// registration function and registers it with NINGJU_REGISTER_COMMAND; main.cc calls every registered function.
// A subcommand returns its process exit status: 0 success, 1 runtime failure, 2 bad input or usage.
#ifndef NINGJU_CLI_COMMAND_H_
#define NINGJU_CLI_COMMAND_H_

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <vector>

#include "common/status.h"

namespace ningju::cli {

// The exit status a subcommand's callback sets; main() returns it.
int& ExitStatus();

using Registration = std::function<void(CLI::App& app)>;
std::vector<Registration>& Registrations();

struct Registrar {
  explicit Registrar(Registration r) { Registrations().push_back(std::move(r)); }
};

}  // namespace ningju::cli

// NINGJU_REGISTER_COMMAND(Fn) where `void Fn(CLI::App& app)` adds a subcommand to `app`.
#define NINGJU_REGISTER_COMMAND(fn) static ::ningju::cli::Registrar NINGJU_CONCAT(ningju_registrar_, __LINE__)(fn)

#endif  // NINGJU_CLI_COMMAND_H_
