// Test-only helpers of the concurrency suite: run N threads released at once, and tally what each action answered.
#ifndef NINGJU_TESTS_CONCURRENCY_RACE_H_
#define NINGJU_TESTS_CONCURRENCY_RACE_H_

#include <atomic>
#include <functional>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace ningju::race {

// Runs fn(0) .. fn(n-1) on n threads that start together (a latch), and waits for all of them.
inline void RunTogether(int n, const std::function<void(int)>& fn) {
  std::latch start(n);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

// What the actions of a race answered: acknowledged (OK), refused as the rules say (the codes given as expected),
// and anything else (a lost race surfacing as kAborted after the retries, an internal error), which fails the test.
class Outcomes {
 public:
  explicit Outcomes(std::vector<StatusCode> expected_refusals) : expected_(std::move(expected_refusals)) {}

  // Returns true when `s` is OK.
  bool Add(const Status& s, const std::string& what) {
    if (s.ok()) {
      ++ok_;
      return true;
    }
    for (StatusCode c : expected_) {
      if (s.code() == c) {
        ++refused_;
        return false;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    unexpected_.push_back(what + ": " + s.ToString());
    return false;
  }

  int ok() const { return ok_.load(); }
  int refused() const { return refused_.load(); }
  std::vector<std::string> unexpected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return unexpected_;
  }

 private:
  std::vector<StatusCode> expected_;
  std::atomic<int> ok_{0};
  std::atomic<int> refused_{0};
  mutable std::mutex mu_;
  std::vector<std::string> unexpected_;
};

}  // namespace ningju::race

#endif  // NINGJU_TESTS_CONCURRENCY_RACE_H_
