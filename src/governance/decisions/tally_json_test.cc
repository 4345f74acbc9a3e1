// The JSON codec's details that the fixtures do not show one by one. The fixtures in tests/decisions are the contract.
#include "governance/decisions/tally_json.h"

#include <string>

#include <nlohmann/json.hpp>

#include "testing/status_matchers.h"

namespace ningju::decisions {
namespace {

using ::ningju::testing::StatusIs;

std::string ErrorOf(std::string_view json) {
  StatusOr<TallyInput> input = ParseTallyInput(json);
  if (input.ok()) return "(no error)";
  return FormatInputError(input.status());
}

TEST(TallyJson, ReadsTheContractFormat) {
  ASSERT_OK_AND_ASSIGN(TallyInput input, ParseTallyInput(R"({
    "matter": 7,
    "units": [{"id": "3-201", "area": "65.40", "owner": "o17", "developer_unsold": false},
              {"id": "3-202", "area": "70", "owner": "dev", "developer_unsold": true},
              {"id": "3-203", "area": "0.5", "owner": "o18"}],
    "ballots": [{"owner": "o17", "choice": "agree", "at": "2026-05-01T10:00:00+08:00"}]})"));
  EXPECT_EQ(input.matter, Matter::kRebuild);
  ASSERT_EQ(input.units.size(), 3u);
  EXPECT_EQ(input.units[0].id, "3-201");
  EXPECT_EQ(input.units[0].area.hundredths(), 6540);
  EXPECT_EQ(input.units[0].owner, "o17");
  EXPECT_FALSE(input.units[0].developer_unsold);
  EXPECT_TRUE(input.units[1].developer_unsold);
  EXPECT_EQ(input.units[1].area.hundredths(), 7000);
  EXPECT_FALSE(input.units[2].developer_unsold);  // optional, default false
  EXPECT_EQ(input.units[2].area.hundredths(), 50);
  ASSERT_EQ(input.ballots.size(), 1u);
  EXPECT_EQ(input.ballots[0].choice, Choice::kAgree);
  EXPECT_EQ(input.ballots[0].at.unix_seconds, 1'777'600'800);
}

TEST(TallyJson, WritesExactlyTheContractKeysInOrder) {
  ASSERT_OK_AND_ASSIGN(TallyResult result, TallyJson(R"({"matter": 8,
    "units": [{"id": "a", "area": "10.5", "owner": "o1"}, {"id": "b", "area": "20", "owner": "o2"}],
    "ballots": [{"owner": "o1", "choice": "agree", "at": "2026-05-01T10:00:00+08:00"}]})"));
  const std::string text = TallyResultToJson(result);
  EXPECT_EQ(text, R"({
  "passed": false,
  "participation_met": false,
  "consent_met": true,
  "total": {
    "area": "30.50",
    "heads": 2
  },
  "participating": {
    "area": "10.50",
    "heads": 1
  },
  "consenting": {
    "area": "10.50",
    "heads": 1
  },
  "consent_rule": "three_quarters"
}
)");
  const nlohmann::json parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed.size(), 7u);
  EXPECT_EQ(parsed["total"].size(), 2u);
}

TEST(TallyJson, NamesThePlaceOfEveryError) {
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [], "ballots": [], "comment": "x"})"),
            "comment: unknown member \"comment\" (expected matter, units, ballots)");
  EXPECT_EQ(ErrorOf(R"({"units": [], "ballots": []})"), "matter: missing");
  EXPECT_EQ(ErrorOf(R"({"matter": 7.0, "units": [], "ballots": []})"),
            "matter: expected an integer from 1 to 9 (民法典 art. 278 ¶1 item), got number 7.0");
  EXPECT_EQ(ErrorOf(R"({"matter": true, "units": [], "ballots": []})"),
            "matter: expected an integer from 1 to 9 (民法典 art. 278 ¶1 item), got true");
  EXPECT_EQ(ErrorOf(R"({"matter": 18446744073709551615, "units": [], "ballots": []})"),
            "matter: matter 10 is not an item of 民法典 art. 278 ¶1 (an integer from 1 to 9)");
  EXPECT_EQ(ErrorOf(R"({"matter": -3, "units": [], "ballots": []})"),
            "matter: matter -3 is not an item of 民法典 art. 278 ¶1 (an integer from 1 to 9)");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": {}, "ballots": []})"),
            "units: expected an array of units, got an object");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": ["3-201"], "ballots": []})"),
            "units[0]: expected an object with id, area, owner, got string \"3-201\"");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": 3, "area": "1", "owner": "o"}], "ballots": []})"),
            "units[0].id: expected a string, got number 3");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": "a", "area": null, "owner": "o"}], "ballots": []})"),
            "units[0].area: expected a decimal string such as \"65.40\", got null");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": "a", "area": "1", "owner": "o"}], "ballots": null})"),
            "ballots: expected an array of ballots, got null");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": "a", "area": "1", "owner": "o"}],
                        "ballots": [{"owner": "o", "choice": "agree"}]})"),
            "ballots[0].at: missing");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": "a", "area": "1", "owner": "o"}],
                        "ballots": [{"owner": "o", "choice": "agree", "at": 1777600800}]})"),
            "ballots[0].at: expected a timestamp such as \"2026-05-01T10:00:00+08:00\", got number 1777600800");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": "a", "area": "1", "owner": "o"}],
                        "ballots": [{"owner": "o", "choice": "agree", "at": "2026-05-01T10:00:00Z", "by": "x"}]})"),
            "ballots[0].by: unknown member \"by\" (expected owner, choice, at)");
}

TEST(TallyJson, RepeatedMembersAreErrorsWherever) {
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "matter": 6, "units": [], "ballots": []})"), "matter: member appears twice");
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": "a", "area": "1", "owner": "o"},
                        {"id": "b", "area": "1", "owner": "p"}],
                        "ballots": [[], {"owner": "o", "choice": "agree", "choice": "disagree"}]})"),
            "ballots[1].choice: member appears twice");
  // Equal keys in different objects are not repeats.
  EXPECT_EQ(ErrorOf(R"({"matter": 7, "units": [{"id": "a", "area": "1", "owner": "o"},
                        {"id": "b", "area": "1", "owner": "o"}], "ballots": []})"),
            "(no error)");
}

TEST(TallyJson, ReportsMalformedJsonWithItsPosition) {
  EXPECT_EQ(ErrorOf("{\"matter\": 7,\n \"units\": [}"),
            "malformed JSON: parse error at line 2, column 12: syntax error while parsing value - unexpected '}'; "
            "expected '[', '{', or a literal");
  StatusOr<TallyInput> bad_utf8 = ParseTallyInput("{\"matter\": 7, \"units\": [{\"id\": \"\xff\"}]}");
  EXPECT_THAT(bad_utf8, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(bad_utf8.status().message(), ::testing::StartsWith("malformed JSON: "));
}

TEST(TallyJson, KeepsErrorsOnOneLine) {
  EXPECT_EQ(FormatInputError(InvalidArgumentError("a\nb\rc", "units[0].id")), "units[0].id: a\\nb\\rc");
  EXPECT_EQ(FormatInputError(InvalidArgumentError("no field")), "no field");
  // A key with a line break in it.
  const std::string error = ErrorOf("{\"matter\": 7, \"units\": [], \"ballots\": [], \"x\\ny\": 1}");
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

}  // namespace
}  // namespace ningju::decisions
