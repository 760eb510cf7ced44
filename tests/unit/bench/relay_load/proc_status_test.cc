#include "bench/relay_load/proc_status.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

namespace sotto::relay_load {
namespace {

TEST(ProcStatus, ParsesTheVmRssLine) {
  const std::string status =
      "Name:\trelayd\nVmPeak:\t  900000 kB\nVmHWM:\t   60000 kB\nVmRSS:\t   51234 kB\nRssAnon:\t   40000 kB\n";
  EXPECT_EQ(parse_vm_rss_kib(status), 51234u);
}

TEST(ProcStatus, HasNoFigureWithoutAVmRssLine) {
  EXPECT_FALSE(parse_vm_rss_kib("Name:\tkthreadd\nState:\tS (sleeping)\n").has_value());
  EXPECT_FALSE(parse_vm_rss_kib("").has_value());
}

TEST(ProcStatus, RefusesAMalformedVmRssLine) {
  EXPECT_FALSE(parse_vm_rss_kib("VmRSS:\t  lots kB\n").has_value());
  EXPECT_FALSE(parse_vm_rss_kib("VmRSS:\t  123 MB\n").has_value());
}

TEST(ProcStatus, SeesThisProcessGrowWhenItTouchesMemory) {
  const auto before = read_vm_rss_kib(::getpid());
  ASSERT_TRUE(before.has_value());
  EXPECT_GT(*before, 0u);
  constexpr std::size_t kBytes = 64u << 20;
  std::vector<char> block(kBytes);
  std::memset(block.data(), 1, block.size());
  const auto after = read_vm_rss_kib(::getpid());
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*after, *before + (kBytes / 2) / 1024);
  EXPECT_EQ(block[kBytes - 1], 1);
}

TEST(ProcStat, AddsUserAndSystemTicksAfterTheCommandName) {
  // Fields 14 and 15 are utime 250 and stime 50 ticks; the command name holds
  // a space and a parenthesis, as a hostile or odd name may.
  const std::string stat = "4242 (relay d) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 12345 0 0";
  EXPECT_EQ(parse_cpu_seconds(stat, 100), 3.0);
}

TEST(ProcStat, HasNoFigureForATruncatedOrMalformedLine) {
  EXPECT_FALSE(parse_cpu_seconds("4242 (relayd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250", 100).has_value());
  EXPECT_FALSE(parse_cpu_seconds("4242 (relayd) S 1 4242 4242 0 -1 4194560 100 0 0 0 2x0 50 0", 100).has_value());
  EXPECT_FALSE(parse_cpu_seconds("no parenthesis here", 100).has_value());
  EXPECT_FALSE(parse_cpu_seconds("1 (a) S 1 1 1 0 -1 0 0 0 0 0 1 1 0", 0).has_value());
}

TEST(ProcStat, SeesThisProcessSpendCpuTime) {
  const auto before = read_cpu_seconds(::getpid());
  const double own_before = own_cpu_seconds();
  ASSERT_TRUE(before.has_value());
  // Spin for 300 ms of wall time: at least a few clock ticks (10 ms each) of CPU.
  volatile std::uint64_t sink = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (std::chrono::steady_clock::now() < until) sink = sink + 1;
  const auto after = read_cpu_seconds(::getpid());
  ASSERT_TRUE(after.has_value());
  EXPECT_GT(*after, *before);
  EXPECT_GT(own_cpu_seconds(), own_before);
  EXPECT_GT(sink, 0u);
}

TEST(ProcStatus, HasNoFigureForAProcessThatIsGone) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(read_vm_rss_kib(child).has_value());
  EXPECT_FALSE(read_cpu_seconds(child).has_value());
}

}  // namespace
}  // namespace sotto::relay_load
