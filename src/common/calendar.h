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
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace ningju {

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
  // The year a deployment should already have and does not: `today`'s year, or from November 1 the next year too
  // (deadlines then run into it; the State Council publishes each year's notice in November or December). nullopt
  // when both are covered. The one rule behind the warning at server start and on the staff home page.
  std::optional<int> MissingYear(CivilDate today) const;

  // This calendar with the years `overlay` covers taken from `overlay` (its days replace this calendar's days of
  // those years); the other years stay as they are.
  WorkingCalendar WithYearsOf(const WorkingCalendar& overlay) const;
  // The days this calendar lists in `year`, in date order: (date, is working day, name).
  struct ListedDay {
    CivilDate date;
    bool working = false;
    std::string name;
  };
  std::vector<ListedDay> DaysOf(int year) const;
  // The number of working days after the Shanghai day of `from` up to and including `last` (0 when `last` is not
  // after it): the n with AddWorkingDays(from, n) ending on `last` when `last` is a working day.
  int WorkingDaysBetween(Instant from, CivilDate last) const;

  // The end (23:59:59 Shanghai) of the n-th working day after the Shanghai day of `received`; n <= 0 gives the end
  // of the day of receipt itself.
  Instant AddWorkingDays(Instant received, int n) const;
  // `start` plus `hours` hours of wall time (limits in hours run through nights and holidays).
  static Instant AddHours(Instant start, int hours) { return start + std::chrono::hours(hours); }

 private:
  std::set<int> years_;
  std::map<int, std::pair<bool, std::string>> days_;  // days since epoch -> (is working day, name)
};

// The calendar in effect, shared by the services that count deadlines and replaced when a year is stored (a new
// State Council notice takes effect without a restart). Get() hands out the current calendar; a caller keeps it
// for the length of one action, so an action never mixes two calendars.
//
// Thread-safety: every method may be called from any thread.
class CalendarHolder {
 public:
  explicit CalendarHolder(WorkingCalendar initial)
      : current_(std::make_shared<const WorkingCalendar>(std::move(initial))) {}
  CalendarHolder(const CalendarHolder&) = delete;
  CalendarHolder& operator=(const CalendarHolder&) = delete;

  std::shared_ptr<const WorkingCalendar> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  // The version of the stored calendars `Get()` reflects (0 before any was read).
  int64_t version() const {
    std::lock_guard<std::mutex> lock(mu_);
    return version_;
  }
  void Set(WorkingCalendar calendar, int64_t version) {
    auto next = std::make_shared<const WorkingCalendar>(std::move(calendar));
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next);
    version_ = version;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const WorkingCalendar> current_;
  int64_t version_ = 0;
};

}  // namespace ningju

#endif  // NINGJU_COMMON_CALENDAR_H_
