#include "governance/decisions/tally.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "common/text_util.h"

namespace ningju::decisions {
namespace {

std::string UnitField(size_t i, std::string_view member) { return fmt::format("units[{}].{}", i, member); }
std::string BallotField(size_t i, std::string_view member) { return fmt::format("ballots[{}].{}", i, member); }

bool HasOuterSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  return !s.empty() && (space(s.front()) || space(s.back()));
}

// Checks an identifier (unit id or owner id). Leading or trailing spaces are refused rather than trimmed: "o17 " and
// "o17" would otherwise be two owners, two heads, a silent miscount.
Status CheckId(std::string_view value, std::string_view what, std::string field) {
  if (value.empty()) return InvalidArgumentError(fmt::format("empty {}", what), std::move(field));
  if (HasOuterSpace(value)) {
    return InvalidArgumentError(fmt::format("{} {} has leading or trailing spaces", what, QuoteForMessage(value)),
                                std::move(field));
  }
  return OkStatus();
}

// The four conditions compare fractions by cross-multiplication in 128 bits: numerator * td against denominator * tn,
// where every factor fits in 63 bits, so nothing overflows and nothing is rounded.
Condition MakeCondition(Stage stage, Measure measure, int64_t numerator, int64_t denominator, int64_t tn, int64_t td,
                        bool strict) {
  Condition c;
  c.stage = stage;
  c.measure = measure;
  c.numerator = numerator;
  c.denominator = denominator;
  c.threshold_num = tn;
  c.threshold_den = td;
  c.strict = strict;
  if (denominator == 0) {
    // Only a consent condition can have no denominator (nobody took part): a share of nobody is no consent, even
    // though 0 * 4 >= 0 * 3 would hold arithmetically.
    c.met = false;
    c.needed = 0;
    return c;
  }
  const __int128 lhs = static_cast<__int128>(numerator) * td;
  const __int128 rhs = static_cast<__int128>(denominator) * tn;
  c.met = strict ? lhs > rhs : lhs >= rhs;
  // Smallest n with n * td >= rhs (ceil(rhs / td)), or with n * td > rhs (floor(rhs / td) + 1). rhs >= 0.
  c.needed = static_cast<int64_t>(strict ? rhs / td + 1 : (rhs + td - 1) / td);
  return c;
}

std::string Amount(const Condition& c, int64_t value) {
  return c.measure == Measure::kArea ? Area::FromHundredths(value).ToString() + " m²" : std::to_string(value);
}

std::string ThresholdText(const Condition& c) {
  return fmt::format("{} {}/{}", c.strict ? "more than" : "at least", c.threshold_num, c.threshold_den);
}

std::string ConditionName(const Condition& c) {
  return fmt::format("{} by {}", c.stage == Stage::kParticipation ? "participation" : "consent",
                     c.measure == Measure::kArea ? "area" : "headcount");
}

// "11 of 18 owners took part", "540.00 m² of the 720.00 m² taking part agreed".
std::string FiguresText(const Condition& c) {
  if (c.stage == Stage::kParticipation) {
    return c.measure == Measure::kArea
               ? fmt::format("owners with {} of {} took part", Amount(c, c.numerator), Amount(c, c.denominator))
               : fmt::format("{} of {} owners took part", c.numerator, c.denominator);
  }
  return c.measure == Measure::kArea
             ? fmt::format("owners with {} of the {} taking part agreed", Amount(c, c.numerator),
                           Amount(c, c.denominator))
             : fmt::format("{} of the {} owners taking part agreed", c.numerator, c.denominator);
}

}  // namespace

StatusOr<Matter> MatterFromItem(int64_t item) {
  if (item < 1 || item > 9) {
    return InvalidArgumentError(
        fmt::format("matter {} is not an item of 民法典 art. 278 ¶1 (an integer from 1 to 9)", item), "matter");
  }
  return static_cast<Matter>(item);
}

int MatterItem(Matter matter) { return static_cast<int>(matter); }

