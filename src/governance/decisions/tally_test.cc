// The count in C++ where data is awkward: every threshold checked exhaustively against an independent formula,
// order independence over permutations, the conditions' details, and the engine's own errors. The JSON fixtures in
// tests/decisions (tally_fixture_test.cc) hold the worked cases.
#include "governance/decisions/tally.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace ningju::decisions {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

Unit MakeUnit(std::string id, int64_t hundredths, std::string owner, bool developer_unsold = false) {
  return Unit{.id = std::move(id),
              .area = Area::FromHundredths(hundredths),
              .owner = std::move(owner),
              .developer_unsold = developer_unsold};
}

Ballot MakeBallot(std::string owner, Choice choice, int64_t unix_seconds) {
  return Ballot{.owner = std::move(owner), .choice = choice, .at = Timestamp{unix_seconds, 0}};
}

TallyInput Input(Matter matter, std::vector<Unit> units = {}, std::vector<Ballot> ballots = {}) {
  TallyInput input;
  input.matter = matter;
  input.units = std::move(units);
  input.ballots = std::move(ballots);
  return input;
}

// `n` units "u1".."un" of `hundredths` each, owned by "o1".."on".
TallyInput Building(Matter matter, int n, int64_t hundredths = 6000) {
  TallyInput input = Input(matter);
  for (int i = 1; i <= n; ++i)
    input.units.push_back(MakeUnit("u" + std::to_string(i), hundredths, "o" + std::to_string(i)));
  return input;
}

// Owners o1..o(agree) agree, the next `disagree` disagree, the next `abstain` abstain.
void Vote(TallyInput& input, int agree, int disagree = 0, int abstain = 0) {
  int owner = 1;
  int64_t t = 1'777'600'000;
  for (int i = 0; i < agree; ++i)
    input.ballots.push_back(MakeBallot("o" + std::to_string(owner++), Choice::kAgree, t++));
  for (int i = 0; i < disagree; ++i) {
    input.ballots.push_back(MakeBallot("o" + std::to_string(owner++), Choice::kDisagree, t++));
  }
  for (int i = 0; i < abstain; ++i) {
    input.ballots.push_back(MakeBallot("o" + std::to_string(owner++), Choice::kAbstain, t++));
  }
}

TEST(Matter, ItemsSixToEightNeedThreeQuarters) {
  for (int item = 1; item <= 9; ++item) {
    ASSERT_OK_AND_ASSIGN(Matter matter, MatterFromItem(item));
    EXPECT_EQ(MatterItem(matter), item);
    EXPECT_FALSE(MatterTitle(matter).empty());
    EXPECT_EQ(ConsentRuleFor(matter), item >= 6 && item <= 8 ? ConsentRule::kThreeQuarters : ConsentRule::kMajority)
        << item;
  }
  EXPECT_EQ(MatterTitle(Matter::kRebuild), "改建、重建建筑物及其附属设施");
  EXPECT_EQ(ConsentRuleName(ConsentRule::kThreeQuarters), "three_quarters");
  EXPECT_EQ(ConsentRuleName(ConsentRule::kMajority), "majority");
}

TEST(Matter, RejectsItemsOutsideOneToNine) {
  for (int64_t item : {int64_t{0}, int64_t{10}, int64_t{-1}, INT64_MIN, INT64_MAX}) {
    StatusOr<Matter> matter = MatterFromItem(item);
    EXPECT_THAT(matter, StatusIs(StatusCode::kInvalidArgument)) << item;
    EXPECT_EQ(matter.status().field(), "matter");
  }
}

