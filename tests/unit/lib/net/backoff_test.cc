#include "lib/net/backoff.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

namespace sotto::net {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, StaysWithinHalfToFullOfTheDoublingCeilingAndNeverAboveTheCap) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    Backoff backoff(milliseconds(100), milliseconds(5000), seed);
    std::int64_t ceiling = 100;
    for (int attempt = 0; attempt < 200; ++attempt) {
      const auto wait = backoff.next();
      EXPECT_GE(wait.count(), ceiling / 2) << "seed " << seed << " attempt " << attempt;
      EXPECT_LE(wait.count(), ceiling) << "seed " << seed << " attempt " << attempt;
      EXPECT_LE(wait, backoff.cap());
      ceiling = std::min<std::int64_t>(ceiling * 2, 5000);
    }
  }
}

TEST(BackoffTest, GrowsUntilTheCap) {
  Backoff backoff(milliseconds(10), milliseconds(10000), 7);
  // With equal jitter each wait is at least half its ceiling, so the fifth
  // wait (ceiling 160) is at least 80: above the first's ceiling of 10.
  const auto first = backoff.next();
  for (int i = 0; i < 3; ++i) (void)backoff.next();
  const auto fifth = backoff.next();
  EXPECT_LE(first.count(), 10);
  EXPECT_GE(fifth.count(), 80);
  for (int i = 0; i < 20; ++i) (void)backoff.next();
  // Far past the cap's doubling: every wait is in [cap/2, cap].
  for (int i = 0; i < 100; ++i) {
    const auto wait = backoff.next();
    EXPECT_GE(wait.count(), 5000);
    EXPECT_LE(wait.count(), 10000);
  }
}

TEST(BackoffTest, ResetStartsFromTheInitialWaitAgain) {
  Backoff backoff(milliseconds(100), milliseconds(60000), 3);
  for (int i = 0; i < 30; ++i) (void)backoff.next();
  EXPECT_GE(backoff.next().count(), 30000);
  backoff.reset();
  const auto wait = backoff.next();
  EXPECT_GE(wait.count(), 50);
  EXPECT_LE(wait.count(), 100);
}

TEST(BackoffTest, JitterSpreadsTheWaits) {
  // Clients restarted together must not retry together.
  std::set<std::int64_t> waits;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Backoff backoff(milliseconds(1000), milliseconds(30000), seed);
    for (int i = 0; i < 4; ++i) (void)backoff.next();
    waits.insert(backoff.next().count());
  }
  EXPECT_GE(waits.size(), 15U);
}

TEST(BackoffTest, SurvivesAnyNumberOfAttemptsWithoutOverflow) {
  Backoff backoff(milliseconds(1), milliseconds(std::chrono::hours(24 * 365)), 11);
  for (int i = 0; i < 10000; ++i) {
    const auto wait = backoff.next();
    ASSERT_GE(wait.count(), 0);
    ASSERT_LE(wait, backoff.cap());
  }
}

TEST(BackoffTest, EqualInitialAndCapIsAFixedCeiling) {
  Backoff backoff(milliseconds(400), milliseconds(400), 5);
  for (int i = 0; i < 50; ++i) {
    const auto wait = backoff.next();
    EXPECT_GE(wait.count(), 200);
    EXPECT_LE(wait.count(), 400);
  }
}

TEST(BackoffTest, RejectsNonsenseSettings) {
  EXPECT_THROW(Backoff(milliseconds(0), milliseconds(10), 1), std::invalid_argument);
  EXPECT_THROW(Backoff(milliseconds(-5), milliseconds(10), 1), std::invalid_argument);
  EXPECT_THROW(Backoff(milliseconds(100), milliseconds(99), 1), std::invalid_argument);
}

TEST(BackoffTest, DefaultsAreAQuarterSecondToHalfAMinute) {
  Backoff backoff;
  EXPECT_EQ(backoff.initial(), milliseconds(250));
  EXPECT_EQ(backoff.cap(), milliseconds(30000));
  const auto wait = backoff.next();
  EXPECT_GE(wait.count(), 125);
  EXPECT_LE(wait.count(), 250);
}

}  // namespace
}  // namespace sotto::net
