#include "relayd/auth/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sotto::relayd {
namespace {

using namespace std::chrono_literals;

// Ten attempts a minute, at most five in a row: one token every 6 s.
const RateLimit kTenPerMinuteBurstFive{10, 1min, 5};

TEST(RateLimiter, AllowsTheBurstThenRefusesWithTheExactRetryAfter) {
  ManualClock clock;
  RateLimiter limiter(kTenPerMinuteBurstFive, clock);
  for (int i = 0; i < 5; ++i) {
    const RateDecision d = limiter.check("alice");
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.retry_after_ms, 0u);
  }
  RateDecision d = limiter.check("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 6000u);

  clock.advance(5999ms);
  d = limiter.check("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 1u);

  clock.advance(1ms);
  EXPECT_TRUE(limiter.check("alice").allowed);
  d = limiter.check("alice");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 6000u);
}

TEST(RateLimiter, RetryAfterIsExactFromAnyPointBetweenMilliseconds) {
  ManualClock clock;
  RateLimiter limiter({3, 1s, 1}, clock);  // a token every 333.33 ms
  ASSERT_TRUE(limiter.check("k").allowed);
  clock.advance(250us);
  const RateDecision d = limiter.check("k");
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 334u);
  clock.advance(std::chrono::milliseconds(d.retry_after_ms - 1));
  EXPECT_FALSE(limiter.check("k").allowed);
  clock.advance(1ms);
  EXPECT_TRUE(limiter.check("k").allowed);
}

TEST(RateLimiter, RefillsOverTimeButNeverBeyondTheBurst) {
  ManualClock clock;
  RateLimiter limiter(kTenPerMinuteBurstFive, clock);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.check("alice").allowed);
  ASSERT_FALSE(limiter.check("alice").allowed);

  clock.advance(18s);  // three tokens
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.check("alice").allowed) << i;
  EXPECT_FALSE(limiter.check("alice").allowed);

  clock.advance(24h);  // far more than five tokens' worth
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += limiter.check("alice").allowed ? 1 : 0;
  EXPECT_EQ(allowed, 5);
}

TEST(RateLimiter, SubMillisecondStepsStillAddUp) {
  ManualClock clock;
  RateLimiter limiter({1, 1s, 1}, clock);
  int allowed = 0;
  // Ten seconds in steps of 300 us, checking at every step, so most checks
  // fall between two milliseconds: the whole milliseconds are counted and
  // the remainders are kept for the next check, not dropped.
  for (int step = 0; step < 33334; ++step) {
    allowed += limiter.check("k").allowed ? 1 : 0;
    clock.advance(300us);
  }
  EXPECT_EQ(allowed, 10);
}

TEST(RateLimiter, KeysAreIndependent) {
  ManualClock clock;
  RateLimiter limiter(kTenPerMinuteBurstFive, clock);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.check("alice").allowed);
  EXPECT_FALSE(limiter.check("alice").allowed);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.check("bob").allowed) << i;
  EXPECT_FALSE(limiter.check("bob").allowed);
  EXPECT_TRUE(limiter.check("alicE").allowed);  // keys are compared exactly
  EXPECT_EQ(limiter.size(), 3u);
}

TEST(RateLimiter, LongKeysAreTrackedByTheirHashWithoutMixingThem) {
  ManualClock clock;
  RateLimiter limiter({1, 1h, 1}, clock);
  std::string a(1 << 20, 'x');
  std::string b = a;
  b.back() = 'y';
  EXPECT_TRUE(limiter.check(a).allowed);
  EXPECT_FALSE(limiter.check(a).allowed);
  EXPECT_TRUE(limiter.check(b).allowed);
  EXPECT_FALSE(limiter.check(b).allowed);
  EXPECT_TRUE(limiter.check(a.substr(0, 64)).allowed);  // the longest key stored as itself
  EXPECT_FALSE(limiter.check(a.substr(0, 64)).allowed);
  EXPECT_EQ(limiter.size(), 3u);
}

