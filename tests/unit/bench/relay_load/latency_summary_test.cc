#include "bench/relay_load/latency_summary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace sotto::relay_load {
namespace {

std::vector<std::int64_t> one_to(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 1);
  return v;
}

TEST(LatencySummary, IsAllZeroWithoutSamples) {
  std::vector<std::int64_t> none;
  const auto s = summarize_latencies(none);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p50_ns, 0);
  EXPECT_EQ(s.max_ns, 0);
}

TEST(LatencySummary, UsesNearestRankOnOneToAHundred) {
  auto v = one_to(100);
  const auto s = summarize_latencies(v);
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.p50_ns, 50);
  EXPECT_EQ(s.p99_ns, 99);
  EXPECT_EQ(s.p999_ns, 100);
  EXPECT_EQ(s.max_ns, 100);
}

TEST(LatencySummary, SeparatesNinetyNineNineOnTenThousandSamples) {
  auto v = one_to(10000);
  const auto s = summarize_latencies(v);
  EXPECT_EQ(s.p50_ns, 5000);
  EXPECT_EQ(s.p99_ns, 9900);
  EXPECT_EQ(s.p999_ns, 9990);
  EXPECT_EQ(s.max_ns, 10000);
}

TEST(LatencySummary, OneSampleIsEveryPercentile) {
  std::vector<std::int64_t> v{42};
  const auto s = summarize_latencies(v);
  EXPECT_EQ(s.p50_ns, 42);
  EXPECT_EQ(s.p99_ns, 42);
  EXPECT_EQ(s.p999_ns, 42);
  EXPECT_EQ(s.max_ns, 42);
}

TEST(LatencySummary, SortsSamplesGivenInAnyOrder) {
  auto v = one_to(1000);
  std::mt19937 rng(7);
  std::shuffle(v.begin(), v.end(), rng);
  const auto s = summarize_latencies(v);
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
  EXPECT_EQ(s.p50_ns, 500);
  EXPECT_EQ(s.p99_ns, 990);
  EXPECT_EQ(s.p999_ns, 999);
  EXPECT_EQ(s.max_ns, 1000);
}

TEST(LatencySummary, NearestRankClampsAtTheEnds) {
  const auto v = one_to(10);
  EXPECT_EQ(nearest_rank(v, 0.001), 1);
  EXPECT_EQ(nearest_rank(v, 100.0), 10);
  EXPECT_EQ(nearest_rank(v, 10.0), 1);
  EXPECT_EQ(nearest_rank(v, 10.1), 2);
}

}  // namespace
}  // namespace sotto::relay_load
