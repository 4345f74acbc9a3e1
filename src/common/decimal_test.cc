#include "common/decimal.h"

#include <limits>
#include <string>
#include <type_traits>

#include "testing/status_matchers.h"

namespace ningju {
namespace {

using ::ningju::testing::StatusIs;

TEST(Decimal, ParsesUpToTwoDecimals) {
  ASSERT_OK_AND_ASSIGN(Area a, Area::Parse("65.4"));
  EXPECT_EQ(a.hundredths(), 6540);
  ASSERT_OK_AND_ASSIGN(Area b, Area::Parse("65.40"));
  EXPECT_EQ(b.hundredths(), 6540);
  ASSERT_OK_AND_ASSIGN(Area c, Area::Parse("65"));
  EXPECT_EQ(c.hundredths(), 6500);
  ASSERT_OK_AND_ASSIGN(Area d, Area::Parse("0.05"));
  EXPECT_EQ(d.hundredths(), 5);
  ASSERT_OK_AND_ASSIGN(Area e, Area::Parse("0"));
  EXPECT_EQ(e.hundredths(), 0);
  ASSERT_OK_AND_ASSIGN(Area f, Area::Parse("007.10"));
  EXPECT_EQ(f.hundredths(), 710);
}

TEST(Decimal, FormatsWithTwoDecimals) {
  EXPECT_EQ(Area::FromHundredths(6540).ToString(), "65.40");
  EXPECT_EQ(Area::FromHundredths(6500).ToString(), "65.00");
  EXPECT_EQ(Area::FromHundredths(5).ToString(), "0.05");
  EXPECT_EQ(Area::FromHundredths(0).ToString(), "0.00");
  EXPECT_EQ(Area::FromHundredths(-5).ToString(), "-0.05");
  EXPECT_EQ(Money::FromHundredths(-12345).ToString(), "-123.45");
  EXPECT_EQ(Area::Max().ToString(), "92233720368547758.07");
  EXPECT_EQ(Area::FromHundredths(std::numeric_limits<int64_t>::min()).ToString(), "-92233720368547758.08");
}

TEST(Decimal, RoundTripsThroughText) {
  for (const char* text : {"0.00", "0.01", "0.10", "1.00", "65.40", "99999.99", "92233720368547758.07"}) {
    ASSERT_OK_AND_ASSIGN(Area a, Area::Parse(text));
    EXPECT_EQ(a.ToString(), text);
  }
}

TEST(Decimal, RejectsMalformedTextNamingTheProblem) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"-1", "negative area \"-1\""},
      {"-0.50", "negative area \"-0.50\""},
      {"1.234", "malformed area \"1.234\" (at most two decimals)"},
      {"1e3", "malformed area \"1e3\" (only digits and one decimal point)"},
      {" 1", "malformed area \" 1\" (only digits and one decimal point)"},
      {"1 ", "malformed area \"1 \" (only digits and one decimal point)"},
      {"+1", "malformed area \"+1\" (only digits and one decimal point)"},
      {"1,5", "malformed area \"1,5\" (only digits and one decimal point)"},
      {"1.2.3", "malformed area \"1.2.3\" (only digits and one decimal point)"},
      {"abc", "malformed area \"abc\" (only digits and one decimal point)"},
      {"-", "malformed area \"-\" (only digits and one decimal point)"},
      {"", "malformed area \"\" (empty)"},
      {".5", "malformed area \".5\" (a digit is needed before the decimal point)"},
      {"5.", "malformed area \"5.\" (a digit is needed after the decimal point)"},
      {"６５", "malformed area \"６５\" (only digits and one decimal point)"},  // full-width digits
      {"1\n", "malformed area \"1\\x0a\" (only digits and one decimal point)"},
      {"\"1\"", "malformed area \"\\\"1\\\"\" (only digits and one decimal point)"},
  };
  for (const Case& c : cases) {
    StatusOr<Area> a = Area::Parse(c.text);
    EXPECT_THAT(a, StatusIs(StatusCode::kInvalidArgument)) << c.text;
    EXPECT_EQ(a.status().message(), c.message);
  }
}

TEST(Decimal, NamesTheQuantityOfItsKind) {
  EXPECT_EQ(Money::Parse("1.234").status().message(), "malformed amount \"1.234\" (at most two decimals)");
}

TEST(Decimal, RejectsOverflow) {
  ASSERT_OK(Area::Parse("92233720368547758.07"));
  for (const char* text : {"92233720368547758.08", "92233720368547759", "100000000000000000000000000"}) {
    StatusOr<Area> a = Area::Parse(text);
    EXPECT_THAT(a, StatusIs(StatusCode::kOutOfRange)) << text;
  }
  EXPECT_EQ(Area::Parse("92233720368547758.08").status().message(),
            "area \"92233720368547758.08\" is too large (at most 92233720368547758.07)");
}

TEST(Decimal, QuotesLongTextShortened) {
  const std::string text(100, '9');
  EXPECT_EQ(Area::Parse(text + "x").status().message(),
            "malformed area \"" + std::string(40, '9') + "...\" (only digits and one decimal point)");
  // The cut never splits a UTF-8 sequence: 39 ASCII bytes, then 长 (3 bytes) straddling the 40-byte limit.
  const std::string cjk = std::string(39, '1') + "长长";
  EXPECT_EQ(Area::Parse(cjk).status().message(),
            "malformed area \"" + std::string(39, '1') + "...\" (only digits and one decimal point)");
}

TEST(Decimal, AddsAndComparesExactly) {
  const Area a = Area::FromHundredths(6540);
  const Area b = Area::FromHundredths(1);
  EXPECT_EQ((a + b).hundredths(), 6541);
  EXPECT_EQ((a - b).hundredths(), 6539);
  Area sum;
  for (int i = 0; i < 10; ++i) sum += Area::FromHundredths(10);  // 0.10 ten times is exactly 1.00
  EXPECT_EQ(sum, Area::FromHundredths(100));
  EXPECT_LT(b, a);
  EXPECT_GT(a, b);
  EXPECT_LE(a, a);
  EXPECT_NE(a, b);
}

TEST(Decimal, CheckedAddReportsOverflow) {
  EXPECT_EQ(Area::Max().CheckedAdd(Area::FromHundredths(1)), std::nullopt);
  EXPECT_EQ(Area::Max().CheckedAdd(Area()), Area::Max());
  EXPECT_EQ(Area::FromHundredths(1).CheckedAdd(Area::FromHundredths(2)), Area::FromHundredths(3));
}

template <typename A, typename B>
concept Addable = requires(A a, B b) {
  a + b;
};
template <typename A, typename B>
concept Comparable = requires(A a, B b) {
  a < b;
};

TEST(Decimal, AreaAndMoneyDoNotMix) {
  static_assert(Addable<Area, Area>);
  static_assert(!Addable<Area, Money>);
  static_assert(!Comparable<Area, Money>);
  static_assert(!std::is_convertible_v<Area, Money>);
  static_assert(!std::is_convertible_v<int64_t, Area>);
  static_assert(std::is_trivially_copyable_v<Area>);
}

}  // namespace
}  // namespace ningju