std::string_view MatterTitle(Matter matter) {
  switch (matter) {
    case Matter::kAssemblyRules:
      return "制定和修改业主大会议事规则";
    case Matter::kManagementBylaws:
      return "制定和修改管理规约";
    case Matter::kCommittee:
      return "选举业主委员会或者更换业主委员会成员";
    case Matter::kPropertyManager:
      return "选聘和解聘物业服务企业或者其他管理人";
    case Matter::kUseRepairFund:
      return "使用建筑物及其附属设施的维修资金";
    case Matter::kRaiseRepairFund:
      return "筹集建筑物及其附属设施的维修资金";
    case Matter::kRebuild:
      return "改建、重建建筑物及其附属设施";
    case Matter::kCommonPartsUse:
      return "改变共有部分的用途或者利用共有部分从事经营活动";
    case Matter::kOtherMajorMatter:
      return "有关共有和共同管理权利的其他重大事项";
  }
  return "";
}

ConsentRule ConsentRuleFor(Matter matter) {
  // Art. 278 ¶2: "决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三
  // 以上的业主同意。决定前款其他事项，应当经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意。"
  switch (matter) {
    case Matter::kRaiseRepairFund:
    case Matter::kRebuild:
    case Matter::kCommonPartsUse:
      return ConsentRule::kThreeQuarters;
    default:
      return ConsentRule::kMajority;
  }
}

std::string_view ConsentRuleName(ConsentRule rule) {
  return rule == ConsentRule::kThreeQuarters ? "three_quarters" : "majority";
}

StatusOr<Choice> ParseChoice(std::string_view text) {
  if (text == "agree") return Choice::kAgree;
  if (text == "disagree") return Choice::kDisagree;
  if (text == "abstain") return Choice::kAbstain;
  return InvalidArgumentError(Msg("unknown choice {} (agree, disagree or abstain)", QuoteForMessage(text)));
}

std::string_view ChoiceName(Choice choice) {
  switch (choice) {
    case Choice::kAgree:
      return "agree";
    case Choice::kDisagree:
      return "disagree";
    case Choice::kAbstain:
      return "abstain";
  }
  return "";
}

