#include "bench/relay_load/poll_until.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sotto::relay_load {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST(PollUntil, ReturnsTrueAsSoonAsTheConditionHolds) {
  std::atomic<bool> flag{false};
  std::thread setter([&] {
    std::this_thread::sleep_for(milliseconds(50));
    flag = true;
  });
  const auto start = Clock::now();
  EXPECT_TRUE(poll_until([&] { return flag.load(); }, start + std::chrono::seconds(10), milliseconds(2)));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  setter.join();
}

TEST(PollUntil, ReturnsFalseOnceTheDeadlineHasPassed) {
  const auto start = Clock::now();
  EXPECT_FALSE(poll_until([] { return false; }, start + milliseconds(100), milliseconds(5)));
  EXPECT_GE(Clock::now() - start, milliseconds(100));
}

TEST(PollUntil, ChecksTheConditionBeforeTheDeadline) {
  int calls = 0;
  EXPECT_TRUE(poll_until(
      [&] {
        ++calls;
        return true;
      },
      Clock::now() - milliseconds(1), milliseconds(5)));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace sotto::relay_load
