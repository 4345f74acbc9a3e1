// A bounded pool of connections, shared by both backends. Idle connections are reused most-recently-released first
// (warm caches) after an optional health check; a new one is opened while fewer than `max_size` exist; otherwise
// Acquire waits for a release, up to a deadline. The pool knows which thread took each connection it handed out, so
// a thread asking for a second one while holding one (a deadlock once the pool is smaller than the worker count) is
// found at the call that does it.
//
// Thread-safe. REQUIRES: every connection handed out is given back (Release) before the pool is destroyed.
#ifndef NINGJU_STORAGE_INTERNAL_CONNECTION_POOL_H_
#define NINGJU_STORAGE_INTERNAL_CONNECTION_POOL_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <source_location>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "storage/database.h"

namespace ningju::storage::internal {

class ConnectionPool {
 public:
  // Opens one new connection. Called without the pool's lock held.
  using Factory = std::function<StatusOr<std::unique_ptr<Connection>>()>;
  // Returns false for an idle connection that must not be handed out (it is closed and replaced).
  using HealthCheck = std::function<bool(Connection&)>;

  ConnectionPool(int max_size, std::chrono::milliseconds acquire_timeout, NestedAcquire nested, Factory factory,
                 HealthCheck health_check = nullptr);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle healthy connection, or a new one; kUnavailable when none frees up within the acquire timeout; the
  // factory's error when opening fails. From a thread that already holds one of the pool's connections: kInternal
  // naming `where` (NestedAcquire::kFail), or a warning on stderr and then as above (kLog).
  StatusOr<std::unique_ptr<Connection>> Acquire(std::source_location where = std::source_location::current());
  // Gives a connection back. `reusable` false closes it and frees its slot.
  void Release(std::unique_ptr<Connection> conn, bool reusable);
  // Hands the pool an already opened connection (one counted against max_size), idle.
  void AddIdle(std::unique_ptr<Connection> conn);

  int max_size() const { return max_size_; }
  PoolStats stats() const;

 private:
  const int max_size_;
  const std::chrono::milliseconds acquire_timeout_;
  const NestedAcquire nested_;
  const Factory factory_;
  const HealthCheck health_check_;

  // Counts `conn` as handed out to the calling thread. REQUIRES: mu_ held.
  void HandOut(const Connection* conn);

  mutable std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;                   // guarded by mu_
  int open_ = 0;                                                    // idle + handed out + being opened; guarded by mu_
  std::unordered_map<const Connection*, std::thread::id> holders_;  // handed out -> taken by; guarded by mu_
  PoolStats stats_;                                                 // guarded by mu_
};

}  // namespace ningju::storage::internal

#endif  // NINGJU_STORAGE_INTERNAL_CONNECTION_POOL_H_
