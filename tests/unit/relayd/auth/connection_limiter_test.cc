#include "relayd/auth/connection_limiter.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "relayd/auth/address_group.h"

namespace sotto::relayd {
namespace {

TEST(ConnectionLimiter, RefusesBeyondTheTotalCap) {
  ConnectionLimiter limiter({3, 3});
  auto a = limiter.try_acquire("192.0.2.1");
  auto b = limiter.try_acquire("192.0.2.2");
  auto c = limiter.try_acquire("192.0.2.3");
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(limiter.try_acquire("192.0.2.4").has_value());
  EXPECT_EQ(limiter.active(), 3u);
}

TEST(ConnectionLimiter, RefusesBeyondThePerSourceCap) {
  ConnectionLimiter limiter({10, 2});
  auto a1 = limiter.try_acquire("192.0.2.1");
  auto a2 = limiter.try_acquire("192.0.2.1");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(limiter.try_acquire("192.0.2.1").has_value());
  auto b = limiter.try_acquire("192.0.2.2");
  EXPECT_TRUE(b.has_value());
  EXPECT_EQ(limiter.active_from("192.0.2.1"), 2u);
  EXPECT_EQ(limiter.active_from("192.0.2.2"), 1u);
  EXPECT_EQ(limiter.active_from("192.0.2.3"), 0u);
  EXPECT_EQ(limiter.active(), 3u);
}

TEST(ConnectionLimiter, ASlotReleasesItsPlaceWhenDestroyed) {
  ConnectionLimiter limiter({1, 1});
  {
    auto slot = limiter.try_acquire("192.0.2.1");
    ASSERT_TRUE(slot.has_value());
    EXPECT_TRUE(slot->held());
    EXPECT_EQ(slot->source(), "192.0.2.1");
    EXPECT_FALSE(limiter.try_acquire("192.0.2.9").has_value());
  }
  EXPECT_EQ(limiter.active(), 0u);
  EXPECT_TRUE(limiter.try_acquire("192.0.2.9").has_value());
}

TEST(ConnectionLimiter, ReleaseGivesThePlaceBackEarlyAndOnlyOnce) {
  ConnectionLimiter limiter({2, 2});
  auto keep = limiter.try_acquire("192.0.2.1");
  {
    auto slot = limiter.try_acquire("192.0.2.1");
    ASSERT_TRUE(slot.has_value());
    slot->release();  // authenticated
    EXPECT_FALSE(slot->held());
    EXPECT_EQ(limiter.active(), 1u);
    slot->release();
    EXPECT_EQ(limiter.active(), 1u);
  }
  EXPECT_EQ(limiter.active(), 1u);  // the destructor did not release a second time
  EXPECT_EQ(limiter.active_from("192.0.2.1"), 1u);
}

TEST(ConnectionLimiter, AMovedSlotReleasesExactlyOnce) {
  ConnectionLimiter limiter({4, 4});
  auto first = limiter.try_acquire("192.0.2.1");
  ASSERT_TRUE(first.has_value());
  ConnectionLimiter::Slot moved(std::move(*first));
  EXPECT_FALSE(first->held());
  EXPECT_TRUE(moved.held());
  first.reset();
  EXPECT_EQ(limiter.active(), 1u);

  auto other = limiter.try_acquire("192.0.2.2");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(limiter.active(), 2u);
  moved = std::move(*other);  // the slot moved over is released, its new one kept
  EXPECT_EQ(limiter.active(), 1u);
  EXPECT_EQ(limiter.active_from("192.0.2.1"), 0u);
  EXPECT_EQ(limiter.active_from("192.0.2.2"), 1u);
  other.reset();
  EXPECT_EQ(limiter.active(), 1u);
  moved.release();
  EXPECT_EQ(limiter.active(), 0u);
}

TEST(ConnectionLimiter, GroupsIpv6AddressesBySlash64) {
  ConnectionLimiter limiter({10, 2});
  auto a = limiter.try_acquire("2001:db8:1:2::1");
  auto b = limiter.try_acquire("2001:db8:1:2:ffff::9");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(limiter.try_acquire("2001:db8:1:2::abcd").has_value());
  EXPECT_TRUE(limiter.try_acquire("2001:db8:1:3::1").has_value());
  EXPECT_EQ(limiter.active_from("2001:db8:1:2::77"), 2u);
}

TEST(ConnectionLimiter, CountsIpv4MappedAddressesWithTheirIpv4Form) {
  ConnectionLimiter limiter({10, 1});
  auto a = limiter.try_acquire("203.0.113.7");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(limiter.try_acquire("::ffff:203.0.113.7").has_value());
}

TEST(ConnectionLimiter, ASlotMayOutliveItsLimiter) {
  auto limiter = std::make_unique<ConnectionLimiter>(ConnectionLimits{1, 1});
  auto slot = limiter->try_acquire("192.0.2.1");
  ASSERT_TRUE(slot.has_value());
  limiter.reset();
  EXPECT_TRUE(slot->held());
  slot.reset();  // releases into the shared state, which then goes away
}

TEST(ConnectionLimiter, FourThreadsNeverExceedEitherCap) {
  constexpr std::size_t kTotal = 6;
  constexpr std::size_t kPerSource = 2;
  ConnectionLimiter limiter({kTotal, kPerSource});
  const std::array<std::string, 4> sources = {"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"};
  // Counted up after acquiring and down before releasing, so they can only be
  // lower than what the limiter holds: any value above a cap is a limiter bug.
  std::atomic<std::size_t> total{0};
  std::array<std::atomic<std::size_t>, 3> per_group{};  // the two IPv6 addresses share a /64
  std::atomic<std::size_t> over_cap{0};
  std::atomic<std::size_t> acquired{0};
  struct Held {
    ConnectionLimiter::Slot slot;
    std::size_t group;
  };
  const auto give_back = [&](Held& h) {
    --per_group[h.group];
    --total;
    h.slot.release();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Held> held;
      for (int i = 0; i < 5000; ++i) {
        const std::size_t s = static_cast<std::size_t>(i + t) % sources.size();
        const std::size_t g = s < 2 ? s : 2;
        if (auto slot = limiter.try_acquire(sources[s])) {
          ++acquired;
          if (++total > kTotal) ++over_cap;
          if (++per_group[g] > kPerSource) ++over_cap;
          held.push_back(Held{std::move(*slot), g});
        }
        // Keep one or two slots across iterations, so the caps are reached.
        while (held.size() > static_cast<std::size_t>(1 + i % 2)) {
          give_back(held.front());
          held.erase(held.begin());
        }
      }
      for (auto& h : held) give_back(h);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(over_cap.load(), 0u);
  EXPECT_GT(acquired.load(), 0u);
  EXPECT_EQ(limiter.active(), 0u);
  EXPECT_EQ(limiter.active_from("192.0.2.1"), 0u);
  EXPECT_EQ(limiter.active_from("2001:db8::5"), 0u);
}

TEST(ConnectionLimiter, RefusesUnusableLimits) {
  EXPECT_THROW(ConnectionLimiter({0, 0}), std::invalid_argument);
  EXPECT_THROW(ConnectionLimiter({10, 0}), std::invalid_argument);
  EXPECT_THROW(ConnectionLimiter({10, 11}), std::invalid_argument);
  EXPECT_FALSE(check_connection_limits({1024, 32}).has_value());
  EXPECT_EQ(check_connection_limits({10, 11}).value_or(""),
            "the per-source cap (11) must not exceed the total cap (10)");
}

}  // namespace
}  // namespace sotto::relayd
