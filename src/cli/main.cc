// The `ningju` command: one binary for the server and every administrative task.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/command.h"

namespace ningju::cli {

int& ExitStatus() {
  static int status = 0;
  return status;
}

std::vector<Registration>& Registrations() {
  static std::vector<Registration> all;
  return all;
}

}  // namespace ningju::cli

int main(int argc, char** argv) {
  CLI::App app{"ningju: community governance and public participation (凝聚)", "ningju"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ningju 0.1.0");
  for (auto& registration : ningju::cli::Registrations()) registration(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return ningju::cli::ExitStatus();
}