TEST(RateLimiter, ATableOfFullBucketsMakesRoomForNewKeys) {
  ManualClock clock;
  RateLimiter limiter({1, 1s, 2}, clock, 2);
  ASSERT_TRUE(limiter.check("a").allowed);  // t=0: a holds one token, full again at t=1 s
  clock.advance(500ms);
  ASSERT_TRUE(limiter.check("b").allowed);  // t=0.5 s: b is drained, full at t=2.5 s
  ASSERT_TRUE(limiter.check("b").allowed);

  clock.advance(100ms);  // t=0.6 s: table full, nobody refilled yet
  RateDecision d = limiter.check("c");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 400u);  // until a is full
  EXPECT_EQ(limiter.size(), 2u);

  clock.advance(400ms);  // t=1 s: a is full and makes way; b keeps its debt
  EXPECT_TRUE(limiter.check("c").allowed);
  EXPECT_EQ(limiter.size(), 2u);
  d = limiter.check("b");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 500u);

  d = limiter.check("a");  // back, but c (full at t=2 s) and b (t=2.5 s) owe tokens
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 1000u);
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiter, AFloodOfNewKeysNeverGrowsTheTablePastItsBound) {
  ManualClock clock;
  RateLimiter limiter({1, 1h, 1}, clock, 1000);
  int allowed = 0;
  for (int i = 0; i < 10000; ++i) {
    const RateDecision d = limiter.check("user" + std::to_string(i));
    if (d.allowed) {
      ++allowed;
    } else {
      EXPECT_EQ(d.retry_after_ms, 3'600'000u);
    }
  }
  EXPECT_EQ(allowed, 1000);
  EXPECT_EQ(limiter.size(), 1000u);
  // Keys already tracked are still answered exactly.
  const RateDecision d = limiter.check("user0");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 3'600'000u);
  // An hour later every bucket is full again and new keys get in.
  clock.advance(1h);
  EXPECT_TRUE(limiter.check("newcomer").allowed);
  EXPECT_EQ(limiter.size(), 1000u);
}

TEST(RateLimiter, RetryAfterSaturatesAtThirtyTwoBits) {
  ManualClock clock;
  RateLimiter limiter({1, 24h * 7, 8}, clock, 1);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(limiter.check("a").allowed);
  // a is full again after 8 weeks, more than 2^32 ms (49.7 days).
  const RateDecision d = limiter.check("b");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, std::numeric_limits<std::uint32_t>::max());
}

TEST(RateLimiter, FourThreadsOnOneKeyGetExactlyTheBurst) {
  ManualClock clock;  // frozen: no refill during the run
  RateLimiter limiter({1, 1h, 1000}, clock);
  std::atomic<int> allowed{0};
  std::atomic<int> own_allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string own = "own" + std::to_string(t);
      for (int i = 0; i < 1000; ++i) {
        if (limiter.check("shared").allowed) ++allowed;
        if (limiter.check(own).allowed) ++own_allowed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1000);
  EXPECT_EQ(own_allowed.load(), 4000);
  EXPECT_EQ(limiter.size(), 5u);
}

TEST(RateLimiter, RefusesUnusableLimits) {
  ManualClock clock;
  EXPECT_THROW(RateLimiter({0, 1s, 1}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({1, 0ms, 1}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({1, 1s, 0}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({1, 24h * 7 + 1ms, 1}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({1'000'001, 1s, 1}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({1, 1s, 1'000'001}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({1, 1s, 1}, clock, 0), std::invalid_argument);
  EXPECT_EQ(check_rate_limit({1, 1s, 0}).value_or(""), "burst must be between 1 and 1000000, got 0");
  EXPECT_FALSE(check_rate_limit({1'000'000, 24h * 7, 1'000'000}).has_value());
}

}  // namespace
}  // namespace sotto::relayd
