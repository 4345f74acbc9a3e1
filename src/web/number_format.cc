#include "web/number_format.h"

#include <cstddef>

namespace ningju::web {
namespace {

// `digits` (all of them '0'-'9') with a "," before every group of three counted from the right.
std::string Grouped(std::string_view digits) {
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string FormatNumber(int64_t value) { return FormatNumber(std::string_view(std::to_string(value))); }

std::string FormatNumber(std::string_view number) {
  const size_t sign = !number.empty() && number.front() == '-' ? 1 : 0;
  size_t end = sign;
  while (end < number.size() && IsDigit(number[end])) ++end;
  if (end == sign) return std::string(number);  // not a number: "—", "", "-"
  return std::string(number.substr(0, sign)) + Grouped(number.substr(sign, end - sign)) +
         std::string(number.substr(end));
}

std::string FormatJsonNumber(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    return value.is_number_unsigned() ? FormatNumber(std::string_view(std::to_string(value.get<uint64_t>())))
                                      : FormatNumber(value.get<int64_t>());
  }
  if (value.is_string()) return FormatNumber(std::string_view(value.get_ref<const std::string&>()));
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace ningju::web
