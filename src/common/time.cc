#include "common/time.h"

#include <fmt/format.h>

#include "common/text_util.h"

namespace ningju {
namespace {

// The civil fields of `t` seen at `offset` from UTC. floor<days> rounds toward the past, so instants before 1970
// (and offsets that cross midnight) land on the right day; no host zone is involved.
struct Fields {
  CivilDate date;
  int hour, minute, second;
};

Fields FieldsOf(Instant t, std::chrono::seconds offset) {
  const auto local = t + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::hh_mm_ss<std::chrono::seconds> hms{local - day};
  return {CivilDate{day}, static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

int Year(CivilDate d) { return static_cast<int>(d.year()); }
unsigned Month(CivilDate d) { return static_cast<unsigned>(d.month()); }
unsigned Day(CivilDate d) { return static_cast<unsigned>(d.day()); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The number written by text[pos, pos + n), or -1 when those are not n digits.
int Digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool CharAt(std::string_view text, size_t pos, char c) { return pos < text.size() && text[pos] == c; }

std::optional<CivilDate> MakeDate(int y, int m, int d) {
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  const CivilDate date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                       std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

int64_t LocalSeconds(CivilDate d, int hour, int minute, int second) {
  return std::chrono::sys_days(d).time_since_epoch().count() * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace

std::string FormatUtc(Instant t) {
  const Fields f = FieldsOf(t, std::chrono::seconds(0));
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", Year(f.date), Month(f.date), Day(f.date), f.hour, f.minute,
                     f.second);
}

std::string FormatUtcBasic(Instant t) {
  const Fields f = FieldsOf(t, std::chrono::seconds(0));
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", Year(f.date), Month(f.date), Day(f.date), f.hour, f.minute,
                     f.second);
}

CivilDate ShanghaiDate(Instant t) { return FieldsOf(t, kShanghaiOffset).date; }

Instant StartOfShanghaiDay(CivilDate d) {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::sys_days(d) - kShanghaiOffset);
}

Instant EndOfShanghaiDay(CivilDate d) { return StartOfShanghaiDay(AddDays(d, 1)) - std::chrono::seconds(1); }

std::string FormatShanghai(Instant t) {
  const Fields f = FieldsOf(t, kShanghaiOffset);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", Year(f.date), Month(f.date), Day(f.date), f.hour, f.minute);
}

std::string FormatShanghaiDate(Instant t) { return FormatCivilDate(ShanghaiDate(t)); }

std::string FormatShanghaiClock(Instant t) {
  const Fields f = FieldsOf(t, kShanghaiOffset);
  return fmt::format("{:02}:{:02}", f.hour, f.minute);
}

std::string FormatShanghaiIso(Instant t) {
  const Fields f = FieldsOf(t, kShanghaiOffset);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00", Year(f.date), Month(f.date), Day(f.date), f.hour,
                     f.minute, f.second);
}

std::optional<CivilDate> ParseCivilDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  return MakeDate(Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2));
}

StatusOr<CivilDate> ParseCivilDate(std::string_view text, const std::string& field) {
  auto d = ParseCivilDate(text);
  if (!d) return InvalidArgumentError(Msg("bad date {} (YYYY-MM-DD)", QuoteForMessage(text)), field);
  return *d;
}

std::string FormatCivilDate(CivilDate d) { return fmt::format("{:04}-{:02}-{:02}", Year(d), Month(d), Day(d)); }

CivilDate AddDays(CivilDate d, int n) { return CivilDate{std::chrono::sys_days(d) + std::chrono::days(n)}; }

StatusOr<Timestamp> ParseTimestamp(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(Msg("bad timestamp {} ({})", QuoteForMessage(text), why));
  };
  constexpr std::string_view kShape = "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z";
  const int year = Digits(text, 0, 4);
  const int month = Digits(text, 5, 2);
  const int day = Digits(text, 8, 2);
  const int hour = Digits(text, 11, 2);
  const int minute = Digits(text, 14, 2);
  const int second = Digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || !CharAt(text, 4, '-') ||
      !CharAt(text, 7, '-') || !(CharAt(text, 10, 'T') || CharAt(text, 10, 't')) || !CharAt(text, 13, ':') ||
      !CharAt(text, 16, ':')) {
    return bad(kShape);
  }
  size_t pos = 19;
  int32_t nanos = 0;
  if (CharAt(text, pos, '.')) {
    ++pos;
    size_t n = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (++n > 9) return bad("at most nine digits of a second");
      nanos = nanos * 10 + (text[pos] - '0');
      ++pos;
    }
    if (n == 0) return bad("a digit is needed after the decimal point");
    for (; n < 9; ++n) nanos *= 10;
  }
  int offset_seconds = 0;
  if (CharAt(text, pos, 'Z') || CharAt(text, pos, 'z')) {
    ++pos;
  } else if (CharAt(text, pos, '+') || CharAt(text, pos, '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    const int offset_hours = Digits(text, pos + 1, 2);
    const int offset_minutes = Digits(text, pos + 4, 2);
    if (offset_hours < 0 || offset_minutes < 0 || !CharAt(text, pos + 3, ':')) {
      return bad("expected an offset such as +08:00 or Z");
    }
    if (offset_hours > 23 || offset_minutes > 59) return bad("no such offset");
    offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
    pos += 6;
  } else if (pos == text.size()) {
    return bad("a UTC offset such as +08:00 or Z is required");
  } else {
    return bad(kShape);
  }
  if (pos != text.size()) return bad(kShape);

  const std::optional<CivilDate> date = MakeDate(year, month, day);
  if (!date) return bad("no such date");
  if (hour > 23 || minute > 59 || second > 59) return bad("no such time of day");
  return Timestamp{.unix_seconds = LocalSeconds(*date, hour, minute, second) - offset_seconds, .nanos = nanos};
}

