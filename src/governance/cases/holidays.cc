#include "governance/cases/holidays.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "auth/policy.h"
#include "record/record.h"

namespace ningju::cases {
namespace {

using storage::Connection;
using storage::Row;

// The calendar belongs to the whole deployment: a district admin's grant on a top area (the district) carries it.
Status AuthorizeCalendar(Connection& conn, const auth::Principal& by) {
  ASSIGN_OR_RETURN(storage::Result roots, conn.Execute("SELECT id FROM areas WHERE parent_id IS NULL ORDER BY id"));
  Status last = roots.rows.empty() ? auth::policy::Require(conn, by, auth::policy::Action::kManageCalendar,
                                                           auth::policy::Subject::Area(0))
                                   : Status(OkStatus());
  for (const Row& root : roots.rows) {
    last = auth::policy::Require(conn, by, auth::policy::Action::kManageCalendar,
                                 auth::policy::Subject::Area(root.Int(0)));
    if (last.ok()) return last;
  }
  return last;
}

// The deadline `due` counted from `from` moved to the new calendar, or nullopt when it does not move or is not a
// working-day count from `from` under the old calendar (an hours limit, or a deadline set by hand).
std::optional<Instant> Moved(const WorkingCalendar& old_cal, const WorkingCalendar& new_cal, Instant from,
                             Instant due) {
  const CivilDate last = ShanghaiDate(due);
  if (due != EndOfShanghaiDay(last)) return std::nullopt;
  const int n = old_cal.WorkingDaysBetween(from, last);
  if (n < 1 || old_cal.AddWorkingDays(from, n) != due) return std::nullopt;
  const Instant moved = new_cal.AddWorkingDays(from, n);
  if (moved == due) return std::nullopt;
  return moved;
}

StatusOr<std::vector<DeadlineMove>> FindMoves(Connection& tx, const WorkingCalendar& old_cal,
                                              const WorkingCalendar& new_cal, Instant since) {
  std::vector<DeadlineMove> out;
  // Deadlines before the first changed year count no day of it: only later ones can move.
  const int64_t after = ToUnix(since);
  ASSIGN_OR_RETURN(storage::Result lead,
                   tx.Execute("SELECT a.case_id, a.assigned_at, a.sign_due_at, a.signed_at, a.reply_due_at, "
                              "a.replied_at FROM case_assignments a JOIN cases c ON c.id = a.case_id WHERE a.role = "
                              "'lead' AND a.ended_at IS NULL AND c.closed_at IS NULL AND ((a.signed_at IS NULL AND "
                              "a.sign_due_at >= ?) OR (a.replied_at IS NULL AND a.reply_due_at >= ?)) ORDER BY "
                              "a.case_id",
                              {after, after}));
  for (const Row& r : lead.rows) {
    const Instant from = FromUnix(r.Int(1));
    if (!r.IsNull(2) && r.IsNull(3)) {
      if (auto to = Moved(old_cal, new_cal, from, FromUnix(r.Int(2)))) {
        out.push_back({r.Int(0), "sign_due_at", from, FromUnix(r.Int(2)), *to});
      }
    }
    if (!r.IsNull(4) && r.IsNull(5)) {
      if (auto to = Moved(old_cal, new_cal, from, FromUnix(r.Int(4)))) {
        out.push_back({r.Int(0), "reply_due_at", from, FromUnix(r.Int(4)), *to});
      }
    }
  }
  ASSIGN_OR_RETURN(storage::Result waiting,
                   tx.Execute("SELECT c.id, c.submitted_at, c.due_at, (SELECT MAX(a.ended_at) FROM case_assignments "
                              "a WHERE a.case_id = c.id) FROM cases c WHERE c.closed_at IS NULL AND c.due_at >= ? AND "
                              "NOT EXISTS (SELECT 1 FROM case_assignments a WHERE a.case_id = c.id AND a.role = "
                              "'lead' AND a.ended_at IS NULL) ORDER BY c.id",
                              {after}));
  for (const Row& r : waiting.rows) {
    const Instant from = FromUnix(std::max(r.Int(1), r.IsNull(3) ? r.Int(1) : r.Int(3)));
    if (auto to = Moved(old_cal, new_cal, from, FromUnix(r.Int(2)))) {
      out.push_back({r.Int(0), "due_at", from, FromUnix(r.Int(2)), *to});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const DeadlineMove& a, const DeadlineMove& b) { return a.case_id < b.case_id; });
  return out;
}

// Writes one move; false when the deadline changed meanwhile (a concurrent action wrote it: theirs stands).
StatusOr<bool> ApplyMove(Connection& tx, const DeadlineMove& m, Instant now) {
  const int64_t old_due = ToUnix(m.old_due), new_due = ToUnix(m.new_due);
  // Moved later than now, an overdue mark no longer holds (as when an extension is approved).
  const std::string clear_overdue = m.new_due > now ? ", overdue_since = NULL" : "";
  if (m.deadline == "due_at") {
    ASSIGN_OR_RETURN(storage::Result r, tx.Execute("UPDATE cases SET due_at = ?" + clear_overdue +
                                                       " WHERE id = ? AND due_at = ? AND closed_at IS NULL",
                                                   {new_due, m.case_id, old_due}));
    return r.rows_affected == 1;
  }
  ASSIGN_OR_RETURN(storage::Result a, tx.Execute("UPDATE case_assignments SET " + m.deadline +
                                                     " = ? WHERE case_id = ? AND role = "
                                                     "'lead' AND ended_at IS NULL AND " +
                                                     m.deadline + " = ?",
                                                 {new_due, m.case_id, old_due}));
  if (a.rows_affected != 1) return false;
  // The case mirrors its lead assignment's deadlines: due_at is the one running now, reply_due_at the reply's.
  RETURN_IF_ERROR(tx.Execute("UPDATE cases SET due_at = ?" + clear_overdue + " WHERE id = ? AND due_at = ?",
                             {new_due, m.case_id, old_due}));
  if (m.deadline == "reply_due_at") {
    RETURN_IF_ERROR(tx.Execute("UPDATE cases SET reply_due_at = ? WHERE id = ? AND reply_due_at = ?",
                               {new_due, m.case_id, old_due}));
  }
  return true;
}

}  // namespace

std::string FormatHolidayYear(const WorkingCalendar& calendar, int year) {
  std::string out = "years " + std::to_string(year) + "\n";
  for (const auto& d : calendar.DaysOf(year)) {
    out += FormatCivilDate(d.date) + (d.working ? " workday " : " holiday ") + d.name + "\n";
  }
  return out;
}

HolidayService::HolidayService(storage::Database& db, const Clock& clock, WorkingCalendar base, CalendarHolder& holder)
    : db_(db), clock_(clock), base_(std::move(base)), holder_(holder) {}

HolidayService::~HolidayService() { StopPolling(); }

StatusOr<WorkingCalendar> HolidayService::LoadStored(Connection& conn, std::vector<HolidayYear>* years) const {
  ASSIGN_OR_RETURN(storage::Result rows, conn.Execute("SELECT year, body, stored_at FROM holiday_years ORDER BY year"));
  WorkingCalendar out = base_;
  for (const Row& r : rows.rows) {
    auto year = WorkingCalendar::Parse(r.Text(1));
    if (!year.ok())
      return InternalError(Msg("the stored holidays of {} do not parse: {}", r.Int(0), year.status().ToString()));
    out = out.WithYearsOf(*year);
    if (years) {
      int off = 0, worked = 0;
      for (const auto& d : year->DaysOf(static_cast<int>(r.Int(0)))) (d.working ? worked : off) += 1;
      years->push_back({static_cast<int>(r.Int(0)), "stored", off, worked, FromUnix(r.Int(2))});
    }
  }
  return out;
}

StatusOr<HolidayImport> HolidayService::Import(const auth::Principal& by, std::string_view text, bool dry_run) {
  const Instant now = clock_.Now();
  HolidayImport out;
  Status s = db_.InTransaction([&](Connection& tx) -> Status {
    // Who is asking, before a byte of what they sent is read.
    RETURN_IF_ERROR(AuthorizeCalendar(tx, by));
    if (text.size() > kMaxHolidayTextBytes) {
      return InvalidArgumentError(Msg("the holiday text is at most {} KB", kMaxHolidayTextBytes / 1024), "text");
    }
    ASSIGN_OR_RETURN(WorkingCalendar overlay, WorkingCalendar::Parse(text));
    if (overlay.years().empty()) return InvalidArgumentError("the text names no year (a `years` line)", "text");
    const int this_year = static_cast<int>(ShanghaiDate(now).year());
    for (int y : overlay.years()) {
      if (y != this_year && y != this_year + 1) {
        return InvalidArgumentError(
            Msg("only this year and the next ({} and {}) can be entered, not {}", this_year, this_year + 1, y), "text");
      }
    }
    out.years.assign(overlay.years().begin(), overlay.years().end());
    for (int y : out.years) {
      for (const auto& d : overlay.DaysOf(y)) (d.working ? out.working_days : out.holidays) += 1;
    }
    // The version row is the lock: a second import waits here and then reads what the first stored.
    if (!dry_run)
      RETURN_IF_ERROR(tx.Execute("UPDATE holiday_calendar_version SET version = version + 1 WHERE id = 1").status());
    ASSIGN_OR_RETURN(WorkingCalendar old_cal, LoadStored(tx, nullptr));
    const WorkingCalendar new_cal = old_cal.WithYearsOf(overlay);
    const CivilDate first{std::chrono::year(out.years.front()), std::chrono::January, std::chrono::day(1)};
    ASSIGN_OR_RETURN(out.moves, FindMoves(tx, old_cal, new_cal, StartOfShanghaiDay(first)));
    if (dry_run) return OkStatus();

    const record::Actor actor = auth::ActorOf(by);
    for (int y : out.years) {
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO holiday_years (year, body, stored_at, stored_by) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (year) DO UPDATE SET body = excluded.body, stored_at = "
                     "excluded.stored_at, stored_by = excluded.stored_by",
                     {int64_t{y}, FormatHolidayYear(overlay, y), ToUnix(now), storage::Nullable(actor.user_id)})
              .status());
    }
    std::vector<DeadlineMove> applied;
    for (const DeadlineMove& m : out.moves) {
      ASSIGN_OR_RETURN(bool done, ApplyMove(tx, m, now));
      if (!done) continue;
      applied.push_back(m);
      RETURN_IF_ERROR(
          record::AddEvent(tx, "case:" + std::to_string(m.case_id), now, actor, "deadline_moved",
                           FormatShanghai(m.old_due) + " → " + FormatShanghai(m.new_due),
                           {{"deadline", m.deadline}, {"from", FormatUtc(m.old_due)}, {"to", FormatUtc(m.new_due)}}));
    }
    out.moves = std::move(applied);
    std::set<int64_t> cases;
    for (const auto& m : out.moves) cases.insert(m.case_id);
    std::string ref = "holidays:";
    for (size_t i = 0; i < out.years.size(); ++i) ref += (i ? "," : "") + std::to_string(out.years[i]);
    RETURN_IF_ERROR(record::Audit(tx, now, actor, "holidays.import", ref,
                                  {{"years", out.years},
                                   {"holidays", out.holidays},
                                   {"working_days", out.working_days},
                                   {"deadlines_moved", out.moves.size()},
                                   {"cases", std::vector<int64_t>(cases.begin(), cases.end())}}));
    out.stored = true;
    return OkStatus();
  });
  RETURN_IF_ERROR(s);
  if (out.stored) {
    // This process counts with the new year at once; the others within one poll.
    if (Status r = Refresh(); !r.ok()) spdlog::warn("holiday calendar: {}", r.ToString());
  }
  return out;
}

