#include "common/time.h"

#include <stdlib.h>
#include <time.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace ningju {
namespace {

using ::ningju::testing::StatusIs;

constexpr int64_t kMay1At02Utc = 1'777'600'800;  // 2026-05-01T02:00:00Z
constexpr int64_t kMay1At00Utc = 1'777'593'600;  // 2026-05-01T00:00:00Z = 08:00 Shanghai

CivilDate D(const char* text) { return *ParseCivilDate(text); }

// Sets the process's time zone (TZ + tzset) for the life of the object and puts the old one back.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = getenv("TZ")) old_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

// The host's UTC offset at `t` in hours, as localtime sees it.
long HostOffsetHours(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  localtime_r(&tt, &tm);
  return tm.tm_gmtoff / 3600;
}

// Everything the module formats and parses, as one text to compare between host zones.
std::string Everything() {
  std::string out;
  for (int64_t t : {int64_t{0}, int64_t{-1}, kMay1At00Utc, kMay1At02Utc, kMay1At00Utc - 1, int64_t{1'798'732'799}}) {
    const Instant i = FromUnix(t);
    out += FormatUtc(i) + "|" + FormatUtcBasic(i) + "|" + FormatShanghai(i) + "|" + FormatShanghaiDate(i) + "|" +
           FormatShanghaiClock(i) + "|" + FormatShanghaiIso(i) + "|" + FormatCivilDate(ShanghaiDate(i)) + "|" +
           std::to_string(ToUnix(StartOfShanghaiDay(ShanghaiDate(i)))) + "|" +
           std::to_string(ToUnix(EndOfShanghaiDay(ShanghaiDate(i)))) + "\n";
  }
  for (const char* text :
       {"2026-05-01", "2026-05-01T10:00", "2026-05-01 10:00:30", "2026-05-01T02:00:00Z", "2026-04-30T21:00:00-05:00"}) {
    out += std::to_string(ToUnix(*ParseShanghaiDateTime(text))) + "\n";
  }
  out += std::to_string(ToUnix(*ParseShanghaiTime("2026-05-01", "10:00", "at"))) + "\n";
  out += std::to_string(ParseTimestamp("2026-05-01T10:00:00+08:00")->unix_seconds) + "\n";
  return out;
}

TEST(TimeZone, TheHostZoneChangesNothing) {
  std::string utc;
  {
    ScopedTimeZone zone("UTC");
    ASSERT_EQ(HostOffsetHours(kMay1At00Utc), 0);
    utc = Everything();
  }
  for (const char* name : {"Asia/Shanghai", "America/New_York"}) {
    ScopedTimeZone zone(name);
    // The zone really took effect (tzdata is installed): else this test would prove nothing.
    ASSERT_NE(HostOffsetHours(kMay1At00Utc), 0) << name << ": is tzdata installed?";
    EXPECT_EQ(Everything(), utc) << name;
  }
}

TEST(TimeZone, MidnightUtcIsMidnightOnAShanghaiHost) {
  // fmt 9 formatted a time_point through localtime: on this host FormatUtc printed 08:00 for midnight UTC.
  ScopedTimeZone zone("Asia/Shanghai");
  ASSERT_EQ(HostOffsetHours(kMay1At00Utc), 8);
  EXPECT_EQ(FormatUtc(FromUnix(kMay1At00Utc)), "2026-05-01T00:00:00Z");
  EXPECT_EQ(FormatUtcBasic(FromUnix(kMay1At00Utc)), "20260501T000000Z");
  EXPECT_EQ(FormatShanghai(FromUnix(kMay1At00Utc)), "2026-05-01 08:00");
  EXPECT_EQ(FormatShanghaiClock(FromUnix(kMay1At00Utc)), "08:00");
  EXPECT_EQ(FormatShanghaiDate(FromUnix(kMay1At00Utc - 8 * 3600 - 1)), "2026-04-30");
  EXPECT_EQ(FormatShanghaiDate(FromUnix(kMay1At00Utc - 8 * 3600)), "2026-05-01");
}

TEST(TimeZone, NewYorkHostInDaylightSavingTime) {
  // 2026-07-01 is in daylight saving time in New York (UTC-4): a second offset the code must not pick up.
  ScopedTimeZone zone("America/New_York");
  const Instant july = StartOfShanghaiDay(D("2026-07-01"));
  ASSERT_EQ(HostOffsetHours(ToUnix(july)), -4);
  EXPECT_EQ(FormatUtc(july), "2026-06-30T16:00:00Z");
  EXPECT_EQ(FormatShanghai(july), "2026-07-01 00:00");
  EXPECT_EQ(ShanghaiDate(july), D("2026-07-01"));
}

TEST(TimeZone, NoSourceFormatsATimeThroughFmtChrono) {
  // fmt 9's "{:%H}" on a time_point goes through localtime: every time is formatted by this module instead.
  const char* env = std::getenv("NINGJU_SOURCE_DIR");
  const std::filesystem::path src = std::filesystem::path(env ? env : NINGJU_SOURCE_DIR_FALLBACK) / "src";
  ASSERT_TRUE(std::filesystem::is_directory(src)) << src;
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".cc" && ext != ".h") continue;
    if (entry.path().filename() == "time_test.cc") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    ++files;
    for (const char* bad : {"{:%", "localtime", "std::strftime", "put_time", "mktime("}) {
      EXPECT_EQ(text.str().find(bad), std::string::npos) << entry.path() << " uses " << bad;
    }
  }
  EXPECT_GT(files, 50);
}

TEST(Time, FormatsUtcAndShanghai) {
  const Instant t = FromUnix(kMay1At02Utc);
  EXPECT_EQ(FormatUtc(t), "2026-05-01T02:00:00Z");
  EXPECT_EQ(FormatUtcBasic(t), "20260501T020000Z");
  EXPECT_EQ(FormatShanghai(t), "2026-05-01 10:00");
  EXPECT_EQ(FormatShanghaiDate(t), "2026-05-01");
  EXPECT_EQ(FormatShanghaiClock(t), "10:00");
  EXPECT_EQ(FormatShanghaiIso(FromUnix(1'780'000'000)), "2026-05-29T04:26:40+08:00");
  EXPECT_EQ(FormatShanghaiIso(FromUnix(0)), "1970-01-01T08:00:00+08:00");
  EXPECT_EQ(FormatUtc(FromUnix(-1)), "1969-12-31T23:59:59Z");
}

TEST(Time, ShanghaiDaysStartAtSixteenHundredUtc) {
  EXPECT_EQ(ShanghaiDate(FromUnix(1777651200)), D("2026-05-02"));
  EXPECT_EQ(ShanghaiDate(FromUnix(1777651199)), D("2026-05-01"));
  EXPECT_EQ(FormatUtc(StartOfShanghaiDay(D("2026-05-02"))), "2026-05-01T16:00:00Z");
  EXPECT_EQ(FormatUtc(EndOfShanghaiDay(D("2026-05-01"))), "2026-05-01T15:59:59Z");
  EXPECT_EQ(ShanghaiDate(FromUnix(-1)), D("1970-01-01"));  // 07:59:59 Shanghai
}

TEST(Time, CivilDatesCompareAsDates) {
  // As strings "2026-10-01" < "2026-9-30" would hold; as dates it is the other way round.
  EXPECT_LT(D("2026-09-30"), D("2026-10-01"));
  EXPECT_LT(D("2026-12-31"), D("2027-01-01"));
  EXPECT_EQ(AddDays(D("2026-12-31"), 1), D("2027-01-01"));
  EXPECT_EQ(AddDays(D("2028-03-01"), -1), D("2028-02-29"));
  EXPECT_EQ(FormatCivilDate(D("2026-02-03")), "2026-02-03");
}

TEST(Time, ParsesCivilDates) {
  for (const char* bad : {"", "2026-2-03", "2026-02-30", "2026-13-01", "2026/02/03", "2026-02-03 ", "abcd-ef-gh"}) {
    EXPECT_FALSE(ParseCivilDate(bad).has_value()) << bad;
    StatusOr<CivilDate> d = ParseCivilDate(bad, "done_on");
    EXPECT_THAT(d, StatusIs(StatusCode::kInvalidArgument)) << bad;
    EXPECT_EQ(d.status().message(), "bad date \"" + std::string(bad) + "\" (YYYY-MM-DD)");
  }
  ASSERT_OK_AND_ASSIGN(CivilDate leap, ParseCivilDate("2028-02-29", "d"));
  EXPECT_EQ(leap, (CivilDate{std::chrono::year(2028), std::chrono::February, std::chrono::day(29)}));
}

TEST(Time, ParsesShanghaiDateTimes) {
  EXPECT_EQ(ParseShanghaiDateTime("2026-05-29T04:26:40+08:00"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseShanghaiDateTime("2026-05-28T20:26:40Z"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseShanghaiDateTime("2026-05-28T15:26:40-05:00"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseShanghaiDateTime("2026-05-28T15:26:40.250-0500"), FromUnix(1'780'000'000));
  EXPECT_EQ(ParseShanghaiDateTime("2026-05-29T04:26:40"), FromUnix(1'780'000'000));  // no offset: Shanghai
  EXPECT_EQ(ParseShanghaiDateTime("2026-05-29 04:26"), FromUnix(1'780'000'000 - 40));
  EXPECT_EQ(ParseShanghaiDateTime("1994-11-05T08:15:30-05:00"), ParseShanghaiDateTime("1994-11-05T13:15:30Z"));
  EXPECT_EQ(ParseShanghaiDateTime("2026-05-29"), StartOfShanghaiDay(D("2026-05-29")));
  for (const char* bad :
       {"", "yesterday", "2026-13-01", "2026-05-29T25:00:00Z", "2026-05-29T04:26:40+8", "2026-05-29T04:26:40Zjunk",
        "2026-02-30T00:00:00Z", "2026-05-29T04:2", "2026-05-29T04:26:40.", "2026-05-29T04:26:40+15:00"}) {
    EXPECT_FALSE(ParseShanghaiDateTime(bad).has_value()) << bad;
  }
}

TEST(Time, ParsesShanghaiDateAndTimeFields) {
  ASSERT_OK_AND_ASSIGN(Instant at, ParseShanghaiTime("2026-05-01", "10:00", "starts_at"));
  EXPECT_EQ(at, FromUnix(kMay1At02Utc));
  ASSERT_OK_AND_ASSIGN(Instant with_seconds, ParseShanghaiTime(" 2026-05-01 ", "10:00:30", "starts_at"));
  EXPECT_EQ(with_seconds, FromUnix(kMay1At02Utc + 30));
  StatusOr<Instant> bad = ParseShanghaiTime("2026-05-01", "25:00", "starts_at");
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad.status().message(), "give the date as YYYY-MM-DD and the time as HH:MM, not \"2026-05-01 25:00\"");
}

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
}  // namespace ningju
