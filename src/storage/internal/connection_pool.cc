#include "storage/internal/connection_pool.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

namespace ningju::storage::internal {

ConnectionPool::ConnectionPool(int max_size, std::chrono::milliseconds acquire_timeout, NestedAcquire nested,
                               Factory factory, HealthCheck health_check)
    : max_size_(max_size < 1 ? 1 : max_size),
      acquire_timeout_(acquire_timeout),
      nested_(nested),
      factory_(std::move(factory)),
      health_check_(std::move(health_check)) {}

ConnectionPool::~ConnectionPool() = default;

void ConnectionPool::HandOut(const Connection* conn) {
  holders_[conn] = std::this_thread::get_id();
  ++stats_.acquires;
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

StatusOr<std::unique_ptr<Connection>> ConnectionPool::Acquire(std::source_location where) {
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  std::unique_lock lock(mu_);
  const std::thread::id me = std::this_thread::get_id();
  for (const auto& [conn, holder] : holders_) {
    if (holder != me) continue;
    ++stats_.nested;
    // A second connection for a thread that holds one: with every worker doing the same, all of them wait for each
    // other until the acquire timeout (STYLE.md item 18). Pass the Connection& down, or release the first before.
    if (nested_ == NestedAcquire::kFail) {
      return InternalError(
          Msg("nested database Acquire at {}:{} ({}): this thread already holds a connection of "
              "this pool",
              where.file_name(), where.line(), where.function_name()));
    }
    spdlog::warn("nested database Acquire at {}:{} ({}): this thread already holds a connection of this pool",
                 where.file_name(), where.line(), where.function_name());
    break;
  }
  bool waited = false;
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      // The health check may touch the network (PostgreSQL): never under the lock.
      lock.unlock();
      if (!health_check_ || health_check_(*conn)) {
        lock.lock();
        HandOut(conn.get());
        return conn;
      }
      conn.reset();
      lock.lock();
      --open_;  // its slot is free again; the next round opens a replacement
      continue;
    }
    if (open_ < max_size_) {
      ++open_;  // reserve the slot before unlocking so concurrent callers cannot overshoot max_size_
      lock.unlock();
      StatusOr<std::unique_ptr<Connection>> conn = factory_();
      lock.lock();
      if (!conn.ok()) {
        --open_;
        lock.unlock();
        released_.notify_one();  // a waiter may open one instead
        return conn;
      }
      HandOut(conn->get());
      return conn;
    }
    if (!waited) {
      waited = true;
      ++stats_.waits;
    }
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= max_size_) {
      ++stats_.timeouts;
      return UnavailableError(Msg("no database connection free: all {} are in use after waiting {} ms", max_size_,
                                  acquire_timeout_.count()));
    }
  }
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn, bool reusable) {
  if (!conn) return;
  {
    // Forgotten before the connection may be closed, so that a new connection at the same address is not confused
    // with it.
    std::lock_guard lock(mu_);
    holders_.erase(conn.get());
  }
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
