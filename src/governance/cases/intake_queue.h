// Group commit of case intakes: concurrent submissions wait in a queue; one writer thread takes everything that
// waits (up to max_batch) and commits it in ONE transaction, so that a burst of N intakes costs one fsync instead of
// N. Each caller is answered only after the transaction holding its intake committed, so an acknowledged intake is
// durable exactly as with one transaction per intake.
//
// A failure of one intake must not lose the others: intakes are validated before they join a batch (CaseService),
// and when a batch fails as a whole (an intake the database refuses, a busy database after retries) its members are
// retried one by one, each in its own transaction, and each caller gets its own outcome. Caveat: a batch whose COMMIT
// failed with an unknown outcome (a PostgreSQL connection lost during COMMIT) is retried too and could then be
// written twice; SQLite commits locally and has no such case.
//
// Thread-safety: Submit may be called from any number of threads. The destructor commits what waits, then stops.
#ifndef NINGJU_GOVERNANCE_CASES_INTAKE_QUEUE_H_
#define NINGJU_GOVERNANCE_CASES_INTAKE_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/status.h"
#include "governance/cases/cases.h"

namespace ningju::cases {

class IntakeQueue {
 public:
  // Writes all intakes in one transaction: the cases in input order, or an error when nothing was written.
  using BatchFn = std::function<StatusOr<std::vector<Case>>(const std::vector<Intake>&)>;
  // Writes one intake in a transaction of its own.
  using SingleFn = std::function<StatusOr<Case>(const Intake&)>;

  IntakeQueue(BatchFn batch, SingleFn single, GroupCommitOptions options = {});
  ~IntakeQueue();
  IntakeQueue(const IntakeQueue&) = delete;
  IntakeQueue& operator=(const IntakeQueue&) = delete;

  // Queues the intake and waits until it is committed (or refused). kResourceExhausted at once when
  // options.max_pending intakes already wait; kUnavailable when the queue is stopping.
  StatusOr<Case> Submit(Intake intake);

  struct Stats {
    int64_t batches = 0;         // transactions attempted by the writer (batches and lone intakes)
    int64_t intakes = 0;         // intakes answered
    int64_t failed_batches = 0;  // batches retried one by one
    int64_t largest_batch = 0;
  };
  Stats stats() const;
  // Intakes waiting for the writer (not counting the batch being written).
  size_t pending() const;

 private:
  struct Pending {
    Intake intake;
    std::optional<StatusOr<Case>> result;  // set by the writer under mu_
  };
  void Run();
  void Answer(const std::vector<Pending*>& batch, std::vector<StatusOr<Case>> results);

  BatchFn batch_;
  SingleFn single_;
  GroupCommitOptions options_;
  mutable std::mutex mu_;
  std::condition_variable work_;  // the writer waits for intakes
  std::condition_variable done_;  // callers wait for their result
  std::deque<Pending*> pending_;
  bool stopping_ = false;
  Stats stats_;
  std::thread writer_;
};

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_INTAKE_QUEUE_H_
