#include "common/calendar.h"

#include <set>
#include <string>
#include <vector>

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

using Ranges = std::vector<std::pair<const char*, const char*>>;

// Every day of `year` against a State Council notice, written as the notice words it: ranges of days off and the
// weekend days worked. Returns the number of working days.
int ExpectYearAsNotice(int year, const Ranges& off, const std::set<std::string>& worked) {
  auto is_off = [&](std::chrono::sys_days d) {
    for (const auto& [from, to] : off) {
      if (d >= std::chrono::sys_days(D(from)) && d <= std::chrono::sys_days(D(to))) return true;
    }
    return false;
  };
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  const std::chrono::year y{year};
  int working = 0;
  for (std::chrono::sys_days d = y / 1 / 1; d <= std::chrono::sys_days(y / 12 / 31); d += std::chrono::days(1)) {
    const CivilDate date(d);
    const std::string text = FormatCivilDate(date);
    const unsigned weekday = std::chrono::weekday(d).iso_encoding();  // 1 Monday .. 7 Sunday
    const bool expected = worked.count(text) > 0 || (weekday <= 5 && !is_off(d));
    EXPECT_EQ(cal.IsWorkingDay(date), expected) << text;
    working += expected;
  }
  return working;
}

// 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）.
TEST(Calendar, Year2025IsTheNotice) {
  const Ranges off = {
      {"2025-01-01", "2025-01-01"},  // 元旦 1月1日（周三）放假1天，不调休
      {"2025-01-28", "2025-02-04"},  // 春节 1月28日（除夕、周二）至2月4日（周二）
      {"2025-04-04", "2025-04-06"},  // 清明节
      {"2025-05-01", "2025-05-05"},  // 劳动节
      {"2025-05-31", "2025-06-02"},  // 端午节
      {"2025-10-01", "2025-10-08"},  // 国庆节、中秋节
  };
  const std::set<std::string> worked = {"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"};
  EXPECT_EQ(ExpectYearAsNotice(2025, off, worked), 248);  // 261 weekdays - 18 weekdays off + 5 weekend days worked
}

// 国务院办公厅关于2026年部分节假日安排的通知（2025-11-04, published in full by Xinhua）.
TEST(Calendar, Year2026IsTheNotice) {
  const Ranges off = {
      {"2026-01-01", "2026-01-03"},  // 元旦 1月1日（周四）至3日（周六）
      {"2026-02-15", "2026-02-23"},  // 春节 2月15日（周日）至23日（周一）
      {"2026-04-04", "2026-04-06"},  // 清明节
      {"2026-05-01", "2026-05-05"},  // 劳动节
      {"2026-06-19", "2026-06-21"},  // 端午节
      {"2026-09-25", "2026-09-27"},  // 中秋节
      {"2026-10-01", "2026-10-07"},  // 国庆节
  };
  const std::set<std::string> worked = {"2026-01-04", "2026-02-14", "2026-02-28",
                                        "2026-05-09", "2026-09-20", "2026-10-10"};
  EXPECT_EQ(ExpectYearAsNotice(2026, off, worked), 248);  // 261 weekdays - 19 weekdays off + 6 weekend days worked
}

TEST(Calendar, MissingYearAsksForTheNextNoticeFromNovember) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();  // 2025 and 2026
  EXPECT_EQ(cal.MissingYear(D("2026-06-01")), std::nullopt);
  EXPECT_EQ(cal.MissingYear(D("2026-10-31")), std::nullopt);
  EXPECT_EQ(cal.MissingYear(D("2026-11-01")), 2027);
  EXPECT_EQ(cal.MissingYear(D("2026-12-01")), 2027);
  EXPECT_EQ(cal.MissingYear(D("2027-03-01")), 2027);
  EXPECT_EQ(cal.MissingYear(D("2025-12-15")), std::nullopt);
  EXPECT_EQ(WorkingCalendar().MissingYear(D("2026-06-01")), 2026);
}

TEST(Calendar, StoredYearsReplaceTheYearsTheyCover) {
  ASSERT_OK_AND_ASSIGN(WorkingCalendar next, WorkingCalendar::Parse("years 2027 2026\n"
                                                                    "2027-01-01 holiday 元旦\n"
                                                                    "2027-02-20 workday 春节调休\n"
                                                                    "2026-10-08 holiday 国庆节\n"));
  const WorkingCalendar merged = WorkingCalendar::BuiltIn().WithYearsOf(next);
  EXPECT_TRUE(merged.Covers(2025));
  EXPECT_TRUE(merged.Covers(2027));
  EXPECT_EQ(merged.MissingYear(D("2026-11-15")), std::nullopt);
  EXPECT_FALSE(merged.IsWorkingDay(D("2027-01-01")));
  EXPECT_TRUE(merged.IsWorkingDay(D("2027-02-20")));  // a Saturday made a working day
  EXPECT_EQ(merged.DayName(D("2027-02-20")), "春节调休");
  // 2026 now comes from the overlay: the built-in 国庆 days it does not list are plain days again.
  EXPECT_FALSE(merged.IsWorkingDay(D("2026-10-08")));
  EXPECT_TRUE(merged.IsWorkingDay(D("2026-10-07")));
  EXPECT_FALSE(WorkingCalendar::BuiltIn().IsWorkingDay(D("2026-10-07")));
  // 2025 is untouched.
  EXPECT_EQ(merged.DaysOf(2025).size(), WorkingCalendar::BuiltIn().DaysOf(2025).size());
  ASSERT_EQ(merged.DaysOf(2027).size(), 2u);
  EXPECT_EQ(merged.DaysOf(2027)[0].date, D("2027-01-01"));
  EXPECT_EQ(merged.DaysOf(2027)[1].name, "春节调休");
}

TEST(Calendar, WorkingDaysBetweenInvertsAddWorkingDays) {
  const WorkingCalendar& cal = WorkingCalendar::BuiltIn();
  const Instant from = Shanghai("2026-09-28", 15);
  for (int n : {1, 2, 5, 15}) {
    const Instant due = cal.AddWorkingDays(from, n);
    EXPECT_EQ(cal.WorkingDaysBetween(from, ShanghaiDate(due)), n) << n;
  }
  EXPECT_EQ(cal.WorkingDaysBetween(from, D("2026-09-28")), 0);
}

TEST(CalendarHolder, HandsOutTheLatestCalendar) {
  CalendarHolder holder(WorkingCalendar::BuiltIn());
  std::shared_ptr<const WorkingCalendar> before = holder.Get();
  EXPECT_FALSE(before->Covers(2027));
  ASSERT_OK_AND_ASSIGN(WorkingCalendar next, WorkingCalendar::Parse("years 2027\n2027-01-01 holiday 元旦\n"));
  holder.Set(before->WithYearsOf(next), 3);
  EXPECT_TRUE(holder.Get()->Covers(2027));
  EXPECT_EQ(holder.version(), 3);
  EXPECT_FALSE(before->Covers(2027));  // a caller's calendar does not change under it
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