std::string FormatTimestampUtc(Timestamp t) {
  std::string out = FormatUtc(t.instant());
  if (t.nanos == 0) return out;
  out.pop_back();  // 'Z'
  std::string fraction = fmt::format("{:09}", t.nanos);
  while (fraction.back() == '0') fraction.pop_back();
  return out + '.' + fraction + 'Z';
}

std::optional<Instant> ParseShanghaiDateTime(std::string_view text) {
  if (text.size() == 10) {
    auto d = ParseCivilDate(text);
    if (!d) return std::nullopt;
    return StartOfShanghaiDay(*d);
  }
  if (text.size() < 16 || text.size() > 40 || (text[10] != 'T' && text[10] != ' ')) return std::nullopt;
  auto d = ParseCivilDate(text.substr(0, 10));
  if (!d) return std::nullopt;
  const int hh = Digits(text, 11, 2), mm = Digits(text, 14, 2);
  if (hh < 0 || mm < 0 || text[13] != ':' || hh > 23 || mm > 59) return std::nullopt;
  size_t pos = 16;
  int ss = 0;
  if (CharAt(text, pos, ':')) {
    ss = Digits(text, pos + 1, 2);
    if (ss < 0 || ss > 60) return std::nullopt;
    pos += 3;
    if (CharAt(text, pos, '.')) {
      ++pos;
      const size_t start = pos;
      while (pos < text.size() && IsDigit(text[pos])) ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  int offset_minutes = 8 * 60;  // no offset: Shanghai time
  if (pos < text.size()) {
    const size_t rest = text.size() - pos;
    if (text[pos] == 'Z' && rest == 1) {
      offset_minutes = 0;
    } else if ((text[pos] == '+' || text[pos] == '-') && (rest == 6 || rest == 5)) {
      const int oh = Digits(text, pos + 1, 2);
      const int om = rest == 6 ? (text[pos + 3] == ':' ? Digits(text, pos + 4, 2) : -1) : Digits(text, pos + 3, 2);
      if (oh < 0 || om < 0 || oh > 14 || om > 59) return std::nullopt;
      offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  return FromUnix(LocalSeconds(*d, hh, mm, ss) - offset_minutes * 60);
}

StatusOr<Instant> ParseShanghaiTime(std::string_view date, std::string_view time, const std::string& field) {
  std::string t(Trim(time));
  if (t.size() == 5) t += ":00";
  auto parsed = ParseTimestamp(std::string(Trim(date)) + "T" + t + "+08:00");
  if (!parsed.ok()) {
    return InvalidArgumentError(Msg("give the date as YYYY-MM-DD and the time as HH:MM, not {}",
                                    QuoteForMessage(std::string(date) + " " + std::string(time))),
                                field);
  }
  return parsed->instant();
}

}  // namespace ningju
