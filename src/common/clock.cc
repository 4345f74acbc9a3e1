#include "common/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace ningju {

Instant SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string FormatUtc(Instant t) { return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t); }

std::string FormatShanghai(Instant t) { return fmt::format("{:%Y-%m-%d %H:%M}", t + std::chrono::hours(8)); }

}  // namespace ningju
