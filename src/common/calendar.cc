#include "common/calendar.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace ningju {
namespace {

constexpr std::chrono::hours kShanghaiOffset{8};

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

CivilDate ShanghaiDate(Instant t) { return CivilDate{std::chrono::floor<std::chrono::days>(t + kShanghaiOffset)}; }

Instant StartOfShanghaiDay(CivilDate d) {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::sys_days(d) - kShanghaiOffset);
}

Instant EndOfShanghaiDay(CivilDate d) {
  return StartOfShanghaiDay(CivilDate{std::chrono::sys_days(d) + std::chrono::days(1)}) - std::chrono::seconds(1);
}

std::optional<CivilDate> ParseCivilDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, v);
    if (ec != std::errc() || p != text.data() + pos + len) return -1;
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  CivilDate date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                 std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string FormatCivilDate(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

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
  if (static_cast<unsigned>(today.month()) == 12 && !Covers(year + 1)) return year + 1;
  return std::nullopt;
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
