// Open311 times: ISO 8601 with the +08:00 offset out, the spec's w3 subset in.
#include "governance/cases/open311.h"

#include <gtest/gtest.h>

namespace ningju::cases {
namespace {

TEST(Open311Time, FormatsShanghaiWallTimeWithItsOffset) {
  EXPECT_EQ(FormatOpen311Time(FromUnix(1'780'000'000)), "2026-05-29T04:26:40+08:00");
  EXPECT_EQ(FormatOpen311Time(FromUnix(0)), "1970-01-01T08:00:00+08:00");
}

TEST(Open311Time, ParsesOffsetsZuluDatesAndFractions) {
  EXPECT_EQ(ParseOpen311Time("2026-05-29T04:26:40+08:00"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseOpen311Time("2026-05-28T20:26:40Z"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseOpen311Time("2026-05-28T15:26:40-05:00"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseOpen311Time("2026-05-28T15:26:40.250-0500"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseOpen311Time("2026-05-29T04:26:40"), FromUnix(1'780'000'000));  // no offset: Shanghai
  EXPECT_EQ(ParseOpen311Time("1994-11-05T08:15:30-05:00"), ParseOpen311Time("1994-11-05T13:15:30Z"));  // the spec's
  EXPECT_EQ(ParseOpen311Time("2026-05-29"), StartOfShanghaiDay(*ParseCivilDate("2026-05-29")));
}

TEST(Open311Time, RefusesMalformedTimes) {
  for (const char* bad :
       {"", "yesterday", "2026-13-01", "2026-05-29T25:00:00Z", "2026-05-29T04:26:40+8", "2026-05-29T04:26:40Zjunk",
        "2026-02-30T00:00:00Z", "2026-05-29T04:2", "2026-05-29T04:26:40."}) {
    EXPECT_FALSE(ParseOpen311Time(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ningju::cases
