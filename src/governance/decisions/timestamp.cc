#include "governance/decisions/timestamp.h"

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "common/text_util.h"

namespace ningju::decisions {
namespace {

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

}  // namespace

StatusOr<Timestamp> ParseTimestamp(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(Msg("bad timestamp {} ({})", QuoteForMessage(text), why));
  };
  constexpr std::string_view kShape = "expected YYYY-MM-DDTHH:MM:SS with an offset such as +08:00 or Z";
  // YYYY-MM-DDTHH:MM:SS
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

  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return bad("no such date");
  if (hour > 23 || minute > 59 || second > 59) return bad("no such time of day");

  const int64_t local_seconds =
      std::chrono::sys_days(date).time_since_epoch().count() * 86400 + hour * 3600 + minute * 60 + second;
  return Timestamp{.unix_seconds = local_seconds - offset_seconds, .nanos = nanos};
}

std::string FormatTimestampUtc(Timestamp t) {
  const int64_t days = t.unix_seconds >= 0 ? t.unix_seconds / 86400 : (t.unix_seconds - 86399) / 86400;
  const int64_t second_of_day = t.unix_seconds - days * 86400;
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(days))};
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                                second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
  if (t.nanos != 0) {
    std::string fraction = fmt::format("{:09}", t.nanos);
    while (fraction.back() == '0') fraction.pop_back();
    out += '.' + fraction;
  }
  return out + 'Z';
}

}  // namespace ningju::decisions
