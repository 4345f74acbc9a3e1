// `ningju ballot tally FILE [--explain]`: counts an owners' ballot from a JSON file (docs/BALLOTS.md) and prints the
// result JSON on stdout. Exit status 0 when counted (whether or not the ballot passed), 2 on bad input with one line
// on stderr naming the problem and its place, 1 when stdout cannot be written.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>

#include "cli/command.h"
#include "governance/decisions/tally.h"
#include "governance/decisions/tally_json.h"

namespace ningju::cli {
namespace {

struct TallyOptions {
  std::string file;
  bool explain = false;
};

// Reads the whole file ("-" is standard input) or says why not.
bool ReadInput(const std::string& file, std::string& text, std::string& error) {
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) {
      error = "standard input: cannot read";
      return false;
    }
    return true;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    error = file + ": cannot read: is a directory";
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = file + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    error = file + ": cannot read: " + std::strerror(errno);
    return false;
  }
  text = std::move(buffer).str();
  return true;
}

int RunTally(const TallyOptions& options) {
  std::string text;
  std::string error;
  if (!ReadInput(options.file, text, error)) {
    std::cerr << error << '\n';
    return 2;
  }
  StatusOr<decisions::TallyInput> input = decisions::ParseTallyInput(text);
  StatusOr<decisions::TallyResult> result = input.ok() ? decisions::Tally(*input) : input.status();
  if (!result.ok()) {
    std::cerr << decisions::FormatInputError(result.status()) << '\n';
    return 2;
  }
  if (options.explain) std::cerr << decisions::Explain(*input, *result);
  std::cout << decisions::TallyResultToJson(*result) << std::flush;
  return std::cout ? 0 : 1;
}

void RegisterBallotCommands(CLI::App& app) {
  CLI::App* ballot = app.add_subcommand("ballot", "Owners' ballots counted by area and headcount (民法典 art. 278)");
  ballot->require_subcommand(1);

  CLI::App* tally = ballot->add_subcommand(
      "tally", "Count a ballot from a JSON file and print the result JSON (format: docs/BALLOTS.md)");
  auto options = std::make_shared<TallyOptions>();
  tally->add_option("FILE", options->file, "Input JSON: matter, units, ballots (\"-\" reads standard input)")
      ->required();
  tally->add_flag("--explain", options->explain,
                  "Also print a human-readable account of the count (rules, articles, owners, figures) to stderr");
  tally->callback([options] { ExitStatus() = RunTally(*options); });
}

}  // namespace
}  // namespace ningju::cli

NINGJU_REGISTER_COMMAND(ningju::cli::RegisterBallotCommands);
