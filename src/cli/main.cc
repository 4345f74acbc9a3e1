// The `ningju` command: one binary for the server and every administrative task.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "app/app.h"
#include "cli/command.h"
#include "cli/config_file.h"

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
  ningju::app::ConfigureLogging();
  CLI::App app{"ningju: community governance and public participation (凝聚)", "ningju"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ningju 0.1.0");
  for (auto& registration : ningju::cli::Registrations()) registration(app);

  // The configuration file becomes environment variables that are not already set (see config_file.h).
  if (std::string path = ningju::cli::ConfigPathFromArgs(argc, argv); !path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "ningju: cannot read the configuration file " << path << "\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::set<std::string> known;
    std::vector<const CLI::App*> todo = {&app};
    while (!todo.empty()) {
      const CLI::App* a = todo.back();
      todo.pop_back();
      for (const CLI::Option* o : a->get_options()) {
        if (!o->get_envname().empty()) known.insert(o->get_envname());
      }
      for (const CLI::App* sub : a->get_subcommands([](const CLI::App*) { return true; })) todo.push_back(sub);
    }
    auto settings = ningju::cli::ParseConfigFile(text.str(), known);
    if (!settings.ok()) {
      std::cerr << "ningju: " << path << ": " << settings.status().field() << ": " << settings.status().message()
                << "\n";
      return 2;
    }
    for (const auto& [name, value] : *settings) setenv(name.c_str(), value.c_str(), /*overwrite=*/0);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return ningju::cli::ExitStatus();
}
