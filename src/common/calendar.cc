#include "common/calendar.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace ningju {
namespace {

int DayNumber(CivilDate d) { return std::chrono::sys_days(d).time_since_epoch().count(); }

bool IsWeekend(CivilDate d) {
  std::chrono::weekday wd{std::chrono::sys_days(d)};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

extern const char kBuiltInHolidays[];  // calendar_data.cc, generated from data/holidays/cn.txt

StatusOr<WorkingCalendar> WorkingCalendar::Parse(std::string_view text) {
  WorkingCalendar cal;
  std::set<int> declared;
  bool has_declaration = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    const std::string where = "line " + std::to_string(line_no);
    if (f[0] == "years") {
      if (has_declaration || !cal.days_.empty()) {
        return InvalidArgumentError("`years` comes once, before the dates", where);
      }
      has_declaration = true;
      for (size_t i = 1; i < f.size(); ++i) {
        int y = 0;
        auto [p, ec] = std::from_chars(f[i].data(), f[i].data() + f[i].size(), y);
        if (ec != std::errc() || p != f[i].data() + f[i].size() || y < 1900 || y > 2200) {
          return InvalidArgumentError(Msg("a year is four digits, not {}", f[i]), where);
        }
        declared.insert(y);
      }
      continue;
    }
    if (f.size() < 3) return InvalidArgumentError("expected `YYYY-MM-DD holiday|workday NAME`", where);
    auto date = ParseCivilDate(f[0]);
    if (!date) return InvalidArgumentError(Msg("not a date: {}", f[0]), where);
    const bool working = f[1] == "workday";
    if (!working && f[1] != "holiday") {
      return InvalidArgumentError(Msg("the kind is `holiday` or `workday`, not {}", f[1]), where);
    }
    if (working && !IsWeekend(*date)) {
      return InvalidArgumentError(Msg("{} is a workday already (not a Saturday or Sunday)", f[0]), where);
    }
    const int year = static_cast<int>(date->year());
    if (has_declaration && !declared.count(year)) {
      return InvalidArgumentError(Msg("{} is outside the declared years", f[0]), where);
    }
    std::string name;
    for (size_t i = 2; i < f.size(); ++i) name += (i > 2 ? " " : "") + std::string(f[i]);
    if (!cal.days_.emplace(DayNumber(*date), std::make_pair(working, name)).second) {
      return InvalidArgumentError(Msg("{} is listed twice", f[0]), where);
    }
    if (!has_declaration) cal.years_.insert(year);
  }
  if (has_declaration) cal.years_ = declared;
  return cal;
}

StatusOr<WorkingCalendar> WorkingCalendar::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(Msg("cannot read the holiday calendar {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  auto cal = Parse(ss.str());
  if (!cal.ok()) return cal.status().WithContext(path);
  return cal;
}

const WorkingCalendar& WorkingCalendar::BuiltIn() {
  static const WorkingCalendar* cal = [] {
    auto parsed = Parse(kBuiltInHolidays);
    // The built-in file is checked by the tests; a broken one is a build error, not a runtime condition.
    return new WorkingCalendar(parsed.ok() ? std::move(parsed).value() : WorkingCalendar());
  }();
  return *cal;
}

std::optional<int> WorkingCalendar::MissingYear(CivilDate today) const {
  const int year = static_cast<int>(today.year());
  if (!Covers(year)) return year;
  if (static_cast<unsigned>(today.month()) >= 11 && !Covers(year + 1)) return year + 1;
  return std::nullopt;
}

WorkingCalendar WorkingCalendar::WithYearsOf(const WorkingCalendar& overlay) const {
  WorkingCalendar out;
  out.years_ = years_;
  out.years_.insert(overlay.years_.begin(), overlay.years_.end());
  for (const auto& [day, entry] : days_) {
    const int year = static_cast<int>(CivilDate{std::chrono::sys_days(std::chrono::days(day))}.year());
    if (!overlay.Covers(year)) out.days_.emplace(day, entry);
  }
  for (const auto& [day, entry] : overlay.days_) out.days_[day] = entry;
  return out;
}

std::vector<WorkingCalendar::ListedDay> WorkingCalendar::DaysOf(int year) const {
  std::vector<ListedDay> out;
  const CivilDate first{std::chrono::year(year), std::chrono::January, std::chrono::day(1)};
  const CivilDate last{std::chrono::year(year), std::chrono::December, std::chrono::day(31)};
  for (auto it = days_.lower_bound(DayNumber(first)); it != days_.end() && it->first <= DayNumber(last); ++it) {
    out.push_back(
        {CivilDate{std::chrono::sys_days(std::chrono::days(it->first))}, it->second.first, it->second.second});
  }
  return out;
}

int WorkingCalendar::WorkingDaysBetween(Instant from, CivilDate last) const {
  int n = 0;
  for (std::chrono::sys_days day = std::chrono::sys_days(ShanghaiDate(from)) + std::chrono::days(1);
       day <= std::chrono::sys_days(last); day += std::chrono::days(1)) {
    if (IsWorkingDay(CivilDate{day})) ++n;
  }
  return n;
}

bool WorkingCalendar::IsWorkingDay(CivilDate d) const {
  auto it = days_.find(DayNumber(d));
  if (it != days_.end()) return it->second.first;
  return !IsWeekend(d);
}

std::string WorkingCalendar::DayName(CivilDate d) const {
  auto it = days_.find(DayNumber(d));
  return it == days_.end() ? "" : it->second.second;
}

Instant WorkingCalendar::AddWorkingDays(Instant received, int n) const {
  std::chrono::sys_days day = std::chrono::sys_days(ShanghaiDate(received));
  while (n > 0) {
    day += std::chrono::days(1);
    if (IsWorkingDay(CivilDate{day})) --n;
  }
  return EndOfShanghaiDay(CivilDate{day});
}

}  // namespace ningju
