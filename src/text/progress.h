// A progress bar on standard error for long command-line runs:
//   dedup [##########----------]  50%  512.0/1024.0 MB  1,000,000 items  12.3 s
// Redrawn at most five times a second; nothing is drawn for runs shorter than one second.
#ifndef NINGJU_TEXT_PROGRESS_H_
#define NINGJU_TEXT_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ningju::text {

class ProgressBar {
 public:
  // Draws on `out` (standard error by default) when `enabled`.
  ProgressBar(std::string label, bool enabled, std::FILE* out = stderr);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `total` 0 means unknown (standard input): no bar, only counts.
  void Update(uint64_t done, uint64_t total, uint64_t items);
  // Ends the line if anything was drawn.
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  std::FILE* out_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace ningju::text

#endif  // NINGJU_TEXT_PROGRESS_H_
