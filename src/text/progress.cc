#include "text/progress.h"

#include <utility>

namespace ningju::text {
namespace {

std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, bool enabled, std::FILE* out)
    : label_(std::move(label)), enabled_(enabled), out_(out), start_(std::chrono::steady_clock::now()), last_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done, uint64_t total, uint64_t items) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 1.0 || (drawn_ && now - last_ < std::chrono::milliseconds(200))) return;
  last_ = now;
  std::string line(1, '\r');
  line += label_;
  line.push_back(' ');
  if (total > 0) {
    constexpr int kWidth = 24;
    const double fraction = done >= total ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    const int filled = static_cast<int>(fraction * kWidth);
    line.push_back('[');
    line.append(static_cast<size_t>(filled), '#');
    line.append(static_cast<size_t>(kWidth - filled), '-');
    line.push_back(']');
    char buf[96];
    std::snprintf(buf, sizeof buf, " %3d%%  %.1f/%.1f MB", static_cast<int>(fraction * 100), done / 1e6, total / 1e6);
    line += buf;
  } else {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f MB", done / 1e6);
    line += buf;
  }
  char tail[64];
  std::snprintf(tail, sizeof tail, "  %.1f s ", elapsed);
  line += "  ";
  line += Grouped(items);
  line += " items";
  line += tail;
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (drawn_) {
    std::fputc('\n', out_);
    std::fflush(out_);
    drawn_ = false;
  }
}

}  // namespace ningju::text
