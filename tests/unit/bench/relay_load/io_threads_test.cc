#include "bench/relay_load/io_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace sotto::relay_load {
namespace {

TEST(IoThreads, RunsEachContextOnItsOwnThread) {
  IoThreads io(3);
  ASSERT_EQ(io.size(), 3u);
  std::mutex mutex;
  std::set<std::thread::id> ids;
  std::atomic<int> ran{0};
  io.start();
  for (std::size_t i = 0; i < 3; ++i) {
    net::asio::post(io.for_index(i), [&] {
      std::lock_guard lock(mutex);
      ids.insert(std::this_thread::get_id());
      ++ran;
    });
  }
  io.finish(std::chrono::seconds(5));
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(ids.size(), 3u);
}

TEST(IoThreads, HandsOutContextsRoundRobin) {
  IoThreads io(2);
  EXPECT_EQ(&io.for_index(0), &io.for_index(2));
  EXPECT_NE(&io.for_index(0), &io.for_index(1));
}

TEST(IoThreads, FinishStopsWorkThatWouldNeverEnd) {
  IoThreads io(1);
  net::asio::steady_timer forever(io.for_index(0));
  forever.expires_at(std::chrono::steady_clock::time_point::max());
  forever.async_wait([](const boost::system::error_code&) {});
  io.start();
  const auto start = std::chrono::steady_clock::now();
  io.finish(std::chrono::milliseconds(100));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(100));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_TRUE(io.for_index(0).stopped());
}

TEST(IoThreads, FinishReturnsAtOnceWhenWorkIsDone) {
  IoThreads io(2);
  io.start();
  const auto start = std::chrono::steady_clock::now();
  io.finish(std::chrono::seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace sotto::relay_load
