#include "bench/relay_load/histogram_quantile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sotto::relay_load {
namespace {

using relayd::LatencyHistogram;

// Cumulative counts with `n` observations in finite bucket i (and so in every
// bucket after it, +Inf included).
HistogramCounts with(std::size_t i, double n, HistogramCounts counts = {}) {
  for (std::size_t k = i; k < counts.size(); ++k) counts[k] += n;
  return counts;
}

constexpr std::size_t kOneMs = 6;  // le="0.001"; the bucket below is le="0.00075"
static_assert(LatencyHistogram::kBoundsUs[kOneMs] == 1000 && LatencyHistogram::kBoundsUs[kOneMs - 1] == 750);

TEST(HistogramQuantile, InterpolatesInsideTheBucketThatHoldsTheRank) {
  const HistogramCounts after = with(kOneMs, 100);
  // All 100 lie between 0.75 and 1 ms: the median is half way.
  EXPECT_NEAR(*histogram_quantile(0.5, {}, after), 0.000875, 1e-12);
  EXPECT_NEAR(*histogram_quantile(0.99, {}, after), 0.00075 + 0.00025 * 0.99, 1e-12);
}

TEST(HistogramQuantile, CountsOnlyWhatCameBetweenTheTwoScrapes) {
  // Before: 1,000 fast ones (first bucket). Between: 10 more there and 90 at 0.75–1 ms.
  const HistogramCounts before = with(0, 1000);
  const HistogramCounts after = with(kOneMs, 90, with(0, 1010));
  // Rank 50 of 100 is the 40th of the 90 in the 1 ms bucket.
  EXPECT_NEAR(*histogram_quantile(0.5, before, after), 0.00075 + 0.00025 * 40.0 / 90.0, 1e-12);
  // Rank 5 is in the first bucket, which starts at zero.
  EXPECT_NEAR(*histogram_quantile(0.05, before, after), 0.00005 * 5.0 / 10.0, 1e-12);
}

TEST(HistogramQuantile, ARankPastTheLastBoundGivesThatBound) {
  HistogramCounts after = with(0, 50);
  after.back() += 50;  // 50 slower than 1 s: only +Inf holds them
  EXPECT_DOUBLE_EQ(*histogram_quantile(0.99, {}, after), 1.0);
}

TEST(HistogramQuantile, HasNoAnswerForNothingObservedOrABadQuantile) {
  const HistogramCounts same = with(3, 7);
  EXPECT_FALSE(histogram_quantile(0.5, same, same).has_value());
  EXPECT_FALSE(histogram_quantile(0.0, {}, same).has_value());
  EXPECT_FALSE(histogram_quantile(1.0, {}, same).has_value());
  EXPECT_FALSE(histogram_quantile(std::nan(""), {}, same).has_value());
}

TEST(HistogramQuantile, RefusesCountsThatAreNotAHistogram) {
  // Counts that went down (relayd restarted between the scrapes).
  EXPECT_FALSE(histogram_quantile(0.5, with(2, 10), with(2, 4)).has_value());
  // A bucket below the one before it: not cumulative.
  HistogramCounts broken = with(2, 10);
  broken[5] = 3;
  EXPECT_FALSE(histogram_quantile(0.5, {}, broken).has_value());
  // Not numbers.
  HistogramCounts infinite = with(2, 10);
  infinite.back() = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(histogram_quantile(0.5, {}, infinite).has_value());
  HistogramCounts nan = with(2, 10);
  nan[0] = std::nan("");
  EXPECT_FALSE(histogram_quantile(0.5, {}, nan).has_value());
}

}  // namespace
}  // namespace sotto::relay_load
