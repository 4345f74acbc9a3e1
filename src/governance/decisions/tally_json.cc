#include "governance/decisions/tally_json.h"

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/decimal.h"
#include "common/text_util.h"
#include "common/time.h"

namespace ningju::decisions {
namespace {

using Json = nlohmann::json;

// nlohmann keeps the last of two equal keys silently; a ballot file with two "area" members for one unit is
// ambiguous, so the parser callback below tracks where it is and stops at the first repeated key.
struct RepeatedKey {
  std::string path;  // "units[2].area"
};

class RepeatedKeyDetector {
 public:
  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        frames_.emplace_back();
        frames_.back().is_array = event == Json::parse_event_t::array_start;
        break;
      case Json::parse_event_t::key: {
        Frame& top = frames_.back();
        std::string key = parsed.get<std::string>();
        top.key = key;
        if (!top.keys.insert(std::move(key)).second) throw RepeatedKey{Path()};
        break;
      }
      case Json::parse_event_t::value:
        ElementDone();
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        ElementDone();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_array = false;
    size_t index = 0;            // arrays: the index of the element being read
    std::string key;             // objects: the key of the member being read
    std::set<std::string> keys;  // objects: the keys seen so far
  };

  void ElementDone() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }

  std::string Path() const {
    std::string path;
    for (const Frame& f : frames_) {
      if (f.is_array) {
        path += fmt::format("[{}]", f.index);
      } else {
        if (!path.empty()) path += '.';
        path += f.key;
      }
    }
    return path;
  }

  std::vector<Frame> frames_;
};

std::string Join(const std::string& path, std::string_view member) {
  return path.empty() ? std::string(member) : path + "." + std::string(member);
}

// "number 65.4", "null", "array": what was found where something else was expected.
std::string Describe(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  const std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string quoted = text.size() > 40 ? text.substr(0, 40) + "..." : text;
  if (value.is_string()) return "string " + quoted;
  if (value.is_boolean()) return quoted;
  return "number " + quoted;
}

Status TypeError(const std::string& field, std::string_view expected, const Json& got) {
  return InvalidArgumentError(fmt::format("expected {}, got {}", expected, Describe(got)), field);
}

// Checks that `object` has every member of `required` and no member outside `required` and `optional`.
Status CheckMembers(const Json& object, const std::string& path, std::initializer_list<std::string_view> required,
                    std::initializer_list<std::string_view> optional) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view k : required) known = known || k == key;
    for (std::string_view k : optional) known = known || k == key;
    if (!known) {
      std::string expected;
      for (std::string_view k : required) expected += (expected.empty() ? "" : ", ") + std::string(k);
      for (std::string_view k : optional) expected += (expected.empty() ? "" : ", ") + std::string(k);
      return InvalidArgumentError(fmt::format("unknown member {} (expected {})", QuoteForMessage(key), expected),
                                  path.empty() ? key : Join(path, key));
    }
  }
  for (std::string_view k : required) {
    if (!object.contains(k)) return InvalidArgumentError("missing", Join(path, k));
  }
  return OkStatus();
}

StatusOr<std::string> GetString(const Json& object, const std::string& path, std::string_view member,
                                std::string_view expected = "a string") {
  const Json& value = object.at(std::string(member));
  if (!value.is_string()) return TypeError(Join(path, member), expected, value);
  return value.get<std::string>();
}

StatusOr<Matter> ParseMatter(const Json& value) {
  constexpr std::string_view kExpected = "an integer from 1 to 9 (民法典 art. 278 ¶1 item)";
  if (value.is_number_unsigned()) {
    const uint64_t item = value.get<uint64_t>();
    return MatterFromItem(item > 10 ? 10 : static_cast<int64_t>(item));  // anything above 9 is equally wrong
  }
  if (value.is_number_integer()) return MatterFromItem(value.get<int64_t>());
  return TypeError("matter", kExpected, value);
}

StatusOr<Unit> ParseUnit(const Json& value, const std::string& path) {
  if (!value.is_object()) return TypeError(path, "an object with id, area, owner", value);
  RETURN_IF_ERROR(CheckMembers(value, path, {"id", "area", "owner"}, {"developer_unsold"}));
  Unit unit;
  ASSIGN_OR_RETURN(unit.id, GetString(value, path, "id"));
  ASSIGN_OR_RETURN(const std::string area, GetString(value, path, "area", "a decimal string such as \"65.40\""));
  StatusOr<Area> parsed_area = Area::Parse(area);
  if (!parsed_area.ok()) {
    return Status(parsed_area.status().code(), parsed_area.status().msg(), Join(path, "area"));
  }
  unit.area = *parsed_area;
  ASSIGN_OR_RETURN(unit.owner, GetString(value, path, "owner"));
  if (value.contains("developer_unsold")) {
    const Json& flag = value.at("developer_unsold");
    if (!flag.is_boolean()) return TypeError(Join(path, "developer_unsold"), "true or false", flag);
    unit.developer_unsold = flag.get<bool>();
  }
  return unit;
}

