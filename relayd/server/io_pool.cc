#include "relayd/server/io_pool.h"

namespace sotto::relayd {

IoPool::IoPool(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    // concurrency hint 1: each context is run by exactly one thread, which
    // lets Asio drop its internal locking.
    contexts_.push_back(std::make_unique<net::asio::io_context>(1));
    guards_.emplace_back(net::asio::make_work_guard(*contexts_.back()));
  }
}

IoPool::~IoPool() {
  stop();
  join();
}

net::asio::io_context& IoPool::next() { return *contexts_[next_.fetch_add(1) % contexts_.size()]; }

void IoPool::start() {
  for (auto& ctx : contexts_) {
    threads_.emplace_back([c = ctx.get()] { c->run(); });
  }
}

void IoPool::stop() {
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
}

void IoPool::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace sotto::relayd
