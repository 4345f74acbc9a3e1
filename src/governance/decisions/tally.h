// The owners' ballot count: 民法典 art. 278 and the Supreme People's Court interpretation on building ownership
// arts. 8-9, in exact integer arithmetic. docs/BALLOTS.md states every rule with its article and works examples.
//
// One implementation serves the web, the API and `ningju ballot tally`: callers build a TallyInput (tally_json.h
// reads the JSON form) and call Tally().
//
// The count, in short:
//   total area    = sum of the registered areas of all units in scope                          (interpretation art. 8)
//   total heads   = number of distinct owners: one per unit, but an owner of several units counts once, and all
//                   developer-unsold units count once together                                 (interpretation art. 9)
//   participation = owners who cast a ballot (agree, disagree or abstain); an owner's ballot covers all their units,
//                   and only their latest ballot counts
//   participation met: participating area >= 2/3 total area AND participating heads >= 2/3 total heads
//                                                                        (art. 278 ¶2; "以上" includes the boundary,
//                                                                         art. 1259)
//   consent met, items 6-8: consenting area >= 3/4 participating area AND heads >= 3/4       (art. 278 ¶2)
//   consent met, other items: consenting area > 1/2 participating area AND heads > 1/2       (art. 278 ¶2;
//                                                                         "过半数" excludes the half, art. 1259)
//   passed = participation met AND consent met
#ifndef NINGJU_GOVERNANCE_DECISIONS_TALLY_H_
#define NINGJU_GOVERNANCE_DECISIONS_TALLY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/decimal.h"
#include "common/status.h"
#include "common/time.h"

namespace ningju::decisions {

// The matters owners decide jointly: 民法典 art. 278 ¶1 items 1-9. The enumerator's value is the item number.
enum class Matter {
  kAssemblyRules = 1,     // (一) 制定和修改业主大会议事规则
  kManagementBylaws = 2,  // (二) 制定和修改管理规约
  kCommittee = 3,         // (三) 选举业主委员会或者更换业主委员会成员
  kPropertyManager = 4,   // (四) 选聘和解聘物业服务企业或者其他管理人
  kUseRepairFund = 5,     // (五) 使用建筑物及其附属设施的维修资金
  kRaiseRepairFund = 6,   // (六) 筹集建筑物及其附属设施的维修资金
  kRebuild = 7,           // (七) 改建、重建建筑物及其附属设施 (an elevator retrofit is this item)
  kCommonPartsUse = 8,    // (八) 改变共有部分的用途或者利用共有部分从事经营活动
  kOtherMajorMatter = 9,  // (九) 有关共有和共同管理权利的其他重大事项
};

// The matter numbered `item`; kInvalidArgument unless 1 <= item <= 9.
StatusOr<Matter> MatterFromItem(int64_t item);
int MatterItem(Matter matter);
// The statutory wording of the item, e.g. "改建、重建建筑物及其附属设施".
std::string_view MatterTitle(Matter matter);

// How much consent a matter needs (art. 278 ¶2).
enum class ConsentRule {
  kMajority,       // more than 1/2 of the participating area and heads (items 1-5 and 9)
  kThreeQuarters,  // at least 3/4 of the participating area and heads (items 6-8)
};
ConsentRule ConsentRuleFor(Matter matter);
// "majority" or "three_quarters": the name used in the JSON result.
std::string_view ConsentRuleName(ConsentRule rule);

enum class Choice { kAgree, kDisagree, kAbstain };
// "agree", "disagree" or "abstain"; anything else is kInvalidArgument: `unknown choice "yes" (agree, disagree or
// abstain)`.
StatusOr<Choice> ParseChoice(std::string_view text);
std::string_view ChoiceName(Choice choice);

// One exclusive part (专有部分) in scope.
struct Unit {
  std::string id;                 // "3-201"; unique within the input
  Area area;                      // registered exclusive area (interpretation art. 8); must be > 0
  std::string owner;              // the owner's id; for a developer-unsold unit, the developer's id
  bool developer_unsold = false;  // unsold, or sold but not yet delivered, by the developer (interpretation art. 9)
};

// One ballot as cast. An owner may cast several; only the latest (by `at`) counts.
struct Ballot {
  std::string owner;  // must own a unit in scope
  Choice choice = Choice::kAbstain;
  Timestamp at;
};

struct TallyInput {
  Matter matter = Matter::kOtherMajorMatter;
  std::vector<Unit> units;      // the electorate: every unit in scope; at least one
  std::vector<Ballot> ballots;  // in any order: the order does not change the result
};

// An area and a headcount.
struct Figures {
  Area area;
  int64_t heads = 0;
};

enum class Stage { kParticipation, kConsent };
enum class Measure { kArea, kHeads };

// One of the four threshold tests: numerator / denominator compared with threshold_num / threshold_den.
struct Condition {
  Stage stage = Stage::kParticipation;
  Measure measure = Measure::kArea;
  int64_t numerator = 0;    // hundredths of a square metre for kArea, persons for kHeads
  int64_t denominator = 0;  // idem
  int64_t threshold_num = 0;
  int64_t threshold_den = 1;
  // true: numerator / denominator > threshold ("过半数"); false: >= threshold ("以上").
  bool strict = false;
  // Whether the condition holds. A consent condition with a zero denominator (nobody took part) does not hold.
  bool met = false;
  // The smallest numerator that would meet the condition (for the explanation); 0 when the denominator is 0.
  int64_t needed = 0;
};

// One owner (one head) in the count.
struct OwnerTally {
  std::string owner;
  bool developer = false;          // holds developer-unsold units
  std::vector<size_t> units;       // indexes into TallyInput::units, in input order
  Area area;                       // total area of those units
  std::optional<size_t> ballot;    // index into TallyInput::ballots of the ballot that counts; none if not voted
  std::vector<size_t> superseded;  // this owner's earlier ballots, which do not count, earliest first
};

struct TallyResult {
  Matter matter = Matter::kOtherMajorMatter;
  ConsentRule consent_rule = ConsentRule::kMajority;
  Figures total;
  Figures participating;
  Figures consenting;
  // In order: participation by area, participation by heads, consent by area, consent by heads.
  std::array<Condition, 4> conditions;
  bool participation_met = false;
  bool consent_met = false;
  bool passed = false;
  // Every owner in scope, in the order of their first unit in the input.
  std::vector<OwnerTally> owners;

  // The rule and the article it comes from, e.g. for participation
  // "民法典 art. 278 ¶2: owners with at least 2/3 of the area and at least 2/3 of the headcount take part".
  std::string ParticipationRule() const;
  std::string ConsentRuleText() const;
  // Empty when passed; otherwise each failed condition, e.g. "participation by headcount not met: 11 of 18 owners
  // took part, at least 12 (2/3) are needed".
  std::string Reason() const;
};

// Counts the ballots. Errors are kInvalidArgument (kOutOfRange when the areas sum past Area::Max()) with the place in
// field() ("units[2].area", "ballots[3].owner") and the problem in message() (`unknown owner "o99"`):
//   - no units; an empty or duplicate unit id; an area that is not > 0; an empty owner;
//   - developer-unsold units naming different owners (they are one developer: interpretation art. 9);
//   - a ballot by an owner with no unit in scope;
//   - two ballots by one owner at the same instant with different choices (neither is the latest).
StatusOr<TallyResult> Tally(const TallyInput& input);

// A human-readable account of the count (several lines, ending in a newline): the rules and articles, each owner
// with their units, area and counted ballot, and the four conditions with their figures.
std::string Explain(const TallyInput& input, const TallyResult& result);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_TALLY_H_
