// Quoting user-supplied text inside error messages.
#ifndef NINGJU_GOVERNANCE_DECISIONS_INTERNAL_QUOTE_H_
#define NINGJU_GOVERNANCE_DECISIONS_INTERNAL_QUOTE_H_

#include <string>
#include <string_view>

namespace ningju::decisions::internal {

// `text` in double quotes with quotes, backslashes and control characters escaped ("\x0a"), so that an error message
// stays on one line; cut after `max_bytes` bytes at a UTF-8 boundary, with "..." marking the cut.
std::string Quote(std::string_view text, size_t max_bytes = 60);

}  // namespace ningju::decisions::internal

#endif  // NINGJU_GOVERNANCE_DECISIONS_INTERNAL_QUOTE_H_
