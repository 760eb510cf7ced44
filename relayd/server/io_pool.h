#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "lib/net/asio.h"

namespace sotto::relayd {

// One io_context per thread. A connection lives on one context for its whole
// life, so a session's coroutines never race with each other and need no
// strand; work for another session is posted to that session's context.
class IoPool {
 public:
  // threads == 0 means one per core.
  explicit IoPool(unsigned threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  net::asio::io_context& next();  // round robin, for new connections
  net::asio::io_context& at(std::size_t i) { return *contexts_[i]; }
  std::size_t size() const { return contexts_.size(); }

  void start();
  void stop();  // stops the contexts and joins the threads
  void join();

 private:
  using Guard = net::asio::executor_work_guard<net::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<net::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace sotto::relayd
