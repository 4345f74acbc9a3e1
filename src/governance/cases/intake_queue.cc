#include "governance/cases/intake_queue.h"

#include <algorithm>
#include <utility>

namespace ningju::cases {

IntakeQueue::IntakeQueue(BatchFn batch, SingleFn single, GroupCommitOptions options)
    : batch_(std::move(batch)), single_(std::move(single)), options_(options) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  writer_ = std::thread([this] { Run(); });
}

IntakeQueue::~IntakeQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_.notify_all();
  writer_.join();
}

StatusOr<Case> IntakeQueue::Submit(Intake intake) {
  Pending p{std::move(intake), std::nullopt};
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return UnavailableError("the intake queue is stopping");
  if (pending_.size() >= options_.max_pending) {
    return ResourceExhaustedError("too many intakes waiting; try again in a moment");
  }
  pending_.push_back(&p);
  work_.notify_one();
  done_.wait(lock, [&p] { return p.result.has_value(); });
  return std::move(*p.result);
}

IntakeQueue::Stats IntakeQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

size_t IntakeQueue::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

void IntakeQueue::Answer(const std::vector<Pending*>& batch, std::vector<StatusOr<Case>> results) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
    stats_.intakes += static_cast<int64_t>(batch.size());
  }
  done_.notify_all();
}

void IntakeQueue::Run() {
  for (;;) {
    std::vector<Pending*> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and nothing left to commit
      const size_t n = std::min(pending_.size(), options_.max_batch);
      batch.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
      stats_.batches += 1;
      stats_.largest_batch = std::max<int64_t>(stats_.largest_batch, static_cast<int64_t>(n));
    }
    std::vector<StatusOr<Case>> results;
    results.reserve(batch.size());
    if (batch.size() == 1) {
      results.push_back(single_(batch[0]->intake));
      Answer(batch, std::move(results));
      continue;
    }
    std::vector<Intake> intakes;
    intakes.reserve(batch.size());
    for (Pending* p : batch) intakes.push_back(p->intake);
    StatusOr<std::vector<Case>> written = batch_(intakes);
    if (written.ok() && written->size() == batch.size()) {
      for (auto& c : *written) results.push_back(std::move(c));
      Answer(batch, std::move(results));
      continue;
    }
    // The batch wrote nothing: each member on its own, so that one bad intake fails alone.
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.failed_batches += 1;
    }
    for (const Intake& one : intakes) results.push_back(single_(one));
    Answer(batch, std::move(results));
  }
}

}  // namespace ningju::cases
