// Time comes through a Clock so that tests can hold it still or move it (deadlines, session expiry).
// Instants are UTC; Asia/Shanghai (UTC+8, no daylight saving) is only for display and working-day arithmetic.
#ifndef NINGJU_COMMON_CLOCK_H_
#define NINGJU_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace ningju {

using Instant = std::chrono::sys_time<std::chrono::seconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The system clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

// A clock that only moves when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant start) : now_(start.time_since_epoch().count()) {}
  Instant Now() const override { return Instant(std::chrono::seconds(now_.load())); }
  void Advance(std::chrono::seconds by) { now_ += by.count(); }
  void Set(Instant t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<int64_t> now_;
};

// Seconds since the Unix epoch.
inline int64_t ToUnix(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromUnix(int64_t s) { return Instant(std::chrono::seconds(s)); }

// "2026-05-01T02:00:00Z".
std::string FormatUtc(Instant t);
// "2026-05-01 10:00" in Asia/Shanghai.
std::string FormatShanghai(Instant t);

}  // namespace ningju

#endif  // NINGJU_COMMON_CLOCK_H_
