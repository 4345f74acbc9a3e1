// Time in ningju: one instant type, one civil-date type, and the formatters and parsers for UTC and Asia/Shanghai.
//
// Instants are UTC seconds. Asia/Shanghai is UTC+8 all year (no daylight saving since 1991), so its fields are
// computed from the instant with std::chrono civil arithmetic (floor<days>, year_month_day, hh_mm_ss). Nothing here
// reads the host's time zone (no conversion to local time, no fmt chrono format on a time_point): a server whose TZ is
// Asia/Shanghai, America/New_York or UTC formats and parses every value the same way.
//
// Thread-safety: every function is pure.
#ifndef NINGJU_COMMON_TIME_H_
#define NINGJU_COMMON_TIME_H_

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ningju {

// A UTC instant to the second.
using Instant = std::chrono::sys_time<std::chrono::seconds>;

// Seconds since the Unix epoch.
inline int64_t ToUnix(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromUnix(int64_t s) { return Instant(std::chrono::seconds(s)); }

// A calendar date with no time of day or zone (a holiday, a due date, a notice's first day). Ordered as dates
// (operator<=>), never as strings.
using CivilDate = std::chrono::year_month_day;

// Asia/Shanghai's offset from UTC, all year.
inline constexpr std::chrono::hours kShanghaiOffset{8};

// ---- UTC.

// "2026-05-01T02:00:00Z" (RFC 3339; the API, stored texts, event payloads).
std::string FormatUtc(Instant t);
// "20260501T020000Z" (iCalendar's basic form, RFC 5545 §3.3.5).
std::string FormatUtcBasic(Instant t);

// ---- Asia/Shanghai.

// The Shanghai civil date of an instant.
CivilDate ShanghaiDate(Instant t);
// The first instant (00:00:00 Shanghai) of a civil date.
Instant StartOfShanghaiDay(CivilDate d);
// The last second (23:59:59 Shanghai) of a civil date.
Instant EndOfShanghaiDay(CivilDate d);
// "2026-05-01 10:00" (pages, messages).
std::string FormatShanghai(Instant t);
// "2026-05-01": the Shanghai date of `t`.
std::string FormatShanghaiDate(Instant t);
// "10:00": the Shanghai time of day of `t`.
std::string FormatShanghaiClock(Instant t);
// "2026-05-01T10:00:00+08:00" (RFC 3339 with Shanghai's offset; Open311).
std::string FormatShanghaiIso(Instant t);

// ---- Civil dates.

// "2026-02-14" (nullopt when malformed or not a real date).
std::optional<CivilDate> ParseCivilDate(std::string_view text);
// The same, as kInvalidArgument `bad date "..." (YYYY-MM-DD)` naming `field`.
StatusOr<CivilDate> ParseCivilDate(std::string_view text, const std::string& field);
// "2026-02-14".
std::string FormatCivilDate(CivilDate d);
// `d` plus `n` days (n may be negative).
CivilDate AddDays(CivilDate d, int n);

// ---- Parsing instants.

// A UTC instant to the nanosecond (a ballot's cast time). Ordered by time.
struct Timestamp {
  int64_t unix_seconds = 0;  // seconds since 1970-01-01T00:00:00Z
  int32_t nanos = 0;         // 0 to 999'999'999

  Instant instant() const { return FromUnix(unix_seconds); }  // truncated to the second

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
  friend std::strong_ordering operator<=>(const Timestamp&, const Timestamp&) = default;
};

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` (RFC 3339): a calendar date that exists, hours 00-23,
// minutes and seconds 00-59 (no leap second), 1 to 9 fraction digits, and a UTC offset, which is required: a local
// time without one names no instant. 't' and 'z' may be lower case. Two texts compare as instants:
// "2026-05-01T10:00:00+08:00" equals "2026-05-01T02:00:00Z". Errors are kInvalidArgument and quote the text:
// `bad timestamp "2026-02-30T10:00:00+08:00" (no such date)`.
StatusOr<Timestamp> ParseTimestamp(std::string_view text);
// "2026-05-01T02:00:00Z", with the fraction when there is one ("2026-05-01T02:00:00.25Z").
std::string FormatTimestampUtc(Timestamp t);

// A date and time of day as people type them, read as Asia/Shanghai unless an offset says otherwise: "2026-05-01"
// (00:00 Shanghai), "2026-05-01T10:00", "2026-05-01 10:00:30", with an optional fraction (ignored) and an optional
// "Z", "+08:00" or "+0800" (offsets up to 14 hours). nullopt when malformed or not a real date or time.
std::optional<Instant> ParseShanghaiDateTime(std::string_view text);
// "2026-05-01" + "14:30" (or "14:30:00") in Asia/Shanghai -> the instant; kInvalidArgument naming `field`.
StatusOr<Instant> ParseShanghaiTime(std::string_view date, std::string_view time, const std::string& field);

}  // namespace ningju

#endif  // NINGJU_COMMON_TIME_H_
