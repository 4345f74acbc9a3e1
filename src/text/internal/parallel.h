// ParallelFor: splits [0, n) into `threads` contiguous blocks run on their own threads. Private to src/text.
#ifndef NINGJU_TEXT_INTERNAL_PARALLEL_H_
#define NINGJU_TEXT_INTERNAL_PARALLEL_H_

#include <cstddef>
#include <thread>
#include <vector>

namespace ningju::text::internal {

// Calls fn(begin, end, block) for `threads` blocks (the last ones may be empty); block 0 runs on the caller's thread.
template <typename Fn>
void ParallelFor(size_t n, int threads, Fn fn) {
  const size_t t = threads < 1 ? 1 : static_cast<size_t>(threads);
  std::vector<std::thread> workers;
  for (size_t b = 1; b < t; ++b) {
    workers.emplace_back([&fn, n, t, b] { fn(n * b / t, n * (b + 1) / t, static_cast<int>(b)); });
  }
  fn(0, n / t, 0);
  for (std::thread& w : workers) w.join();
}

}  // namespace ningju::text::internal

#endif  // NINGJU_TEXT_INTERNAL_PARALLEL_H_
