#include "storage/internal/connection_pool.h"

#include <string>
#include <utility>

namespace ningju::storage::internal {

ConnectionPool::ConnectionPool(int max_size, std::chrono::milliseconds acquire_timeout, Factory factory,
                               HealthCheck health_check)
    : max_size_(max_size < 1 ? 1 : max_size),
      acquire_timeout_(acquire_timeout),
      factory_(std::move(factory)),
      health_check_(std::move(health_check)) {}

ConnectionPool::~ConnectionPool() = default;

StatusOr<std::unique_ptr<Connection>> ConnectionPool::Acquire() {
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  std::unique_lock lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      // The health check may touch the network (PostgreSQL): never under the lock.
      lock.unlock();
      if (!health_check_ || health_check_(*conn)) return conn;
      conn.reset();
      lock.lock();
      --open_;  // its slot is free again; the next round opens a replacement
      continue;
    }
    if (open_ < max_size_) {
      ++open_;  // reserve the slot before unlocking so concurrent callers cannot overshoot max_size_
      lock.unlock();
      StatusOr<std::unique_ptr<Connection>> conn = factory_();
      if (!conn.ok()) {
        lock.lock();
        --open_;
        lock.unlock();
        released_.notify_one();  // a waiter may open one instead
      }
      return conn;
    }
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= max_size_) {
      return UnavailableError(Msg("no database connection free: all {} are in use after waiting {} ms", max_size_,
                                  acquire_timeout_.count()));
    }
  }
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn, bool reusable) {
  if (!conn) return;
  if (!reusable) {
    conn.reset();  // closing may block on the network: outside the lock
    std::lock_guard lock(mu_);
    --open_;
  } else {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }
  released_.notify_one();
}

void ConnectionPool::AddIdle(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mu_);
  ++open_;
  idle_.push_back(std::move(conn));
}

}  // namespace ningju::storage::internal