Status HolidayService::CheckManage(const auth::Principal& by) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return AuthorizeCalendar(*conn, by);
}

StatusOr<std::vector<HolidayYear>> HolidayService::Years() {
  std::vector<HolidayYear> stored;
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(WorkingCalendar unused, LoadStored(*conn, &stored));
    (void)unused;
  }
  std::vector<HolidayYear> out = stored;
  for (int y : base_.years()) {
    if (std::any_of(stored.begin(), stored.end(), [&](const HolidayYear& h) { return h.year == y; })) continue;
    HolidayYear h{y, "built_in", 0, 0, std::nullopt};
    for (const auto& d : base_.DaysOf(y)) (d.working ? h.working_days : h.holidays) += 1;
    out.push_back(h);
  }
  std::sort(out.begin(), out.end(), [](const HolidayYear& a, const HolidayYear& b) { return a.year < b.year; });
  return out;
}

Status HolidayService::Refresh() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(Row v, conn->QueryOne("SELECT version FROM holiday_calendar_version WHERE id = 1"));
  const int64_t version = v.Int(0);
  if (version == holder_.version() && version != 0) return OkStatus();
  ASSIGN_OR_RETURN(WorkingCalendar cal, LoadStored(*conn, nullptr));
  holder_.Set(std::move(cal), version);
  return OkStatus();
}

void HolidayService::StartPolling(std::chrono::milliseconds every) {
  if (poller_.joinable()) return;
  poller_ = std::thread([this, every] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      if (Status s = Refresh(); !s.ok()) spdlog::warn("holiday calendar: {}", s.ToString());
      lock.lock();
      cv_.wait_for(lock, every, [this] { return stop_; });
    }
  });
}

void HolidayService::StopPolling() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

}  // namespace ningju::cases
