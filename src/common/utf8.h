// UTF-8 validation. Every text that enters ningju from outside (HTTP bodies, files, command lines) is checked here
// first, so that the rest of the code may assume valid UTF-8.
#ifndef NINGJU_COMMON_UTF8_H_
#define NINGJU_COMMON_UTF8_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace ningju::utf8 {

// The byte offset of the first invalid sequence in `text` (overlong forms, surrogates and code points above
// U+10FFFF are invalid), or nullopt when all of it is valid UTF-8.
std::optional<size_t> FindInvalid(std::string_view text);

// OK when `text` is valid UTF-8; otherwise kInvalidArgument "invalid UTF-8 at byte N" with `field` attached.
Status Validate(std::string_view text, std::string_view field = {});

// The number of code points in valid UTF-8 `text`.
size_t CodePointCount(std::string_view text);

}  // namespace ningju::utf8

#endif  // NINGJU_COMMON_UTF8_H_
