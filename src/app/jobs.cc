#include "app/jobs.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <random>

namespace ningju::app {

JobRunner::JobRunner(storage::Database& db, const Clock& clock, std::string worker_id, int lease_seconds)
    : db_(db), clock_(clock), worker_id_(std::move(worker_id)), lease_seconds_(lease_seconds) {
  if (worker_id_.empty()) {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    worker_id_ = std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(std::random_device{}());
  }
}

JobRunner::~JobRunner() { Stop(); }

Status JobRunner::Register(const std::string& name, int interval_seconds, std::function<Status()> fn) {
  if (interval_seconds < 1) return InvalidArgumentError("a job's interval is at least 1 second", "interval_seconds");
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO jobs (name, interval_seconds, next_run_at) VALUES (?, ?, 0) "
                   "ON CONFLICT (name) DO NOTHING",
                   {name, int64_t{interval_seconds}}));
    return tx.Execute("UPDATE jobs SET interval_seconds = ? WHERE name = ?", {int64_t{interval_seconds}, name})
        .status();
  }));
  jobs_.push_back({name, interval_seconds, std::move(fn)});
  return OkStatus();
}

StatusOr<std::vector<std::string>> JobRunner::RunDue() {
  std::vector<std::string> ran;
  for (const Job& job : jobs_) {
    const int64_t now = ToUnix(clock_.Now());
    int64_t claimed = 0;
    {
      ASSIGN_OR_RETURN(auto conn, db_.Acquire());
      ASSIGN_OR_RETURN(storage::Result r,
                       conn->Execute("UPDATE jobs SET locked_by = ?, locked_until = ? WHERE name = ? AND "
                                     "next_run_at <= ? AND locked_until <= ?",
                                     {worker_id_, now + lease_seconds_, job.name, now, now}));
      claimed = r.rows_affected;
    }
    if (claimed != 1) continue;
    Status s = job.fn();
    if (!s.ok()) spdlog::warn("job {} failed: {}", job.name, s.ToString());
    const int64_t done = ToUnix(clock_.Now());
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    RETURN_IF_ERROR(conn->Execute(
        "UPDATE jobs SET next_run_at = ?, locked_by = '', locked_until = 0, last_run_at = "
        "?, last_error = ? WHERE name = ? AND locked_by = ?",
        {done + job.interval_seconds, done, s.ok() ? std::string() : s.ToString(), job.name, worker_id_}));
    ran.push_back(job.name);
  }
  return ran;
}

void JobRunner::Start(std::chrono::milliseconds poll) {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this, poll] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto ran = RunDue();
      if (!ran.ok()) spdlog::warn("job runner: {}", ran.status().ToString());
      lock.lock();
      cv_.wait_for(lock, poll, [this] { return stop_ || nudged_; });
      nudged_ = false;
    }
  });
}

void JobRunner::Nudge() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    nudged_ = true;
  }
  cv_.notify_all();
}

void JobRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ningju::app
