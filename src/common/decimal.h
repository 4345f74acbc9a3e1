// Fixed-point decimals with exactly two decimal places, held as int64 hundredths: floor areas in 0.01 m² (`Area`) and
// money in cents (`Money`). Values enter and leave as decimal strings ("65.4" in, "65.40" out); there is no floating
// point anywhere, so sums and comparisons are exact.
//
// Area and Money are distinct types: adding an area to an amount of money does not compile.
#ifndef NINGJU_COMMON_DECIMAL_H_
#define NINGJU_COMMON_DECIMAL_H_

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ningju {

namespace internal_decimal {

// Parses a non-negative decimal with at most two decimals ("65", "65.4", "65.40") into hundredths. `noun` names the
// quantity in error messages: `malformed area "1.234" (at most two decimals)`, `negative area "-1"`.
// Errors: kInvalidArgument for malformed or negative text, kOutOfRange when the value exceeds INT64_MAX hundredths.
StatusOr<int64_t> ParseHundredths(std::string_view text, std::string_view noun);

// "65.40", "0.05", "-3.00".
std::string FormatHundredths(int64_t hundredths);

}  // namespace internal_decimal

// A decimal quantity with two decimal places. `Tag` distinguishes the kinds (see Area and Money below) and provides
// `Tag::kName`, the noun used in error messages. A trivially copyable value type; thread-compatible.
template <typename Tag>
class Decimal2 {
 public:
  // Zero.
  constexpr Decimal2() = default;

  static constexpr Decimal2 FromHundredths(int64_t hundredths) { return Decimal2(hundredths); }
  // The largest representable value (92233720368547758.07).
  static constexpr Decimal2 Max() { return Decimal2(std::numeric_limits<int64_t>::max()); }

  // Parses a non-negative decimal string with at most two decimals: "65", "65.4" and "65.40" are accepted; "-1",
  // "1.234", "1e3", " 1", "+1", ".5", "5.", "" and "abc" are not. The error message names the problem and quotes the
  // text: `malformed area "1.234" (at most two decimals)`.
  static StatusOr<Decimal2> Parse(std::string_view text) {
    StatusOr<int64_t> hundredths = internal_decimal::ParseHundredths(text, Tag::kName);
    if (!hundredths.ok()) return hundredths.status();
    return Decimal2(*hundredths);
  }

  constexpr int64_t hundredths() const { return hundredths_; }

  // Always two decimals: "65.40", "0.00", "-0.05".
  std::string ToString() const { return internal_decimal::FormatHundredths(hundredths_); }

  // The exact sum, or nullopt when it does not fit. Use this on untrusted input.
  [[nodiscard]] constexpr std::optional<Decimal2> CheckedAdd(Decimal2 other) const {
    int64_t sum = 0;
    if (__builtin_add_overflow(hundredths_, other.hundredths_, &sum)) return std::nullopt;
    return Decimal2(sum);
  }

  // REQUIRES: the result fits (see CheckedAdd).
  constexpr Decimal2 operator+(Decimal2 other) const { return Decimal2(hundredths_ + other.hundredths_); }
  constexpr Decimal2 operator-(Decimal2 other) const { return Decimal2(hundredths_ - other.hundredths_); }
  constexpr Decimal2& operator+=(Decimal2 other) { return *this = *this + other; }
  constexpr Decimal2& operator-=(Decimal2 other) { return *this = *this - other; }

  friend constexpr bool operator==(Decimal2 a, Decimal2 b) = default;
  friend constexpr std::strong_ordering operator<=>(Decimal2 a, Decimal2 b) = default;

 private:
  constexpr explicit Decimal2(int64_t hundredths) : hundredths_(hundredths) {}

  int64_t hundredths_ = 0;
};

struct AreaTag {
  static constexpr std::string_view kName = "area";
};
struct MoneyTag {
  static constexpr std::string_view kName = "amount";
};

// A floor area in square metres, to 0.01 m² (a unit's registered exclusive area: 专有部分面积).
using Area = Decimal2<AreaTag>;
// An amount of money in yuan, to the cent (分).
using Money = Decimal2<MoneyTag>;

}  // namespace ningju

#endif  // NINGJU_COMMON_DECIMAL_H_
