#include "common/decimal.h"
#include "common/text_util.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace ningju::internal_decimal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(std::string_view text) { return QuoteForMessage(text, 40); }

// Why `text` is not of the form digits[.d[d]], or empty when it is.
std::string_view Malformation(std::string_view text) {
  if (text.empty()) return "empty";
  const size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  for (char c : whole) {
    if (!IsDigit(c)) return "only digits and one decimal point";
  }
  for (char c : fraction) {
    if (!IsDigit(c)) return "only digits and one decimal point";
  }
  if (whole.empty()) return "a digit is needed before the decimal point";
  if (point != std::string_view::npos && fraction.empty()) return "a digit is needed after the decimal point";
  if (fraction.size() > 2) return "at most two decimals";
  return {};
}

}  // namespace

StatusOr<int64_t> ParseHundredths(std::string_view text, std::string_view noun) {
  // A sign is never accepted; "-1" gets its own message because "negative" says more than "malformed".
  if (!text.empty() && text[0] == '-' && Malformation(text.substr(1)).empty()) {
    return InvalidArgumentError(Msg("negative {} {}", noun, Quote(text)));
  }
  if (std::string_view why = Malformation(text); !why.empty()) {
    return InvalidArgumentError(Msg("malformed {} {} ({})", noun, Quote(text), why));
  }
  const size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);

  int64_t value = 0;
  bool overflow = false;
  auto push_digit = [&](char c) {
    overflow = overflow || __builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value);
  };
  for (char c : whole) push_digit(c);
  // Exactly two decimal digits: "65" -> 6500, "65.4" -> 6540.
  for (size_t i = 0; i < 2; ++i) push_digit(i < fraction.size() ? fraction[i] : '0');
  if (overflow) {
    return OutOfRangeError(Msg("{} {} is too large (at most {})", noun, Quote(text),
                               FormatHundredths(std::numeric_limits<int64_t>::max())));
  }
  return value;
}

std::string FormatHundredths(int64_t hundredths) {
  // Work on the magnitude as unsigned so that INT64_MIN has a magnitude too.
  const bool negative = hundredths < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(hundredths) : static_cast<uint64_t>(hundredths);
  const uint64_t cents = magnitude % 100;
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / 100);
  out += '.';
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  return out;
}

}  // namespace ningju::internal_decimal
