#include "bench/relay_load/throughput_run.h"

#include <gtest/gtest.h>

#include "bench/relay_load/run_report.h"
#include "tests/integration/relayd/relayd_fixture.h"
#include "tests/unit/bench/relay_load/bench_relayd_config.h"

namespace sotto::relay_load {
namespace {

class ThroughputRunTest : public testing::RelaydTest {
 protected:
  LoadOptions options_for_relayd(std::uint32_t clients, std::uint32_t messages) {
    LoadOptions o;
    o.port = relayd().port();
    o.clients = clients;
    o.messages = messages;
    o.size = 100;
    o.window = 8;
    o.password = "bench password";
    o.user_prefix = "tp";
    o.register_users = true;
    o.relayd_pid = started_relayd_pid();
    o.metrics_port = relayd().metrics_port();
    o.duration_limit = 30;
    EXPECT_EQ(check_options(o), std::nullopt);
    EXPECT_GT(*o.relayd_pid, 0);
    return o;
  }
};

TEST_F(ThroughputRunTest, DeliversEveryEnvelopeOfASmallRunAndTimesEachOnce) {
  start_relayd(bench_relayd_yaml());
  const auto o = options_for_relayd(4, 50);
  const ThroughputResult r = run_throughput(o);
  EXPECT_EQ(r.failure, "");
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.planned, 200u);
  EXPECT_EQ(r.sent, 200u);
  EXPECT_EQ(r.durable, 200u);
  EXPECT_EQ(r.delivered, 200u);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.refused, 0u);
  EXPECT_EQ(r.unanswered, 0u);
  EXPECT_EQ(r.latency.count, 200u);
  EXPECT_GT(r.latency.p50_ns, 0);
  EXPECT_LE(r.latency.p50_ns, r.latency.p99_ns);
  EXPECT_LE(r.latency.p99_ns, r.latency.max_ns);
  EXPECT_GT(r.durable_s, 0.0);
  EXPECT_TRUE(r.errors.empty());
  ASSERT_TRUE(r.commits_before.has_value());
  ASSERT_TRUE(r.commits_after.has_value());
  // Every envelope of the run was committed in some batch, and nothing else was sent.
  EXPECT_EQ(r.commits_after->envelopes - r.commits_before->envelopes, 200.0);
  EXPECT_GE(r.commits_after->batches - r.commits_before->batches, 1.0);
  EXPECT_LE(r.commits_after->max_batch, 200.0);
  ASSERT_TRUE(r.rss_before_kib.has_value());
  ASSERT_TRUE(r.rss_after_kib.has_value());
  EXPECT_GT(*r.rss_before_kib, 0u);
  // A release relayd may spend less than one clock tick on 200 envelopes, so
  // only the figure's presence is checked here (ProcStat tests the reading).
  EXPECT_TRUE(r.relayd_cpu_s.has_value());
  const std::string text = throughput_report(o, r).to_text();
  EXPECT_NE(text.find("result:"), std::string::npos);
  EXPECT_EQ(text.find("FAILED"), std::string::npos) << text;
}

TEST_F(ThroughputRunTest, SpreadsClientsOverSeveralIoThreadsAndStillCountsEveryEnvelopeOnce) {
  start_relayd(bench_relayd_yaml());
  auto o = options_for_relayd(6, 40);
  o.threads = 3;
  const ThroughputResult r = run_throughput(o);
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.durable, 240u);
  EXPECT_EQ(r.delivered, 240u);
  EXPECT_EQ(r.latency.count, 240u);
  EXPECT_EQ(r.lost, 0u);
}

TEST_F(ThroughputRunTest, APacedRunTakesAsLongAsItsScheduleSays) {
  start_relayd(bench_relayd_yaml());
  auto o = options_for_relayd(4, 25);
  o.rate = 200;  // 100 messages at 200/s: the last is due 0.495 s after the first
  const ThroughputResult r = run_throughput(o);
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.delivered, 100u);
  EXPECT_GE(r.durable_s, 0.49);
  EXPECT_LT(r.durable_s, 5.0);
}

TEST_F(ThroughputRunTest, CountsEnvelopesLeftByAnEarlierRunAsStaleAndStillSucceeds) {
  start_relayd(bench_relayd_yaml());
  auto o = options_for_relayd(2, 10);
  ASSERT_EQ(run_throughput(o).failure, "");  // registers tp0 and tp1
  // Someone else writes to tp0 while no run is connected.
  auto other = connect_as("outsider");
  const auto ack = other->send_envelope(testing::test_message_id(1), {"tp0"}, "left over from before");
  ASSERT_EQ(ack.body_case(), wire::Frame::kSendAck);
  o.register_users = false;
  const ThroughputResult r = run_throughput(o);
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.stale, 1u);
  EXPECT_EQ(r.delivered, 20u);
}

TEST_F(ThroughputRunTest, FailsAndSaysWhyWhenTheAccountsDoNotExist) {
  start_relayd(bench_relayd_yaml());
  auto o = options_for_relayd(2, 10);
  o.register_users = false;
  const ThroughputResult r = run_throughput(o);
  EXPECT_NE(r.failure.find("could not log in"), std::string::npos) << r.failure;
  EXPECT_EQ(r.errors.at("BAD_CREDENTIALS"), 2u);
  EXPECT_EQ(r.sent, 0u);
}

TEST_F(ThroughputRunTest, WaitsOutRateLimitedRegistrations) {
  // Two registrations back to back, then one every 250 ms.
  start_relayd(bench_relayd_yaml("4", "1s", "2"));
  const auto o = options_for_relayd(4, 5);
  const ThroughputResult r = run_throughput(o);
  EXPECT_EQ(r.failure, "");
  EXPECT_GE(r.rate_limited_retries, 2u);
  EXPECT_EQ(r.delivered, 20u);
}

TEST_F(ThroughputRunTest, LogsInToAccountsThatAlreadyExistWhenAskedToRegister) {
  start_relayd(bench_relayd_yaml());
  const auto o = options_for_relayd(2, 5);
  ASSERT_EQ(run_throughput(o).failure, "");
  const ThroughputResult again = run_throughput(o);
  EXPECT_EQ(again.failure, "");
  EXPECT_EQ(again.already_registered, 2u);
  EXPECT_EQ(again.delivered, 10u);
}

}  // namespace
}  // namespace sotto::relay_load
