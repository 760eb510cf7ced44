#include "relayd/auth/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sotto::relayd {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, MovesOnlyWhenAdvanced) {
  ManualClock clock;
  const auto start = clock.now();
  EXPECT_EQ(clock.now(), start);
  clock.advance(1500us);
  EXPECT_EQ(clock.now() - start, 1500us);
  clock.advance(2h);
  EXPECT_EQ(clock.now() - start, 2h + 1500us);
}

TEST(ManualClock, ConcurrentAdvancesAllCount) {
  ManualClock clock;
  const auto start = clock.now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) clock.advance(1ns);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(clock.now() - start, 40000ns);
}

TEST(SteadyClock, NeverGoesBackwards) {
  SteadyClock clock;
  auto previous = clock.now();
  for (int i = 0; i < 1000; ++i) {
    const auto now = clock.now();
    EXPECT_GE(now, previous);
    previous = now;
  }
}

}  // namespace
}  // namespace sotto::relayd
