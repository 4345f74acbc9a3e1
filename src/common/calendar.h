// The working-day calendar of mainland China for deadlines: weekends, public holidays, and the weekend days made
// working days by the holiday schedule (调休). The holidays come from a data file (data/holidays/cn.txt, built into
// the binary; a deployment may load a newer file) that names the years it covers; a date outside those years falls
// back to plain weekends, and Covers() says so.
//
// Deadlines count in Asia/Shanghai civil days (UTC+8, no daylight saving). "Day counts start the day after receipt":
// AddWorkingDays(t, n) is the end (23:59:59 Shanghai) of the n-th working day after the Shanghai day of t.
//
// Thread-safety: immutable after construction; every method is const.
#ifndef NINGJU_COMMON_CALENDAR_H_
#define NINGJU_COMMON_CALENDAR_H_

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace ningju {

using CivilDate = std::chrono::year_month_day;

// The Shanghai civil date of an instant.
CivilDate ShanghaiDate(Instant t);
// The first instant (00:00:00 Shanghai) of a civil date.
Instant StartOfShanghaiDay(CivilDate d);
// The last second (23:59:59 Shanghai) of a civil date.
Instant EndOfShanghaiDay(CivilDate d);
// "2026-02-14" (nullopt when malformed or not a real date).
std::optional<CivilDate> ParseCivilDate(std::string_view text);
std::string FormatCivilDate(CivilDate d);

class WorkingCalendar {
 public:
  // Plain weekends, no holidays, no years covered.
  WorkingCalendar() = default;

  // Parses the file format (see data/holidays/cn.txt): `years Y1 Y2 ...` declares the years covered (else the
  // years of the dates listed), then `YYYY-MM-DD holiday|workday NAME` lines; '#' starts a comment. A malformed
  // line, a date outside the declared years, a `workday` that is not a Saturday or Sunday, or a
  // date listed twice is kInvalidArgument naming the line.
  static StatusOr<WorkingCalendar> Parse(std::string_view text);
  // Reads and parses a file; kNotFound when it cannot be read.
  static StatusOr<WorkingCalendar> Load(const std::string& path);
  // The calendar built into the binary from data/holidays/cn.txt.
  static const WorkingCalendar& BuiltIn();

  // True on Monday..Friday unless a holiday, and on a weekend day made a working day.
  bool IsWorkingDay(CivilDate d) const;
  // "春节" for a holiday, "春节调休" for an adjusted working day, "" otherwise.
  std::string DayName(CivilDate d) const;
  // Whether the file covers `year`; outside, IsWorkingDay knows only weekends.
  bool Covers(int year) const { return years_.count(year) > 0; }
  const std::set<int>& years() const { return years_; }
  // The year a deployment should already have and does not: `today`'s year, or from December 1 the next year too
  // (deadlines then run into it; the State Council publishes each year's notice in November or December). nullopt
  // when both are covered.
  std::optional<int> MissingYear(CivilDate today) const;

  // The end (23:59:59 Shanghai) of the n-th working day after the Shanghai day of `received`; n <= 0 gives the end
  // of the day of receipt itself.
  Instant AddWorkingDays(Instant received, int n) const;
  // `start` plus `hours` hours of wall time (limits in hours run through nights and holidays).
  static Instant AddHours(Instant start, int hours) { return start + std::chrono::hours(hours); }

 private:
  std::set<int> years_;
  std::map<int, std::pair<bool, std::string>> days_;  // days since epoch -> (is working day, name)
};

}  // namespace ningju

#endif  // NINGJU_COMMON_CALENDAR_H_
