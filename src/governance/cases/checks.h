// The checks of what a caller sends to the cases service that need no database, for the module's own files (not part
// of cases.h). Each returns kInvalidArgument naming the field, or OK.
#ifndef NINGJU_GOVERNANCE_CASES_CHECKS_H_
#define NINGJU_GOVERNANCE_CASES_CHECKS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.h"
#include "common/status.h"
#include "governance/cases/cases.h"

namespace ningju::cases::internal {

// Whether `value` is in `list`; `list` as "a, b, c" for a message.
bool Contains(const std::vector<std::string>& list, std::string_view value);
std::string Join(const std::vector<std::string>& list);

// Valid UTF-8 of at most `max_chars` characters, and not blank when `required`.
Status CheckText(std::string_view value, const char* field, size_t max_chars, bool required);
// A page size between 1 and kMaxPageSize.
Status CheckLimit(int limit);

// The checks of an intake that need no database (before it joins a batch): the value lists, the texts, the contact
// phone, the coordinates, and who may use the channel (kUnauthenticated for "api" and "open311" without a principal).
Status CheckNewCase(const auth::Principal& by, const NewCase& in);

}  // namespace ningju::cases::internal

#endif  // NINGJU_GOVERNANCE_CASES_CHECKS_H_
