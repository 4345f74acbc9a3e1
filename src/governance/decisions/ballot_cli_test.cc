// Runs the built `ningju` binary (NINGJU_BINARY, set by CMake) as a user would: `ningju ballot tally FILE` on every
// fixture in tests/decisions, comparing stdout, stderr and the exit status byte for byte.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = NINGJU_DECISIONS_FIXTURES;
const fs::path kBinary = NINGJU_BINARY;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Outcome {
  int exit_status = -1;
  std::string out;
  std::string err;
};

// Runs `ningju args...` with stdin from `stdin_path` (or /dev/null) and captures its output through files.
Outcome RunNingju(const std::vector<std::string>& args, const fs::path& stdin_path = "/dev/null") {
  const fs::path dir = fs::path(::testing::TempDir()) / ("ningju_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out_path = dir / "stdout";
  const fs::path err_path = dir / "stderr";
  std::vector<std::string> argv_strings = {kBinary.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open(stdin_path.c_str(), O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  Outcome run;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) run.exit_status = WEXITSTATUS(status);
  run.out = ReadFile(out_path);
  run.err = ReadFile(err_path);
  return run;
}

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(kFixtures)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BallotTallyCommand : public ::testing::TestWithParam<std::string> {};

TEST_P(BallotTallyCommand, PrintsExactlyTheExpectedOutput) {
  const std::string name = GetParam();
  const Outcome run = RunNingju({"ballot", "tally", (kFixtures / (name + ".json")).string()});
  if (fs::exists(kFixtures / (name + ".out"))) {
    EXPECT_EQ(run.exit_status, 0) << run.err;
    EXPECT_EQ(run.out, ReadFile(kFixtures / (name + ".out")));
    EXPECT_EQ(run.err, "");
  } else {
    EXPECT_EQ(run.exit_status, 2);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, ReadFile(kFixtures / (name + ".err")));  // one line, with its newline
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BallotTallyCommand, ::testing::ValuesIn(FixtureNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace_if(
                               name.begin(), name.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return name;
                         });

TEST(BallotTallyCommandErrors, AMissingFileIsBadInput) {
  const fs::path missing = kFixtures / "no_such_fixture.json";
  const Outcome run = RunNingju({"ballot", "tally", missing.string()});
  EXPECT_EQ(run.exit_status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, missing.string() + ": cannot open: No such file or directory\n");
}

TEST(BallotTallyCommandErrors, ADirectoryIsBadInput) {
  const Outcome run = RunNingju({"ballot", "tally", kFixtures.string()});
  EXPECT_EQ(run.exit_status, 2);
  EXPECT_EQ(run.err, kFixtures.string() + ": cannot read: is a directory\n");
}

TEST(BallotTallyCommandErrors, AMissingArgumentIsAUsageError) {
  const Outcome run = RunNingju({"ballot", "tally"});
  EXPECT_EQ(run.exit_status, 2);
}

TEST(BallotTallyCommand, ReadsStandardInputForADash) {
  const Outcome run = RunNingju({"ballot", "tally", "-"}, kFixtures / "elevator_exact_thresholds.json");
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, ReadFile(kFixtures / "elevator_exact_thresholds.out"));
}

TEST(BallotTallyCommand, ExplainGoesToStderrAndLeavesStdoutAlone) {
  const fs::path input = kFixtures / "elevator_consent_one_short.json";
  const Outcome run = RunNingju({"ballot", "tally", "--explain", input.string()});
  EXPECT_EQ(run.exit_status, 0);
  EXPECT_EQ(run.out, ReadFile(kFixtures / "elevator_consent_one_short.out"));
  EXPECT_THAT(run.err, ::testing::HasSubstr("Matter: 民法典 art. 278 ¶1 item 7"));
  EXPECT_THAT(run.err, ::testing::HasSubstr("Consent by headcount: 8 of 12, at least 3/4 needed: 9 -> NOT met\n"));
  EXPECT_THAT(run.err, ::testing::HasSubstr("Result: FAILED: consent by area not met"));
}

}  // namespace