StatusOr<TallyResult> Tally(const TallyInput& input) {
  if (input.units.empty()) return InvalidArgumentError("no units: the electorate is empty", "units");
  const int item = MatterItem(input.matter);
  if (item < 1 || item > 9) RETURN_IF_ERROR(MatterFromItem(item));

  TallyResult result;
  result.matter = input.matter;
  result.consent_rule = ConsentRuleFor(input.matter);

  // The electorate: one head per distinct owner (interpretation art. 9). Developer-unsold units all name the
  // developer, so they fold into one head by the same rule.
  std::unordered_map<std::string_view, size_t> unit_by_id;
  std::unordered_map<std::string_view, size_t> owner_index;
  std::optional<size_t> first_developer_unit;
  for (size_t i = 0; i < input.units.size(); ++i) {
    const Unit& unit = input.units[i];
    RETURN_IF_ERROR(CheckId(unit.id, "unit id", UnitField(i, "id")));
    if (auto [it, inserted] = unit_by_id.emplace(unit.id, i); !inserted) {
      return InvalidArgumentError(
          fmt::format("duplicate unit id {} (also units[{}])", QuoteForMessage(unit.id), it->second),
          UnitField(i, "id"));
    }
    if (unit.area.hundredths() <= 0) {
      return InvalidArgumentError(fmt::format("area {} must be greater than 0", unit.area.ToString()),
                                  UnitField(i, "area"));
    }
    RETURN_IF_ERROR(CheckId(unit.owner, "owner", UnitField(i, "owner")));
    if (unit.developer_unsold) {
      if (!first_developer_unit) {
        first_developer_unit = i;
      } else if (const Unit& first = input.units[*first_developer_unit]; first.owner != unit.owner) {
        return InvalidArgumentError(
            fmt::format("developer-unsold units count as one owner (interpretation art. 9) and must name the same "
                        "developer: {} here, {} in units[{}]",
                        QuoteForMessage(unit.owner), QuoteForMessage(first.owner), *first_developer_unit),
            UnitField(i, "owner"));
      }
    }
    auto [it, inserted] = owner_index.emplace(unit.owner, result.owners.size());
    if (inserted) {
      result.owners.emplace_back();
      result.owners.back().owner = unit.owner;
    }
    OwnerTally& owner = result.owners[it->second];
    owner.developer = owner.developer || unit.developer_unsold;
    owner.units.push_back(i);
    const std::optional<Area> owner_area = owner.area.CheckedAdd(unit.area);
    const std::optional<Area> total_area = result.total.area.CheckedAdd(unit.area);
    if (!owner_area || !total_area) {
      return OutOfRangeError(fmt::format("the areas add up to more than {} m²", Area::Max().ToString()),
                             UnitField(i, "area"));
    }
    owner.area = *owner_area;
    result.total.area = *total_area;
  }
  result.total.heads = static_cast<int64_t>(result.owners.size());

  // Each owner's ballots, to find the latest.
  std::vector<std::vector<size_t>> ballots_of(result.owners.size());
  for (size_t j = 0; j < input.ballots.size(); ++j) {
    const Ballot& ballot = input.ballots[j];
    if (ballot.owner.empty()) return InvalidArgumentError("empty owner", BallotField(j, "owner"));
    auto it = owner_index.find(ballot.owner);
    if (it == owner_index.end()) {
      return InvalidArgumentError(fmt::format("unknown owner {}", QuoteForMessage(ballot.owner)),
                                  BallotField(j, "owner"));
    }
    ballots_of[it->second].push_back(j);
  }

  for (size_t k = 0; k < result.owners.size(); ++k) {
    std::vector<size_t>& mine = ballots_of[k];
    if (mine.empty()) continue;
    // By instant; input order only breaks ties between equal ballots, which changes no figure.
    std::stable_sort(mine.begin(), mine.end(),
                     [&](size_t a, size_t b) { return input.ballots[a].at < input.ballots[b].at; });
    const size_t latest = mine.back();
    for (auto it = mine.rbegin() + 1; it != mine.rend() && input.ballots[*it].at == input.ballots[latest].at; ++it) {
      if (input.ballots[*it].choice != input.ballots[latest].choice) {
        const size_t later_in_input = std::max(*it, latest);
        const size_t earlier_in_input = std::min(*it, latest);
        return InvalidArgumentError(
            fmt::format("owner {} has two ballots at the same instant with different choices (ballots[{}] and "
                        "ballots[{}]): neither is the latest",
                        QuoteForMessage(result.owners[k].owner), earlier_in_input, later_in_input),
            BallotField(later_in_input, "at"));
      }
    }
    OwnerTally& owner = result.owners[k];
    owner.ballot = latest;
    owner.superseded.assign(mine.begin(), mine.end() - 1);

    // An owner's ballot covers all their units in scope; an abstention takes part but does not consent.
    result.participating.area += owner.area;  // cannot overflow: a part of the total
    ++result.participating.heads;
    if (input.ballots[latest].choice == Choice::kAgree) {
      result.consenting.area += owner.area;
      ++result.consenting.heads;
    }
  }

  // Art. 278 ¶2 with art. 1259: "三分之二以上" and "四分之三以上" include the boundary (>=), "过半数" does not (>).
  const bool three_quarters = result.consent_rule == ConsentRule::kThreeQuarters;
  const int64_t consent_num = three_quarters ? 3 : 1;
  const int64_t consent_den = three_quarters ? 4 : 2;
  const bool consent_strict = !three_quarters;
  result.conditions = {
      MakeCondition(Stage::kParticipation, Measure::kArea, result.participating.area.hundredths(),
                    result.total.area.hundredths(), 2, 3, false),
      MakeCondition(Stage::kParticipation, Measure::kHeads, result.participating.heads, result.total.heads, 2, 3,
                    false),
      MakeCondition(Stage::kConsent, Measure::kArea, result.consenting.area.hundredths(),
                    result.participating.area.hundredths(), consent_num, consent_den, consent_strict),
      MakeCondition(Stage::kConsent, Measure::kHeads, result.consenting.heads, result.participating.heads, consent_num,
                    consent_den, consent_strict),
  };
  result.participation_met = result.conditions[0].met && result.conditions[1].met;
  result.consent_met = result.conditions[2].met && result.conditions[3].met;
  result.passed = result.participation_met && result.consent_met;
  return result;
}

