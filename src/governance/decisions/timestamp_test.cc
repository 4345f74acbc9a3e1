#include "governance/decisions/timestamp.h"

#include <string>

#include "testing/status_matchers.h"

namespace ningju::decisions {
namespace {

using ::ningju::testing::StatusIs;

constexpr int64_t kMay1At02Utc = 1'777'600'800;  // 2026-05-01T02:00:00Z

TEST(Timestamp, ParsesOffsetsToTheSameInstant) {
  for (const char* text :
       {"2026-05-01T10:00:00+08:00", "2026-05-01T02:00:00Z", "2026-05-01T02:00:00z", "2026-05-01t02:00:00+00:00",
        "2026-04-30T21:00:00-05:00", "2026-05-01T02:00:00-00:00", "2026-05-01T07:45:00+05:45"}) {
    ASSERT_OK_AND_ASSIGN(Timestamp t, ParseTimestamp(text));
    EXPECT_EQ(t.unix_seconds, kMay1At02Utc) << text;
    EXPECT_EQ(t.nanos, 0) << text;
  }
}

TEST(Timestamp, ParsesFractionsOfASecond) {
  ASSERT_OK_AND_ASSIGN(Timestamp a, ParseTimestamp("2026-05-01T02:00:00.5Z"));
  EXPECT_EQ(a.nanos, 500'000'000);
  ASSERT_OK_AND_ASSIGN(Timestamp b, ParseTimestamp("2026-05-01T10:00:00.000000001+08:00"));
  EXPECT_EQ(b.unix_seconds, kMay1At02Utc);
  EXPECT_EQ(b.nanos, 1);
}

TEST(Timestamp, ComparesAsInstants) {
  // Lexically "09:00+08:00" sorts after "02:00Z", but it is an hour earlier.
  ASSERT_OK_AND_ASSIGN(Timestamp shanghai, ParseTimestamp("2026-05-01T09:00:00+08:00"));
  ASSERT_OK_AND_ASSIGN(Timestamp utc, ParseTimestamp("2026-05-01T02:00:00Z"));
  EXPECT_LT(shanghai, utc);
  ASSERT_OK_AND_ASSIGN(Timestamp same, ParseTimestamp("2026-05-01T10:00:00+08:00"));
  EXPECT_EQ(same, utc);
  ASSERT_OK_AND_ASSIGN(Timestamp a_bit_later, ParseTimestamp("2026-05-01T10:00:00.001+08:00"));
  EXPECT_LT(utc, a_bit_later);
}

TEST(Timestamp, HandlesCalendarEdges) {
  ASSERT_OK_AND_ASSIGN(Timestamp leap, ParseTimestamp("2028-02-29T00:00:00Z"));
  EXPECT_EQ(leap.unix_seconds, 1'835'395'200);
  ASSERT_OK_AND_ASSIGN(Timestamp new_year, ParseTimestamp("2027-01-01T07:59:59+08:00"));
  EXPECT_EQ(FormatTimestampUtc(new_year), "2026-12-31T23:59:59Z");
  ASSERT_OK_AND_ASSIGN(Timestamp epoch, ParseTimestamp("1970-01-01T08:00:00+08:00"));
  EXPECT_EQ(epoch.unix_seconds, 0);
  ASSERT_OK_AND_ASSIGN(Timestamp before, ParseTimestamp("1969-12-31T23:59:59Z"));
  EXPECT_EQ(before.unix_seconds, -1);
  EXPECT_EQ(FormatTimestampUtc(before), "1969-12-31T23:59:59Z");
}

TEST(Timestamp, FormatsInUtc) {
  EXPECT_EQ(FormatTimestampUtc(Timestamp{kMay1At02Utc, 0}), "2026-05-01T02:00:00Z");
  EXPECT_EQ(FormatTimestampUtc(Timestamp{kMay1At02Utc, 250'000'000}), "2026-05-01T02:00:00.25Z");
}

TEST(Timestamp, RejectsWhatNamesNoInstant) {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"2026-05-01T10:00:00", "a UTC offset such as +08:00 or Z is required"},
      {"2026-02-29T10:00:00+08:00", "no such date"},
      {"2026-13-01T10:00:00+08:00", "no such date"},
      {"2026-04-31T10:00:00+08:00", "no such date"},
      {"2026-05-00T10:00:00+08:00", "no such date"},
      {"2026-05-01T24:00:00+08:00", "no such time of day"},
      {"2026-05-01T10:60:00+08:00", "no such time of day"},
      {"2026-05-01T23:59:60Z", "no such time of day"},
      {"2026-05-01T10:00:00+24:00", "no such offset"},
      {"2026-05-01T10:00:00+08:60", "no such offset"},
      {"2026-05-01T10:00:00+0800", "expected an offset such as +08:00 or Z"},
      {"2026-05-01T10:00:00+8:00", "expected an offset such as +08:00 or Z"},
      {"2026-05-01T10:00:00.Z", "a digit is needed after the decimal point"},
      {"2026-05-01T10:00:00.1234567890Z", "at most nine digits of a second"},
      {"2026-05-01 10:00:00+08:00", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
      {"2026-5-1T10:00:00+08:00", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
      {"2026-05-01T10:00+08:00", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
      {"2026-05-01", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
      {"2026-05-01T10:00:00+08:00 ", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
      {"2026-05-01T10:00:00Zx", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
      {"", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
      {"1777600800", "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z"},
  };
  for (const Case& c : cases) {
    StatusOr<Timestamp> t = ParseTimestamp(c.text);
    EXPECT_THAT(t, StatusIs(StatusCode::kInvalidArgument)) << c.text;
    EXPECT_EQ(t.status().message(), "bad timestamp \"" + std::string(c.text) + "\" (" + c.why + ")");
  }
}

}  // namespace
}  // namespace ningju::decisions