TEST(Choice, ParsesTheThreeChoicesOnly) {
  EXPECT_EQ(*ParseChoice("agree"), Choice::kAgree);
  EXPECT_EQ(*ParseChoice("disagree"), Choice::kDisagree);
  EXPECT_EQ(*ParseChoice("abstain"), Choice::kAbstain);
  for (const char* bad : {"Agree", "yes", "", "agree "})
    EXPECT_THAT(ParseChoice(bad), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(ParseChoice("yes").status().message(), "unknown choice \"yes\" (agree, disagree or abstain)");
}

// The research's worked check (§6.1): 18 units of 60 m². Participation needs >= 12 owners and >= 720 m²; with 12
// taking part, consent needs >= 9 owners and >= 540 m².
TEST(Tally, ExactlyTwoThirdsAndThreeQuartersPass) {
  TallyInput input = Building(Matter::kRebuild, 18);
  Vote(input, 9, 2, 1);
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.total.area.ToString(), "1080.00");
  EXPECT_EQ(r.total.heads, 18);
  EXPECT_EQ(r.participating.area.ToString(), "720.00");
  EXPECT_EQ(r.participating.heads, 12);
  EXPECT_EQ(r.consenting.area.ToString(), "540.00");
  EXPECT_EQ(r.consenting.heads, 9);
  EXPECT_TRUE(r.participation_met);
  EXPECT_TRUE(r.consent_met);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.Reason(), "");
  EXPECT_EQ(r.conditions[0].needed, 72000);  // 720.00 m²
  EXPECT_EQ(r.conditions[1].needed, 12);
  EXPECT_EQ(r.conditions[2].needed, 54000);  // 540.00 m²
  EXPECT_EQ(r.conditions[3].needed, 9);
}

TEST(Tally, OneOwnerBelowTwoThirdsFails) {
  TallyInput input = Building(Matter::kRebuild, 18);
  Vote(input, 9, 1, 1);  // 11 take part
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_FALSE(r.participation_met);
  EXPECT_TRUE(r.consent_met);  // 9 of 11 agree
  EXPECT_FALSE(r.passed);
  EXPECT_FALSE(r.conditions[0].met);
  EXPECT_FALSE(r.conditions[1].met);
  EXPECT_EQ(r.Reason(),
            "participation by area not met: owners with 660.00 m² of 1080.00 m² took part; at least 2/3 (720.00 m²) "
            "is needed; participation by headcount not met: 11 of 18 owners took part; at least 2/3 (12) are needed");
}

TEST(Tally, OneOwnerBelowThreeQuartersFails) {
  TallyInput input = Building(Matter::kRebuild, 18);
  Vote(input, 8, 3, 1);
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_TRUE(r.participation_met);
  EXPECT_FALSE(r.consent_met);
  EXPECT_EQ(r.Reason(),
            "consent by area not met: owners with 480.00 m² of the 720.00 m² taking part agreed; at least 3/4 "
            "(540.00 m²) is needed; consent by headcount not met: 8 of the 12 owners taking part agreed; at least 3/4 "
            "(9) are needed");
}

TEST(Tally, ExactlyHalfIsNotAMajority) {
  TallyInput input = Building(Matter::kPropertyManager, 6);
  Vote(input, 3, 3);
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.consent_rule, ConsentRule::kMajority);
  EXPECT_FALSE(r.conditions[2].met);
  EXPECT_FALSE(r.conditions[3].met);
  EXPECT_EQ(r.conditions[3].needed, 4);
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.Reason(), HasSubstr("more than 1/2 (4) are needed"));
}

TEST(Tally, JustOverHalfIsAMajority) {
  TallyInput input = Building(Matter::kPropertyManager, 7);
  Vote(input, 4, 3);
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_TRUE(r.passed);
}

TEST(Tally, OneHundredthOfASquareMetreDecidesAMajorityByArea) {
  TallyInput input =
      Input(Matter::kUseRepairFund, {MakeUnit("a", 2500, "o1"), MakeUnit("b", 2500, "o2"), MakeUnit("c", 5000, "o3")});
  Vote(input, 2, 1);
  ASSERT_OK_AND_ASSIGN(TallyResult half, Tally(input));
  EXPECT_FALSE(half.conditions[2].met);  // 50.00 of 100.00
  EXPECT_TRUE(half.conditions[3].met);   // 2 of 3
  EXPECT_EQ(half.conditions[2].needed, 5001);

  input.units[0].area = Area::FromHundredths(2501);
  ASSERT_OK_AND_ASSIGN(TallyResult over, Tally(input));
  EXPECT_TRUE(over.conditions[2].met);  // 50.01 of 100.01
  EXPECT_TRUE(over.passed);
}

