// The holiday calendar in effect and how a district admin enters next year's State Council notice (holidays and the
// weekend days made working days, 调休): in the site (/admin/holidays) or by `ningju holidays import FILE`.
//
// The calendar in effect is the base one (built in, or --holiday-file) with the years stored in the database
// (holiday_years) laid over it. HolidayService keeps a CalendarHolder up to date: Refresh() reads the version row
// and reloads only when it moved (one small SELECT), StartPolling() calls it on a thread of its own, and an import
// refreshes its own process at once. So every server sharing the database counts with the new year within one poll.
//
// Importing a year recomputes the working-day deadlines of the open cases that the year changes, in the transaction
// that stores it, with an audit record and a case event per moved case. A deadline's basis is what the case already
// stores: the lead assignment's assigned_at for its sign and reply deadlines (approved extensions included), and for
// the dispatch deadline of a case with no open assignment the later of submitted_at and its last assignment's
// ended_at (a return or reopen). A deadline that is not a working-day count from its basis under the old calendar
// (an hours limit) is left alone. The dry run (preview) computes the same moves and writes nothing.
//
// Thread-safety: thread-safe; `db`, `clock` and `holder` must outlive the service.
#ifndef NINGJU_GOVERNANCE_CASES_HOLIDAYS_H_
#define NINGJU_GOVERNANCE_CASES_HOLIDAYS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auth/roles.h"
#include "common/calendar.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::cases {

// The largest notice text accepted (a year is about 40 lines of 30 bytes).
inline constexpr size_t kMaxHolidayTextBytes = 64 * 1024;

// Seconds between a server's looks at the stored calendars' version (HolidayService::StartPolling).
inline constexpr int kHolidayPollSeconds = 30;

// One deadline of an open case that the imported years move.
struct DeadlineMove {
  int64_t case_id = 0;
  std::string deadline;  // "due_at" (the case's current deadline), "reply_due_at", "sign_due_at"
  Instant from;          // the deadline's basis
  Instant old_due;
  Instant new_due;
};

struct HolidayImport {
  std::vector<int> years;           // the years the text covers, ascending
  int holidays = 0;                 // days off listed
  int working_days = 0;             // weekend days made working days
  std::vector<DeadlineMove> moves;  // ordered by case id, then deadline
  bool stored = false;              // false for a dry run
};

// A year the calendar in effect covers and where it comes from.
struct HolidayYear {
  int year = 0;
  std::string source;  // "stored" or "built_in" (the base calendar: built in or --holiday-file)
  int holidays = 0;
  int working_days = 0;
  std::optional<Instant> stored_at;
};

class HolidayService {
 public:
  HolidayService(storage::Database& db, const Clock& clock, WorkingCalendar base, CalendarHolder& holder);
  ~HolidayService();  // stops the polling thread
  HolidayService(const HolidayService&) = delete;
  HolidayService& operator=(const HolidayService&) = delete;

  // Parses `text` (the data/holidays/cn.txt format; its `years` line names the years it covers, each of which is
  // this year or the next in Shanghai), and shows (dry_run) or stores the years with the deadlines they move.
  // kManageCalendar on the district (a root area): kUnauthenticated / kPermissionDenied. A malformed text,
  // another year or a text over kMaxHolidayTextBytes is kInvalidArgument.
  StatusOr<HolidayImport> Import(const auth::Principal& by, std::string_view text, bool dry_run);

  // The years the calendar in effect covers, ascending. Anyone may read them (the calendar is public).
  StatusOr<std::vector<HolidayYear>> Years();
  // OK when `by` may import (kManageCalendar on the district); the page asks before it shows the form.
  Status CheckManage(const auth::Principal& by);

  // Reloads the holder when the stored calendars changed since it was last read. Never holds a connection while
  // asking for another.
  Status Refresh();
  // Calls Refresh() every `every` on a thread until the service is destroyed.
  void StartPolling(std::chrono::milliseconds every);

  CalendarHolder& holder() { return holder_; }
  Instant Now() const { return clock_.Now(); }

 private:
  StatusOr<WorkingCalendar> LoadStored(storage::Connection& conn, std::vector<HolidayYear>* years) const;
  void StopPolling();

  storage::Database& db_;
  const Clock& clock_;
  const WorkingCalendar base_;
  CalendarHolder& holder_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread poller_;
};

// The `cn.txt` text of one year of `calendar`: "years 2027" and its listed days.
std::string FormatHolidayYear(const WorkingCalendar& calendar, int year);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_HOLIDAYS_H_
