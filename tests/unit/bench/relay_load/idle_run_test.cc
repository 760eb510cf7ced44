#include "bench/relay_load/idle_run.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "bench/relay_load/metrics_client.h"
#include "bench/relay_load/prometheus_text.h"
#include "bench/relay_load/run_report.h"
#include "tests/integration/relayd/relayd_fixture.h"
#include "tests/unit/bench/relay_load/bench_relayd_config.h"

namespace sotto::relay_load {
namespace {

class IdleRunTest : public testing::RelaydTest {
 protected:
  LoadOptions idle_options(std::uint32_t connections) {
    LoadOptions o;
    o.port = relayd().port();
    o.idle = connections;
    o.handshakes_in_flight = 16;
    o.password = "bench password";
    o.user_prefix = "idle";
    o.register_users = true;
    o.relayd_pid = started_relayd_pid();
    o.duration_limit = 30;
    EXPECT_EQ(check_options(o), std::nullopt);
    return o;
  }
};

TEST_F(IdleRunTest, HoldsEveryConnectionOpenAndMeasuresRelaydPerConnection) {
  start_relayd(bench_relayd_yaml());
  auto o = idle_options(60);
  o.hold_seconds = 1;
  o.source_addresses = 4;
  o.threads = 2;
  // relayd's own count of authenticated connections, polled while the run
  // holds them: it must reach all 60 at once.
  std::atomic<bool> done{false};
  double most_seen = 0;
  std::thread scraper([&] {
    while (!done.load()) {
      const auto body = fetch_metrics_text(relayd().metrics_port(), std::chrono::seconds(2));
      if (body)
        most_seen = std::max(most_seen, prometheus_value(*body, "sotto_relayd_connections_authenticated").value_or(0));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  const IdleResult r = run_idle(o);
  done = true;
  scraper.join();
  EXPECT_EQ(r.failure, "");
  EXPECT_EQ(r.authenticated, 60u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.still_open, 60u);
  EXPECT_EQ(most_seen, 60.0);
  ASSERT_TRUE(r.rss_before_kib.has_value());
  ASSERT_TRUE(r.rss_after_kib.has_value());
  ASSERT_TRUE(r.rss_after_hold_kib.has_value());
  ASSERT_TRUE(r.rss_per_connection_kib.has_value());
  EXPECT_TRUE(r.relayd_open_cpu_s.has_value());
  EXPECT_TRUE(r.errors.empty());
  const std::string text = idle_report(o, r).to_text();
  EXPECT_NE(text.find("relayd RSS per connection"), std::string::npos);
  EXPECT_EQ(text.find("FAILED"), std::string::npos) << text;
}

TEST_F(IdleRunTest, FailsWhenTheTokenAccountCannotLogIn) {
  start_relayd(bench_relayd_yaml());
  auto o = idle_options(10);
  o.register_users = false;
  const IdleResult r = run_idle(o);
  EXPECT_NE(r.failure.find("could not log in"), std::string::npos) << r.failure;
  EXPECT_EQ(r.authenticated, 0u);
}

TEST(IdleRunLimits, RefusesMoreConnectionsThanTheDescriptorLimitAllows) {
  // In a child, so that lowering the hard limit does not outlive the test.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rlimit low{256, 256};
    if (::setrlimit(RLIMIT_NOFILE, &low) != 0) ::_exit(3);
    LoadOptions o;
    o.port = 1;  // never reached
    o.idle = 1000;
    o.password = "bench password";
    if (check_options(o)) ::_exit(4);
    const IdleResult r = run_idle(o);
    const bool explained = r.failure.find("RLIMIT_NOFILE") != std::string::npos && r.authenticated == 0;
    ::_exit(explained ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace sotto::relay_load