TEST(Tally, AreaAndHeadcountAreSeparateConditions) {
  // One unit of 200.00 (o1) and five of 20.00.
  TallyInput base = Input(Matter::kRebuild, {MakeUnit("a1", 20000, "o1")});
  for (int i = 2; i <= 6; ++i) base.units.push_back(MakeUnit("a" + std::to_string(i), 2000, "o" + std::to_string(i)));

  TallyInput area_only = base;
  Vote(area_only, 3);  // o1..o3: 240.00 of 300.00, 3 of 6
  ASSERT_OK_AND_ASSIGN(TallyResult r1, Tally(area_only));
  EXPECT_TRUE(r1.conditions[0].met);
  EXPECT_FALSE(r1.conditions[1].met);
  EXPECT_FALSE(r1.participation_met);

  TallyInput heads_only = base;
  for (int i = 2; i <= 5; ++i) heads_only.ballots.push_back(MakeBallot("o" + std::to_string(i), Choice::kAgree, i));
  ASSERT_OK_AND_ASSIGN(TallyResult r2, Tally(heads_only));  // 80.00 of 300.00, 4 of 6
  EXPECT_FALSE(r2.conditions[0].met);
  EXPECT_TRUE(r2.conditions[1].met);
  EXPECT_FALSE(r2.participation_met);
}

TEST(Tally, AnOwnerOfSeveralUnitsCountsOnceWithAllTheirArea) {
  TallyInput input =
      Input(Matter::kRebuild, {MakeUnit("101", 6000, "o1"), MakeUnit("102", 6000, "o1"), MakeUnit("103", 6000, "o1"),
                               MakeUnit("201", 6000, "o2"), MakeUnit("202", 6000, "o3"), MakeUnit("203", 6000, "o4")});
  input.ballots = {MakeBallot("o1", Choice::kAgree, 1), MakeBallot("o2", Choice::kAgree, 2),
                   MakeBallot("o3", Choice::kDisagree, 3)};
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.total.heads, 4);
  EXPECT_EQ(r.total.area.ToString(), "360.00");
  EXPECT_EQ(r.participating.heads, 3);
  EXPECT_EQ(r.participating.area.ToString(), "300.00");
  EXPECT_EQ(r.consenting.heads, 2);
  EXPECT_EQ(r.consenting.area.ToString(), "240.00");
  EXPECT_TRUE(r.conditions[2].met);   // 240 of 300 >= 3/4
  EXPECT_FALSE(r.conditions[3].met);  // 2 of 3 < 3/4
  ASSERT_EQ(r.owners.size(), 4u);
  EXPECT_EQ(r.owners[0].owner, "o1");
  EXPECT_EQ(r.owners[0].units, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(r.owners[0].area.ToString(), "180.00");
}

TEST(Tally, DeveloperUnitsCountAsOneHeadWithTheirFullArea) {
  TallyInput input = Input(Matter::kRebuild);
  for (int i = 1; i <= 4; ++i) input.units.push_back(MakeUnit("s" + std::to_string(i), 6000, "o" + std::to_string(i)));
  for (int i = 1; i <= 4; ++i) input.units.push_back(MakeUnit("d" + std::to_string(i), 6000, "developer", true));
  ASSERT_OK_AND_ASSIGN(TallyResult absent, Tally(input));
  EXPECT_EQ(absent.total.heads, 5);
  EXPECT_EQ(absent.total.area.ToString(), "480.00");
  EXPECT_TRUE(absent.owners.back().developer);

  input.ballots = {MakeBallot("developer", Choice::kAgree, 1), MakeBallot("o1", Choice::kAgree, 2),
                   MakeBallot("o2", Choice::kAgree, 3)};
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.participating.heads, 3);
  EXPECT_EQ(r.participating.area.ToString(), "360.00");  // the developer's 240.00 and 120.00
  EXPECT_TRUE(r.conditions[0].met);                      // 360.00 * 3 >= 480.00 * 2
  EXPECT_FALSE(r.conditions[1].met);                     // 3 * 3 < 5 * 2
  EXPECT_FALSE(r.participation_met);
}

