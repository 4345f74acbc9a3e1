// Background work kept in the database (the `jobs` table): each job has a name, an interval and the time it is next
// due. A runner claims a due job with one conditional UPDATE (due, and unlocked or its lease expired), runs it, and
// schedules the next run; so any number of servers can share a database and exactly one of them runs each due job.
// A runner that dies mid-job leaves a lease that expires after `lease_seconds`.
#ifndef NINGJU_APP_JOBS_H_
#define NINGJU_APP_JOBS_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::app {

class JobRunner {
 public:
  // `worker_id` names this runner in the lock column (host:pid:random by default). `clock` must outlive it.
  JobRunner(storage::Database& db, const Clock& clock, std::string worker_id = "", int lease_seconds = 600);
  ~JobRunner();  // stops the loop
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Adds a job; its row is created when missing (due at once) and its interval updated. Register before Start.
  Status Register(const std::string& name, int interval_seconds, std::function<Status()> fn);
  // Claims every due job this runner knows and runs it; returns the names of the jobs it ran. A job's failure is
  // logged and kept in last_error; the job is due again after its interval.
  StatusOr<std::vector<std::string>> RunDue();
  // A thread that calls RunDue every `poll` until Stop().
  void Start(std::chrono::milliseconds poll);
  // The loop looks for due jobs now rather than at its next poll (a code someone waits for is in the outbox).
  // Thread-safe; nothing when the loop is not running.
  void Nudge();
  void Stop();

  const std::string& worker_id() const { return worker_id_; }

 private:
  struct Job {
    std::string name;
    int interval_seconds;
    std::function<Status()> fn;
  };
  storage::Database& db_;
  const Clock& clock_;
  std::string worker_id_;
  int lease_seconds_;
  std::vector<Job> jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;    // guarded by mu_
  bool nudged_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ningju::app

#endif  // NINGJU_APP_JOBS_H_
