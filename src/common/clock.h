// Time comes through a Clock so that tests can hold it still or move it (deadlines, session expiry). The instant
// type and its formatters are in common/time.h.
#ifndef NINGJU_COMMON_CLOCK_H_
#define NINGJU_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/time.h"

namespace ningju {

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

}  // namespace ningju

#endif  // NINGJU_COMMON_CLOCK_H_