TEST(Tally, ADeveloperUnitListedAmongOthersStillFoldsIntoOneHead) {
  // The developer's unsold units need not be adjacent in the input, and a unit it holds without the flag (a unit it
  // bought back, say) is the same owner: one head in all.
  TallyInput input = Input(Matter::kOtherMajorMatter, {MakeUnit("d1", 5000, "dev", true), MakeUnit("s1", 5000, "o1"),
                                                       MakeUnit("d2", 5000, "dev", true), MakeUnit("s2", 5000, "dev")});
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.total.heads, 2);
  EXPECT_EQ(r.owners[0].units, (std::vector<size_t>{0, 2, 3}));
}

TEST(Tally, DeveloperUnitsMustNameOneDeveloper) {
  TallyInput input =
      Input(Matter::kRebuild, {MakeUnit("d1", 5000, "dev-a", true), MakeUnit("d2", 5000, "dev-b", true)});
  StatusOr<TallyResult> r = Tally(input);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(r.status().field(), "units[1].owner");
}

TEST(Tally, TheLatestBallotCountsComparedAsInstants) {
  TallyInput input = Building(Matter::kPropertyManager, 2);
  input.ballots = {MakeBallot("o1", Choice::kDisagree, 200), MakeBallot("o1", Choice::kAgree, 100),
                   MakeBallot("o1", Choice::kAbstain, 150), MakeBallot("o2", Choice::kAgree, 50)};
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.owners[0].ballot, 0u);
  EXPECT_EQ(r.owners[0].superseded, (std::vector<size_t>{1, 2}));  // earliest first
  EXPECT_EQ(r.consenting.heads, 1);
  EXPECT_EQ(r.participating.heads, 2);

  // Nanoseconds decide too.
  input.ballots.push_back(Ballot{.owner = "o1", .choice = Choice::kAgree, .at = Timestamp{200, 1}});
  ASSERT_OK_AND_ASSIGN(TallyResult later, Tally(input));
  EXPECT_EQ(later.owners[0].ballot, 4u);
  EXPECT_EQ(later.consenting.heads, 2);
}

TEST(Tally, TheOrderOfBallotsDoesNotMatter) {
  TallyInput input = Building(Matter::kRebuild, 9);
  std::mt19937 random(20260501);  // seeded: the same permutations every run
  std::uniform_int_distribution<int> choice(0, 2);
  std::uniform_int_distribution<int64_t> when(0, 20);  // few instants, so that equal times occur
  for (int i = 0; i < 30; ++i) {
    const std::string owner = "o" + std::to_string(1 + i % 9);
    input.ballots.push_back(MakeBallot(owner, static_cast<Choice>(choice(random)), i * 100 + when(random)));
  }
  ASSERT_OK_AND_ASSIGN(const TallyResult expected, Tally(input));
  for (int round = 0; round < 200; ++round) {
    std::shuffle(input.ballots.begin(), input.ballots.end(), random);
    ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
    EXPECT_EQ(r.participating.area, expected.participating.area);
    EXPECT_EQ(r.participating.heads, expected.participating.heads);
    EXPECT_EQ(r.consenting.area, expected.consenting.area);
    EXPECT_EQ(r.consenting.heads, expected.consenting.heads);
    EXPECT_EQ(r.passed, expected.passed);
  }
}

TEST(Tally, EqualBallotsAtTheSameInstantAreOneBallot) {
  TallyInput input = Building(Matter::kPropertyManager, 1);
  input.ballots = {MakeBallot("o1", Choice::kAgree, 100), MakeBallot("o1", Choice::kAgree, 100)};
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.participating.heads, 1);
  EXPECT_EQ(r.consenting.heads, 1);
}

TEST(Tally, DifferentBallotsAtTheSameLatestInstantAreAnError) {
  TallyInput input = Building(Matter::kPropertyManager, 2);
  input.ballots = {MakeBallot("o1", Choice::kAgree, 100), MakeBallot("o2", Choice::kAgree, 100),
                   MakeBallot("o1", Choice::kDisagree, 100)};
  StatusOr<TallyResult> r = Tally(input);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(r.status().field(), "ballots[2].at");
  // At an earlier instant, superseded by a later ballot, the tie decides nothing.
  input.ballots.push_back(MakeBallot("o1", Choice::kAbstain, 101));
  EXPECT_OK(Tally(input));
}