StatusOr<Ballot> ParseBallot(const Json& value, const std::string& path) {
  if (!value.is_object()) return TypeError(path, "an object with owner, choice, at", value);
  RETURN_IF_ERROR(CheckMembers(value, path, {"owner", "choice", "at"}, {}));
  Ballot ballot;
  ASSIGN_OR_RETURN(ballot.owner, GetString(value, path, "owner"));
  ASSIGN_OR_RETURN(const std::string choice, GetString(value, path, "choice", "agree, disagree or abstain"));
  StatusOr<Choice> parsed_choice = ParseChoice(choice);
  if (!parsed_choice.ok())
    return Status(parsed_choice.status().code(), parsed_choice.status().msg(), Join(path, "choice"));
  ballot.choice = *parsed_choice;
  ASSIGN_OR_RETURN(const std::string at,
                   GetString(value, path, "at", "a timestamp such as \"2026-05-01T10:00:00+08:00\""));
  StatusOr<Timestamp> parsed_at = ParseTimestamp(at);
  if (!parsed_at.ok()) return Status(parsed_at.status().code(), parsed_at.status().msg(), Join(path, "at"));
  ballot.at = *parsed_at;
  return ballot;
}

}  // namespace

StatusOr<TallyInput> ParseTallyInput(std::string_view json_text) {
  Json doc;
  try {
    doc = Json::parse(json_text.begin(), json_text.end(), RepeatedKeyDetector());
  } catch (const RepeatedKey& repeated) {
    return InvalidArgumentError("member appears twice", repeated.path);
  } catch (const Json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the bracketed id.
    std::string_view what = e.what();
    if (size_t end = what.find("] "); what.starts_with("[json.exception.") && end != std::string_view::npos) {
      what.remove_prefix(end + 2);
    }
    return InvalidArgumentError(Msg("malformed JSON: {}", what));
  }
  if (!doc.is_object()) {
    return InvalidArgumentError(
        fmt::format("expected a JSON object with matter, units and ballots, got {}", Describe(doc)));
  }
  RETURN_IF_ERROR(CheckMembers(doc, "", {"matter", "units", "ballots"}, {}));

  TallyInput input;
  ASSIGN_OR_RETURN(input.matter, ParseMatter(doc.at("matter")));

  const Json& units = doc.at("units");
  if (!units.is_array()) return TypeError("units", "an array of units", units);
  input.units.reserve(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    ASSIGN_OR_RETURN(Unit unit, ParseUnit(units[i], fmt::format("units[{}]", i)));
    input.units.push_back(std::move(unit));
  }

  const Json& ballots = doc.at("ballots");
  if (!ballots.is_array()) return TypeError("ballots", "an array of ballots", ballots);
  input.ballots.reserve(ballots.size());
  for (size_t j = 0; j < ballots.size(); ++j) {
    ASSIGN_OR_RETURN(Ballot ballot, ParseBallot(ballots[j], fmt::format("ballots[{}]", j)));
    input.ballots.push_back(std::move(ballot));
  }
  return input;
}

StatusOr<TallyResult> TallyJson(std::string_view json_text) {
  ASSIGN_OR_RETURN(const TallyInput input, ParseTallyInput(json_text));
  return Tally(input);
}

std::string TallyResultToJson(const TallyResult& result) {
  // ordered_json keeps the contract's key order.
  nlohmann::ordered_json out;
  out["passed"] = result.passed;
  out["participation_met"] = result.participation_met;
  out["consent_met"] = result.consent_met;
  auto figures = [](const Figures& f) {
    nlohmann::ordered_json j;
    j["area"] = f.area.ToString();
    j["heads"] = f.heads;
    return j;
  };
  out["total"] = figures(result.total);
  out["participating"] = figures(result.participating);
  out["consenting"] = figures(result.consenting);
  out["consent_rule"] = std::string(ConsentRuleName(result.consent_rule));
  return out.dump(2) + "\n";
}

std::string FormatInputError(const Status& status) {
  std::string line = status.field().empty() ? status.message() : status.field() + ": " + status.message();
  std::string out;
  out.reserve(line.size());
  for (char c : line) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace ningju::decisions
