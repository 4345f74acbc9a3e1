// The JSON form of a tally, as read and printed by `ningju ballot tally` (docs/BALLOTS.md). The format is a contract.
//
// Input:
//   {"matter": 7,
//    "units": [{"id": "3-201", "area": "65.40", "owner": "o17", "developer_unsold": false}, ...],
//    "ballots": [{"owner": "o17", "choice": "agree", "at": "2026-05-01T10:00:00+08:00"}, ...]}
// `developer_unsold` is optional (default false); every other member is required; unknown and repeated members are
// errors (a misspelt "developer_unsold" must not silently count a developer unit as an ordinary one).
//
// Output, exactly these keys in this order:
//   {"passed": true, "participation_met": true, "consent_met": true,
//    "total": {"area": "1080.00", "heads": 18}, "participating": {"area": "720.00", "heads": 12},
//    "consenting": {"area": "540.00", "heads": 9}, "consent_rule": "three_quarters"}
#ifndef NINGJU_GOVERNANCE_DECISIONS_TALLY_JSON_H_
#define NINGJU_GOVERNANCE_DECISIONS_TALLY_JSON_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "governance/decisions/tally.h"

namespace ningju::decisions {

// Reads the input document. Errors are kInvalidArgument (kOutOfRange for an area too large to hold) with the place in
// field() ("units[2].area", or empty for the document as a whole) and the problem in message().
StatusOr<TallyInput> ParseTallyInput(std::string_view json_text);

// Reads the input document and counts it: ParseTallyInput, then Tally.
StatusOr<TallyResult> TallyJson(std::string_view json_text);

// The output document, pretty-printed with two-space indentation and a final newline.
std::string TallyResultToJson(const TallyResult& result);

// An input error on one line: "units[2].area: malformed area \"1.234\" (at most two decimals)", or just the message
// when the error has no place. Line breaks in the message are escaped.
std::string FormatInputError(const Status& status);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_TALLY_JSON_H_
