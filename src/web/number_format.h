// Numbers as the pages show them: counts, areas, amounts and rates with their integer part grouped by three
// ("12,345", "1,234.56 m²", "-1,234"). The view models format a figure with these when they put it on a page; the
// JSON API keeps its figures as JSON numbers (and areas as the decimal strings of common/decimal.h), ungrouped.
//
// One rule for both languages, so no locale is taken: English groups by three with ","; so does China's usage
// for zh-CN: GB/T 15835-2011 (出版物上数字用法) 5.1.3 lets a number of more than four digits be grouped by three
// with the 千分撇 "," (or a thin space), and CLDR's zh locale, which ICU and the browsers follow, writes
// "#,##0.###": "," every three digits and "." before the decimals. The decimals are never grouped. Grouping by four
// (万) is a word in Chinese ("1.2万"), not a separator, and is not used. Not for identifiers, years, dates, phone
// numbers or unit numbers: those are names, not quantities ("#1042", "2027" stay as they are).
#ifndef NINGJU_WEB_NUMBER_FORMAT_H_
#define NINGJU_WEB_NUMBER_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/decimal.h"

namespace ningju::web {

// 0 -> "0", 999 -> "999", 1000 -> "1,000", 1234567 -> "1,234,567", -1234 -> "-1,234" (INT64_MIN too).
std::string FormatNumber(int64_t value);

// A number already written as text: the integer part of its leading number grouped, the rest kept as it is:
// "1234.56" -> "1,234.56", "-1234.5" -> "-1,234.5", "1234.5%" -> "1,234.5%", "12 m²" -> "12 m²". Text that does not
// start with a digit (or "-" and a digit), such as "—", comes back unchanged.
std::string FormatNumber(std::string_view number);

// An area or an amount (common/decimal.h), with its two decimals: "1,234.50".
template <typename Tag>
std::string FormatNumber(Decimal2<Tag> value) {
  return FormatNumber(std::string_view(value.ToString()));
}

// A figure of a stored JSON record, which holds counts as integers and areas as decimal strings: either grouped as
// above. Any other value is written as JSON would write it (null as "").
std::string FormatJsonNumber(const nlohmann::json& value);

}  // namespace ningju::web

#endif  // NINGJU_WEB_NUMBER_FORMAT_H_
