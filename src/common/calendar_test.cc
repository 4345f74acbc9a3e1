#include "common/calendar.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace ningju {
namespace {

using ::ningju::testing::StatusIs;

CivilDate D(const char* text) { return *ParseCivilDate(text); }
// An instant given in Shanghai wall time: "2026-02-13 09:30".
Instant Shanghai(const char* date, int hour, int minute = 0) {
  return StartOfShanghaiDay(D(date)) + std::chrono::hours(hour) + std::chrono::minutes(minute);
}

TEST(Calendar, BuiltInCoversTheYearsOfTheFile) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  EXPECT_TRUE(cal.Covers(2025));
  EXPECT_TRUE(cal.Covers(2026));
  EXPECT_FALSE(cal.Covers(2027));
}

TEST(Calendar, WeekendsHolidaysAndAdjustedWorkingDays) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  EXPECT_TRUE(cal.IsWorkingDay(D("2026-03-06")));   // Friday
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-03-07")));  // Saturday
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-03-08")));  // Sunday
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-02-16")));  // 春节, a Monday
  EXPECT_EQ(cal.DayName(D("2026-02-16")), "春节");
  EXPECT_TRUE(cal.IsWorkingDay(D("2026-02-14")));  // Saturday made a working day
  EXPECT_EQ(cal.DayName(D("2026-02-14")), "春节调休");
  EXPECT_TRUE(cal.IsWorkingDay(D("2025-01-26")));   // a Sunday made a working day
  EXPECT_FALSE(cal.IsWorkingDay(D("2025-10-08")));  // 国庆节、中秋节, a Wednesday
  EXPECT_TRUE(cal.IsWorkingDay(D("2026-10-10")));   // Saturday made a working day
  EXPECT_FALSE(cal.IsWorkingDay(D("2026-10-01")));
  // Outside the file's years: plain weekends only.
  EXPECT_TRUE(cal.IsWorkingDay(D("2030-10-01")));  // a Tuesday; the 2030 holidays are unknown here
  EXPECT_FALSE(cal.IsWorkingDay(D("2030-10-05")));
}

TEST(Calendar, ShanghaiDayIsUtcPlusEight) {
  // 2026-03-05T15:59:59Z is Thursday 23:59:59 in Shanghai; one second later it is Friday.
  EXPECT_EQ(ShanghaiDate(FromUnix(1772726399)), D("2026-03-05"));
  EXPECT_EQ(ShanghaiDate(FromUnix(1772726400)), D("2026-03-06"));
  EXPECT_EQ(FormatUtc(EndOfShanghaiDay(D("2026-03-06"))), "2026-03-06T15:59:59Z");
}

TEST(Calendar, DayCountsStartTheDayAfterReceipt) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  // Received Monday morning: one working day ends Tuesday night, not Monday night.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-03-09", 9), 1), EndOfShanghaiDay(D("2026-03-10")));
  // Received a minute before midnight or a minute after makes a day's difference.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-03-05", 23, 59), 1), EndOfShanghaiDay(D("2026-03-06")));
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-03-06", 0, 1), 1), EndOfShanghaiDay(D("2026-03-09")));
  // n = 0: the end of the day of receipt.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-03-07", 12), 0), EndOfShanghaiDay(D("2026-03-07")));
}

TEST(Calendar, WorkingDaysSkipWeekends) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  // Friday + 1 = Monday; Friday + 5 = the next Friday.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-03-06", 16), 1), EndOfShanghaiDay(D("2026-03-09")));
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-03-06", 16), 5), EndOfShanghaiDay(D("2026-03-13")));
  // Received on a Saturday: the count starts on Sunday, the first working day is Monday.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-03-07", 10), 1), EndOfShanghaiDay(D("2026-03-09")));
}

TEST(Calendar, WorkingDaysAcrossTheSpringFestivalAndItsAdjustedSaturday) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  // Friday 2026-02-13: the next working day is Saturday the 14th (调休).
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-02-13", 10), 1), EndOfShanghaiDay(D("2026-02-14")));
  // From Saturday the 14th: 15th..23rd are the holiday, the next working day is Tuesday the 24th.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-02-14", 10), 1), EndOfShanghaiDay(D("2026-02-24")));
  // Thursday the 12th + 5: 13, 14, 24, 25, 26.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-02-12", 10), 5), EndOfShanghaiDay(D("2026-02-26")));
  // Received during the holiday: 24, 25, 26, 27, then Saturday the 28th (调休).
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-02-18", 10), 5), EndOfShanghaiDay(D("2026-02-28")));
}

TEST(Calendar, FifteenWorkingDaysAcrossNationalDay) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  // From Wednesday 2026-09-30: Oct 1-7 off; 8, 9, 10 (Saturday 调休), 12..16, 19..23, 26, 27.
  EXPECT_EQ(cal.AddWorkingDays(Shanghai("2026-09-30", 15), 15), EndOfShanghaiDay(D("2026-10-27")));
}

TEST(Calendar, HoursRunThroughNightsAndHolidays) {
  Instant t = Shanghai("2026-02-15", 23, 30);
  EXPECT_EQ(WorkingCalendar::AddHours(t, 1), Shanghai("2026-02-16", 0, 30));
  EXPECT_EQ(WorkingCalendar::AddHours(t, 24), Shanghai("2026-02-16", 23, 30));
}

TEST(Calendar, ParseRefusesBadLinesByNumber) {
  auto bad_kind = WorkingCalendar::Parse("years 2026\n2026-02-16 vacation 春节\n");
  EXPECT_THAT(bad_kind, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad_kind.status().field(), "line 2");
  auto weekday_workday = WorkingCalendar::Parse("2026-02-16 workday x\n");  // a Monday
  EXPECT_THAT(weekday_workday, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(WorkingCalendar::Parse("2026-02-16 holiday a\n2026-02-16 holiday b\n"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(WorkingCalendar::Parse("years 2025\n2026-02-16 holiday a\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(WorkingCalendar::Parse("2026-02-30 holiday a\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(WorkingCalendar::Load("/nonexistent/holidays.txt"), StatusIs(StatusCode::kNotFound));
}

TEST(Calendar, ParseWithoutYearsCoversTheYearsListed) {
  ASSERT_OK_AND_ASSIGN(WorkingCalendar cal,
                       WorkingCalendar::Parse("# comment\n\n2031-01-01 holiday 元旦  # trailing\n"));
  EXPECT_TRUE(cal.Covers(2031));
  EXPECT_FALSE(cal.Covers(2030));
  EXPECT_FALSE(cal.IsWorkingDay(D("2031-01-01")));
  EXPECT_EQ(cal.DayName(D("2031-01-01")), "元旦");
}

}  // namespace
}  // namespace ningju
