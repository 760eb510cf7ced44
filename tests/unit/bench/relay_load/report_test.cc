#include "bench/relay_load/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sotto::relay_load {
namespace {

TEST(Report, AlignsEveryValueInOneColumn) {
  Report r;
  r.add_text("mode", "mode", "throughput");
  r.add_count("durable (SendAck)", "durable", 64000);
  r.add_number("latency p99", "latency_p99_ms", 1.23456, 3, "ms");
  EXPECT_EQ(r.to_text(),
            "mode:              throughput\n"
            "durable (SendAck): 64000\n"
            "latency p99:       1.235 ms\n");
}

TEST(Report, PrintsOneJsonObjectWithKeysInOrderAndRoundedNumbers) {
  Report r;
  r.add_text("mode", "mode", "idle");
  r.add_count("authenticated", "authenticated", 10000);
  r.add_number("RSS per connection", "rss_per_connection_kib", 12.3456, 2, "KiB");
  const std::string json = r.to_json();
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json, R"({"mode":"idle","authenticated":10000,"rss_per_connection_kib":12.35})");
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed.at("authenticated").get<int>(), 10000);
}

TEST(Report, ShowsAFigureThatCouldNotBeMeasuredAsMissing) {
  Report r;
  r.add_missing("relayd RSS before", "relayd_rss_before_kib", "no --relayd-pid");
  EXPECT_EQ(r.to_text(), "relayd RSS before: n/a (no --relayd-pid)\n");
  EXPECT_EQ(r.to_json(), R"({"relayd_rss_before_kib":null})");
}

TEST(Report, ListsCountsByNameAsTextAndAsAJsonObject) {
  Report r;
  r.add_counts("errors", "errors", {{"QUEUE_FULL", 3}, {"connection_lost", 1}});
  r.add_counts("warnings", "warnings", {});
  EXPECT_EQ(r.to_text(),
            "errors:   QUEUE_FULL=3, connection_lost=1\n"
            "warnings: none\n");
  EXPECT_EQ(r.to_json(), R"({"errors":{"QUEUE_FULL":3,"connection_lost":1},"warnings":{}})");
}

TEST(Report, TreatsANonFiniteNumberAsMissing) {
  Report r;
  r.add_number("rate", "rate", std::numeric_limits<double>::infinity(), 0);
  EXPECT_EQ(r.to_json(), R"({"rate":null})");
}

}  // namespace
}  // namespace sotto::relay_load
