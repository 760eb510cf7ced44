#include "relayd/server/latency_histogram.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sotto::relayd {
namespace {

using namespace std::chrono_literals;

std::string rendered(const LatencyHistogram& h) {
  std::ostringstream out;
  h.render(out, "x_seconds", "Help text.");
  return out.str();
}

// The line of one series, or "" when it is absent.
std::string line_of(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return line;
  }
  return "";
}

TEST(LatencyHistogram, LabelsAreExactDecimalSeconds) {
  EXPECT_EQ(LatencyHistogram::bucket_label(0), "0.00005");
  EXPECT_EQ(LatencyHistogram::bucket_label(6), "0.001");
  EXPECT_EQ(LatencyHistogram::bucket_label(7), "0.0015");
  EXPECT_EQ(LatencyHistogram::bucket_label(LatencyHistogram::kBoundsUs.size() - 1), "1");
  EXPECT_EQ(LatencyHistogram::bucket_label(LatencyHistogram::kBoundsUs.size()), "+Inf");
}

TEST(LatencyHistogram, AValueOnABoundCountsInThatBoundsBucket) {
  LatencyHistogram h;
  h.observe(1ms);     // le="0.001"
  h.observe(1001us);  // le="0.0015"
  h.observe(0ns);     // the first bucket
  const std::string text = rendered(h);
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"0.00005\"}"), "x_seconds_bucket{le=\"0.00005\"} 1");
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"0.00075\"}"), "x_seconds_bucket{le=\"0.00075\"} 1");
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"0.001\"}"), "x_seconds_bucket{le=\"0.001\"} 2");
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"0.0015\"}"), "x_seconds_bucket{le=\"0.0015\"} 3");
}

TEST(LatencyHistogram, RendersCumulativeBucketsThenSumAndCount) {
  LatencyHistogram h;
  h.observe(120us);
  h.observe(4ms);
  h.observe(3s);    // past the last bound: only +Inf holds it
  h.observe(-5ms);  // a clock that went backwards counts as zero, not as a huge value
  const std::string text = rendered(h);

  EXPECT_TRUE(text.starts_with("# HELP x_seconds Help text.\n# TYPE x_seconds histogram\n")) << text;
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"0.0001\"}"), "x_seconds_bucket{le=\"0.0001\"} 1");
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"0.0002\"}"), "x_seconds_bucket{le=\"0.0002\"} 2");
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"0.005\"}"), "x_seconds_bucket{le=\"0.005\"} 3");
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"1\"}"), "x_seconds_bucket{le=\"1\"} 3");
  EXPECT_EQ(line_of(text, "x_seconds_bucket{le=\"+Inf\"}"), "x_seconds_bucket{le=\"+Inf\"} 4");
  EXPECT_EQ(line_of(text, "x_seconds_sum"), "x_seconds_sum 3.004120000");
  EXPECT_EQ(line_of(text, "x_seconds_count"), "x_seconds_count 4");
  EXPECT_EQ(h.count(), 4u);

  // Every bucket line is there, in increasing order of its bound.
  std::size_t at = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    const std::size_t found = text.find("x_seconds_bucket{le=\"" + LatencyHistogram::bucket_label(i) + "\"}", at);
    ASSERT_NE(found, std::string::npos) << "bucket " << i;
    at = found;
  }
}

TEST(LatencyHistogram, ObservationsFromManyThreadsAreAllCounted) {
  LatencyHistogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10'000; ++i) h.observe(std::chrono::microseconds(t * 700 + i % 50));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.count(), 40'000u);
  EXPECT_EQ(line_of(rendered(h), "x_seconds_count"), "x_seconds_count 40000");
}

}  // namespace
}  // namespace sotto::relayd
