#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "lib/net/asio.h"

namespace sotto::relay_load {

// One io_context per thread. A connection lives on one context for its whole
// life, so its reader and writer never run concurrently and need no locks;
// more threads only spread connections over more cores.
class IoThreads {
 public:
  explicit IoThreads(std::size_t count);
  ~IoThreads();
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  std::size_t size() const { return contexts_.size(); }
  // The context for the i-th connection (round robin).
  net::asio::io_context& for_index(std::size_t i) { return *contexts_[i % contexts_.size()]; }

  void start();
  // Lets each thread return once its context has no work left, waiting at most
  // grace; contexts still busy then are stopped. Joins every thread.
  void finish(std::chrono::milliseconds grace);

 private:
  using WorkGuard = net::asio::executor_work_guard<net::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<net::asio::io_context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace sotto::relay_load
