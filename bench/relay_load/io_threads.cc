#include "bench/relay_load/io_threads.h"

#include <iostream>

namespace sotto::relay_load {

IoThreads::IoThreads(std::size_t count) {
  if (count == 0) count = 1;
  for (std::size_t i = 0; i < count; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio
    // may skip its internal locking.
    contexts_.push_back(std::make_unique<net::asio::io_context>(1));
    guards_.push_back(net::asio::make_work_guard(*contexts_.back()));
  }
}

IoThreads::~IoThreads() { finish(std::chrono::milliseconds(0)); }

void IoThreads::start() {
  for (auto& context : contexts_) {
    threads_.emplace_back([&io = *context] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& e) {
          // A handler that throws is a bug in this tool; say so and carry on
          // so that the run still ends and reports.
          std::cerr << "relay_load: internal error on an io thread: " << e.what() << '\n';
        }
      }
    });
  }
}

void IoThreads::finish(std::chrono::milliseconds grace) {
  guards_.clear();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (auto& context : contexts_) {
    while (!context->stopped() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    context->stop();
  }
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace sotto::relay_load
