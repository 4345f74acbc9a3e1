// The instant a ballot was cast, read from an ISO-8601 / RFC 3339 timestamp with an explicit UTC offset
// ("2026-05-01T10:00:00+08:00", "2026-05-01T02:00:00Z", "2026-05-01T02:00:00.250Z"). Two timestamps compare as
// instants: "2026-05-01T10:00:00+08:00" equals "2026-05-01T02:00:00Z".
#ifndef NINGJU_GOVERNANCE_DECISIONS_TIMESTAMP_H_
#define NINGJU_GOVERNANCE_DECISIONS_TIMESTAMP_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace ningju::decisions {

// A UTC instant to the nanosecond. Ordered by time.
struct Timestamp {
  int64_t unix_seconds = 0;  // seconds since 1970-01-01T00:00:00Z
  int32_t nanos = 0;         // 0 to 999'999'999

  Instant instant() const { return FromUnix(unix_seconds); }  // truncated to the second

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
  friend std::strong_ordering operator<=>(const Timestamp&, const Timestamp&) = default;
};

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`: a calendar date that exists, hours 00-23, minutes and
// seconds 00-59 (no leap second), 1 to 9 fraction digits, and a UTC offset, which is required: a local time without
// one names no instant. 't' and 'z' may be lower case (RFC 3339). Errors are kInvalidArgument and quote the text:
// `bad timestamp "2026-02-30T10:00:00+08:00" (no such date)`.
StatusOr<Timestamp> ParseTimestamp(std::string_view text);

// "2026-05-01T02:00:00Z", with the fraction when there is one ("2026-05-01T02:00:00.25Z").
std::string FormatTimestampUtc(Timestamp t);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_TIMESTAMP_H_
