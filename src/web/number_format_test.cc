#include "web/number_format.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace ningju::web {
namespace {

TEST(FormatNumber, GroupsTheIntegerByThree) {
  EXPECT_EQ(FormatNumber(int64_t{0}), "0");
  EXPECT_EQ(FormatNumber(int64_t{7}), "7");
  EXPECT_EQ(FormatNumber(int64_t{999}), "999");
  EXPECT_EQ(FormatNumber(int64_t{1000}), "1,000");
  EXPECT_EQ(FormatNumber(int64_t{12345}), "12,345");
  EXPECT_EQ(FormatNumber(int64_t{123456}), "123,456");
  EXPECT_EQ(FormatNumber(int64_t{1234567}), "1,234,567");
  EXPECT_EQ(FormatNumber(std::numeric_limits<int64_t>::max()), "9,223,372,036,854,775,807");
}

TEST(FormatNumber, KeepsTheSignOutsideTheGroups) {
  EXPECT_EQ(FormatNumber(int64_t{-1}), "-1");
  EXPECT_EQ(FormatNumber(int64_t{-999}), "-999");
  EXPECT_EQ(FormatNumber(int64_t{-1000}), "-1,000");
  EXPECT_EQ(FormatNumber(int64_t{-1234567}), "-1,234,567");
  EXPECT_EQ(FormatNumber(std::numeric_limits<int64_t>::min()), "-9,223,372,036,854,775,808");
  EXPECT_EQ(FormatNumber("-123456.78"), "-123,456.78");
}

TEST(FormatNumber, KeepsTheDecimalsAndWhatFollows) {
  EXPECT_EQ(FormatNumber("0.00"), "0.00");
  EXPECT_EQ(FormatNumber("999.99"), "999.99");
  EXPECT_EQ(FormatNumber("1234.56"), "1,234.56");
  EXPECT_EQ(FormatNumber("1234567.891"), "1,234,567.891");  // the decimals are never grouped
  EXPECT_EQ(FormatNumber("1234.5%"), "1,234.5%");
  EXPECT_EQ(FormatNumber("85.7%"), "85.7%");
  EXPECT_EQ(FormatNumber("12345 m²"), "12,345 m²");
}

TEST(FormatNumber, LeavesTextThatIsNoNumberAlone) {
  EXPECT_EQ(FormatNumber(""), "");
  EXPECT_EQ(FormatNumber("—"), "—");
  EXPECT_EQ(FormatNumber("-"), "-");
  EXPECT_EQ(FormatNumber("abc 1234"), "abc 1234");
}

TEST(FormatNumber, FormatsAreasAndAmounts) {
  EXPECT_EQ(FormatNumber(Area::FromHundredths(123456)), "1,234.56");
  EXPECT_EQ(FormatNumber(Area::FromHundredths(5)), "0.05");
  EXPECT_EQ(FormatNumber(Money::FromHundredths(-100000000)), "-1,000,000.00");
}

TEST(FormatJsonNumber, GroupsStoredCountsAndAreas) {
  EXPECT_EQ(FormatJsonNumber(nlohmann::json(0)), "0");
  EXPECT_EQ(FormatJsonNumber(nlohmann::json(1234567)), "1,234,567");
  EXPECT_EQ(FormatJsonNumber(nlohmann::json(-4321)), "-4,321");
  EXPECT_EQ(FormatJsonNumber(nlohmann::json::parse("18446744073709551615")), "18,446,744,073,709,551,615");
  EXPECT_EQ(FormatJsonNumber(nlohmann::json("10800.00")), "10,800.00");
  EXPECT_EQ(FormatJsonNumber(nlohmann::json(nullptr)), "");
  EXPECT_EQ(FormatJsonNumber(nlohmann::json(true)), "true");
}

}  // namespace
}  // namespace ningju::web
