#include "bench/relay_load/error_tally.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sotto::relay_load {
namespace {

TEST(ErrorTally, CountsRelayCodesByTheirProtocolName) {
  ErrorTally tally;
  tally.add(wire::QUEUE_FULL);
  tally.add(wire::QUEUE_FULL);
  tally.add(wire::INTERNAL);
  const auto counts = tally.snapshot();
  EXPECT_EQ(counts.at("QUEUE_FULL"), 2u);
  EXPECT_EQ(counts.at("INTERNAL"), 1u);
  EXPECT_EQ(tally.total(), 3u);
}

TEST(ErrorTally, CountsTransportFailuresByName) {
  ErrorTally tally;
  tally.add("connection_lost", 3);
  EXPECT_EQ(tally.snapshot().at("connection_lost"), 3u);
  EXPECT_EQ(tally.snapshot().size(), 1u);
}

TEST(ErrorTally, StartsEmpty) {
  ErrorTally tally;
  EXPECT_TRUE(tally.snapshot().empty());
  EXPECT_EQ(tally.total(), 0u);
}

TEST(ErrorTally, LosesNoCountWhenThreadsReportAtOnce) {
  ErrorTally tally;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&tally] {
      for (int i = 0; i < 10000; ++i) tally.add(wire::TIMEOUT);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(tally.snapshot().at("TIMEOUT"), 40000u);
}

}  // namespace
}  // namespace sotto::relay_load
