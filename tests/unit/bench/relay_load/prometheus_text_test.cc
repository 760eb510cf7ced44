#include "bench/relay_load/prometheus_text.h"

#include <gtest/gtest.h>

#include "bench/relay_load/metrics_client.h"

namespace sotto::relay_load {
namespace {

constexpr const char* kExposition =
    "# HELP sotto_relayd_commit_batches_total Group-commit transactions.\n"
    "# TYPE sotto_relayd_commit_batches_total counter\n"
    "sotto_relayd_commit_batches_total 17\n"
    "sotto_relayd_commit_batches_total_extra 99\n"
    "sotto_relayd_commit_envelopes_total{node=\"a\"} 5\n"
    "sotto_relayd_commit_envelopes_total 1234\n"
    "sotto_relayd_commit_batch_max 512\r\n"
    "with_timestamp 1.5e3 1700000000000\n"
    "broken_value 12abc\n";

TEST(PrometheusText, FindsAnUnlabelledSample) {
  EXPECT_EQ(prometheus_value(kExposition, "sotto_relayd_commit_batches_total"), 17.0);
  EXPECT_EQ(prometheus_value(kExposition, "sotto_relayd_commit_batch_max"), 512.0);
}

TEST(PrometheusText, SkipsLabelledSamplesAndLongerNames) {
  EXPECT_EQ(prometheus_value(kExposition, "sotto_relayd_commit_envelopes_total"), 1234.0);
  EXPECT_FALSE(prometheus_value(kExposition, "sotto_relayd_commit").has_value());
}

TEST(PrometheusText, FindsALabelledSampleOnlyByItsWholeSeries) {
  EXPECT_EQ(prometheus_value(kExposition, "sotto_relayd_commit_envelopes_total{node=\"a\"}"), 5.0);
  EXPECT_FALSE(prometheus_value(kExposition, "sotto_relayd_commit_envelopes_total{node=\"b\"}").has_value());
  EXPECT_FALSE(prometheus_value(kExposition, "sotto_relayd_commit_envelopes_total{node=\"a\"").has_value());
}

TEST(PrometheusText, ReadsExponentsAndIgnoresTimestamps) {
  EXPECT_EQ(prometheus_value(kExposition, "with_timestamp"), 1500.0);
}

TEST(PrometheusText, HasNoValueForAMissingMetricOrAMalformedNumber) {
  EXPECT_FALSE(prometheus_value(kExposition, "absent_metric").has_value());
  EXPECT_FALSE(prometheus_value(kExposition, "broken_value").has_value());
  EXPECT_FALSE(prometheus_value("# HELP x y\n", "x").has_value());
}

TEST(CommitCounters, AreReadFromTheThreeRelaydMetrics) {
  const auto counters = parse_commit_counters(kExposition);
  ASSERT_TRUE(counters.has_value());
  EXPECT_EQ(counters->batches, 17.0);
  EXPECT_EQ(counters->envelopes, 1234.0);
  EXPECT_EQ(counters->max_batch, 512.0);
}

TEST(CommitCounters, AreMissingWhenAnyOfThemIs) {
  EXPECT_FALSE(parse_commit_counters("sotto_relayd_commit_batches_total 1\nsotto_relayd_commit_batch_max 1\n"));
}

}  // namespace
}  // namespace sotto::relay_load