TEST(Tally, AnAbstentionTakesPartButDoesNotAgree) {
  TallyInput input = Building(Matter::kPropertyManager, 6);
  Vote(input, 2, 0, 2);
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.participating.heads, 4);
  EXPECT_EQ(r.consenting.heads, 2);
  EXPECT_TRUE(r.participation_met);
  EXPECT_FALSE(r.consent_met);
}

TEST(Tally, NobodyTakingPartConsentsToNothing) {
  TallyInput input = Building(Matter::kRebuild, 3);
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_FALSE(r.participation_met);
  EXPECT_FALSE(r.consent_met);  // although 0 * 4 >= 0 * 3
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.Reason(), HasSubstr("consent by area not met: nobody took part"));
}

TEST(Tally, ValidatesTheElectorate) {
  struct Case {
    TallyInput input;
    std::string field;
    std::string message;
  };
  const std::vector<Case> cases = {
      {Input(Matter::kRebuild), "units", "no units: the electorate is empty"},
      {Input(Matter::kRebuild, {MakeUnit("", 100, "o1")}), "units[0].id", "empty unit id"},
      {Input(Matter::kRebuild, {MakeUnit("a", 100, "o1"), MakeUnit("a", 100, "o2")}), "units[1].id",
       "duplicate unit id \"a\" (also units[0])"},
      {Input(Matter::kRebuild, {MakeUnit("a", 0, "o1")}), "units[0].area", "area 0.00 must be greater than 0"},
      {Input(Matter::kRebuild, {MakeUnit("a", -1, "o1")}), "units[0].area", "area -0.01 must be greater than 0"},
      {Input(Matter::kRebuild, {MakeUnit("a", 100, "")}), "units[0].owner", "empty owner"},
      {Input(Matter::kRebuild, {MakeUnit("a", 100, " o1")}), "units[0].owner",
       "owner \" o1\" has leading or trailing spaces"},
      {Input(Matter::kRebuild, {MakeUnit("a\t", 100, "o1")}), "units[0].id",
       "unit id \"a\\x09\" has leading or trailing spaces"},
      {Input(static_cast<Matter>(0), {MakeUnit("a", 100, "o1")}), "matter",
       "matter 0 is not an item of 民法典 art. 278 ¶1 (an integer from 1 to 9)"},
      {Input(Matter::kRebuild, {MakeUnit("a", 100, "o1")}, {MakeBallot("o2", Choice::kAgree, 1)}), "ballots[0].owner",
       "unknown owner \"o2\""},
      {Input(Matter::kRebuild, {MakeUnit("a", 100, "o1")}, {MakeBallot("", Choice::kAgree, 1)}), "ballots[0].owner",
       "empty owner"},
  };
  for (const Case& c : cases) {
    StatusOr<TallyResult> r = Tally(c.input);
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << c.message;
    EXPECT_EQ(r.status().field(), c.field);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(Tally, AreasThatCannotBeSummedAreOutOfRange) {
  TallyInput input = Input(Matter::kRebuild, {MakeUnit("a", Area::Max().hundredths(), "o1"), MakeUnit("b", 1, "o2")});
  EXPECT_THAT(Tally(input), StatusIs(StatusCode::kOutOfRange));
}

TEST(Tally, HugeAreasAreComparedWithoutOverflow) {
  // The total is Area::Max(); times 3 it would overflow 64 bits.
  const int64_t max = Area::Max().hundredths();
  TallyInput input = Input(Matter::kRebuild, {MakeUnit("a", max - max / 3, "o1"), MakeUnit("b", max / 3, "o2")});
  input.ballots = {MakeBallot("o1", Choice::kAgree, 1), MakeBallot("o2", Choice::kAgree, 1)};
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  EXPECT_EQ(r.total.area, Area::Max());
  EXPECT_TRUE(r.passed);
  input.ballots.pop_back();  // o1 alone holds 2/3 of the area (rounded up), one head of two
  ASSERT_OK_AND_ASSIGN(TallyResult alone, Tally(input));
  EXPECT_TRUE(alone.conditions[0].met);
  EXPECT_FALSE(alone.conditions[1].met);
}

// Each threshold against an independent formula, for every headcount up to 60: the smallest number of heads that
// meets ">= 2/3 of n" is ceil(2n/3) = (2n + 2) / 3; ">= 3/4 of p" is (3p + 3) / 4; "> 1/2 of p" is p / 2 + 1.
TEST(Tally, HeadcountThresholdsMatchTheirClosedForms) {
  for (int n = 1; n <= 60; ++n) {
    for (int k = 0; k <= n; ++k) {
      TallyInput input = Building(Matter::kRebuild, n, 100);
      Vote(input, 0, k);  // k owners take part, all disagreeing
      ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
      EXPECT_EQ(r.conditions[1].met, k >= (2 * n + 2) / 3) << k << " of " << n;
      EXPECT_EQ(r.conditions[0].met, k >= (2 * n + 2) / 3) << k << " of " << n;  // equal areas
      EXPECT_EQ(r.conditions[1].needed, (2 * n + 2) / 3);
    }
  }
  for (Matter matter : {Matter::kRebuild, Matter::kPropertyManager}) {
    const bool three_quarters = matter == Matter::kRebuild;
    for (int p = 1; p <= 60; ++p) {
      for (int c = 0; c <= p; ++c) {
        TallyInput input = Building(matter, p, 100);
        Vote(input, c, p - c);
        ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
        const int needed = three_quarters ? (3 * p + 3) / 4 : p / 2 + 1;
        EXPECT_EQ(r.conditions[3].met, c >= needed) << c << " of " << p;
        EXPECT_EQ(r.conditions[2].met, c >= needed) << c << " of " << p;
        EXPECT_EQ(r.conditions[3].needed, needed);
        EXPECT_EQ(r.consent_met, c >= needed);
      }
    }
  }
}

TEST(Tally, ExplainShowsRulesOwnersAndFigures) {
  TallyInput input = Input(Matter::kRebuild, {MakeUnit("101", 6000, "o1"), MakeUnit("102", 6000, "o1"),
                                              MakeUnit("201", 6540, "o2"), MakeUnit("301", 7000, "dev", true)});
  input.ballots = {MakeBallot("o1", Choice::kDisagree, 1'777'600'000), MakeBallot("o1", Choice::kAgree, 1'777'600'060),
                   MakeBallot("o2", Choice::kAbstain, 1'777'600'120)};
  ASSERT_OK_AND_ASSIGN(TallyResult r, Tally(input));
  const std::string text = Explain(input, r);
  EXPECT_THAT(text, HasSubstr("Matter: 民法典 art. 278 ¶1 item 7 (改建、重建建筑物及其附属设施)\n"));
  EXPECT_THAT(text, HasSubstr("Consent rule: three_quarters: 民法典 art. 278 ¶2"));
  EXPECT_THAT(text, HasSubstr("interpretation on building ownership art. 8"));
  EXPECT_THAT(text, HasSubstr("  o1: units 101, 102 (120.00 m²): agree (ballots[1] at 2026-05-01T01:47:40Z); "
                              "superseded ballots[0] disagree at 2026-05-01T01:46:40Z\n"));
  EXPECT_THAT(text, HasSubstr("  o2: unit 201 (65.40 m²): abstain"));
  EXPECT_THAT(text, HasSubstr("  dev (developer): unit 301 (70.00 m²): no ballot\n"));
  EXPECT_THAT(text, HasSubstr("Participation by headcount: 2 of 3, at least 2/3 needed: 2 -> met\n"));
  EXPECT_THAT(text, HasSubstr("Consent by headcount: 1 of 2, at least 3/4 needed: 2 -> NOT met\n"));
  EXPECT_THAT(text, HasSubstr("Result: FAILED: "));
}

}  // namespace
}  // namespace ningju::decisions
