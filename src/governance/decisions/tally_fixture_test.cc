// Runs every fixture in tests/decisions through the library (ParseTallyInput, Tally, TallyResultToJson): the input
// <name>.json must produce exactly <name>.out, or fail with exactly the line in <name>.err.
// ballot_cli_test.cc runs the same fixtures through the `ningju` binary.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "governance/decisions/tally.h"
#include "governance/decisions/tally_json.h"
#include "testing/status_matchers.h"

namespace ningju::decisions {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = NINGJU_DECISIONS_FIXTURES;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> FixtureNames() {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(kFixtures)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(TallyFixtures, EveryInputHasExactlyOneExpectation) {
  const std::vector<std::string> names = FixtureNames();
  EXPECT_GE(names.size(), 40u) << "fixtures missing from " << kFixtures;
  for (const std::string& name : names) {
    const bool out = fs::exists(kFixtures / (name + ".out"));
    const bool err = fs::exists(kFixtures / (name + ".err"));
    EXPECT_NE(out, err) << name << ": needs exactly one of .out and .err";
  }
}

class TallyFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(TallyFixture, ProducesTheExpectedOutput) {
  const std::string name = GetParam();
  const std::string input = ReadFile(kFixtures / (name + ".json"));
  StatusOr<TallyResult> result = TallyJson(input);
  if (fs::exists(kFixtures / (name + ".out"))) {
    ASSERT_OK(result);
    EXPECT_EQ(TallyResultToJson(*result), ReadFile(kFixtures / (name + ".out")));
    // Whatever the outcome, the conditions agree with the flags and the reason is given exactly when it failed.
    EXPECT_EQ(result->passed, result->participation_met && result->consent_met);
    EXPECT_EQ(result->Reason().empty(), result->passed);
  } else {
    ASSERT_FALSE(result.ok()) << name << " was expected to fail";
    // Bad input is invalid_argument, or out_of_range for areas too large to hold.
    EXPECT_THAT(result.status().code(), ::testing::AnyOf(StatusCode::kInvalidArgument, StatusCode::kOutOfRange));
    std::string expected = ReadFile(kFixtures / (name + ".err"));
    if (!expected.empty() && expected.back() == '\n') expected.pop_back();
    EXPECT_EQ(FormatInputError(result.status()), expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TallyFixture, ::testing::ValuesIn(FixtureNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace_if(
                               name.begin(), name.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                           return name;
                         });

}  // namespace
}  // namespace ningju::decisions