std::string TallyResult::ParticipationRule() const {
  return "民法典 art. 278 ¶2: owners holding at least 2/3 of the exclusive area and at least 2/3 of the headcount "
         "take part (\"以上\" includes the boundary: art. 1259)";
}

std::string TallyResult::ConsentRuleText() const {
  const std::string item = fmt::format("item {} ({})", MatterItem(matter), MatterTitle(matter));
  if (consent_rule == ConsentRule::kThreeQuarters) {
    return fmt::format(
        "民法典 art. 278 ¶2, items 6-8, here {}: owners holding at least 3/4 of the participating area and at "
        "least 3/4 of the participating headcount agree (\"以上\" includes the boundary: art. 1259)",
        item);
  }
  return fmt::format(
      "民法典 art. 278 ¶2, items other than 6-8, here {}: owners holding more than 1/2 of the participating area "
      "and more than 1/2 of the participating headcount agree (\"过半数\" is more than half; exactly half is not "
      "enough: art. 1259)",
      item);
}

std::string TallyResult::Reason() const {
  std::string reason;
  for (const Condition& c : conditions) {
    if (c.met) continue;
    if (!reason.empty()) reason += "; ";
    if (c.denominator == 0) {
      reason += ConditionName(c) + " not met: nobody took part";
      continue;
    }
    reason += fmt::format("{} not met: {}; {} ({}) {} needed", ConditionName(c), FiguresText(c), ThresholdText(c),
                          Amount(c, c.needed), c.measure == Measure::kArea ? "is" : "are");
  }
  return reason;
}

std::string Explain(const TallyInput& input, const TallyResult& result) {
  std::string out;
  out +=
      fmt::format("Matter: 民法典 art. 278 ¶1 item {} ({})\n", MatterItem(result.matter), MatterTitle(result.matter));
  out += "Participation rule: " + result.ParticipationRule() + "\n";
  out += fmt::format("Consent rule: {}: {}\n", ConsentRuleName(result.consent_rule), result.ConsentRuleText());
  out +=
      "Counting: area is the registered exclusive area (SPC interpretation on building ownership art. 8); "
      "headcount is one per unit, but an owner of several units counts once and all developer-unsold units "
      "count once (art. 9); an owner's latest ballot covers all their units; an abstention takes part and does "
      "not agree.\n";
  out += fmt::format("Electorate: {} units, {} m², {} owners (heads); {} ballots received\n", input.units.size(),
                     result.total.area.ToString(), result.total.heads, input.ballots.size());
  for (const OwnerTally& owner : result.owners) {
    std::string units;
    for (size_t i : owner.units) {
      if (!units.empty()) units += ", ";
      units += input.units[i].id;
    }
    out += fmt::format("  {}{}: {} {} ({} m²): ", owner.owner, owner.developer ? " (developer)" : "",
                       owner.units.size() == 1 ? "unit" : "units", units, owner.area.ToString());
    if (!owner.ballot) {
      out += "no ballot\n";
      continue;
    }
    const Ballot& ballot = input.ballots[*owner.ballot];
    out +=
        fmt::format("{} (ballots[{}] at {})", ChoiceName(ballot.choice), *owner.ballot, FormatTimestampUtc(ballot.at));
    for (size_t j : owner.superseded) {
      out += fmt::format("; superseded ballots[{}] {} at {}", j, ChoiceName(input.ballots[j].choice),
                         FormatTimestampUtc(input.ballots[j].at));
    }
    out += "\n";
  }
  for (const Condition& c : result.conditions) {
    std::string name = ConditionName(c);
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    out += fmt::format("{}: {} of {}, {} needed: {} -> {}\n", name, Amount(c, c.numerator), Amount(c, c.denominator),
                       ThresholdText(c), c.denominator == 0 ? "nobody took part" : Amount(c, c.needed),
                       c.met ? "met" : "NOT met");
  }
  out += result.passed ? "Result: PASSED\n" : "Result: FAILED: " + result.Reason() + "\n";
  return out;
}

}  // namespace ningju::decisions
