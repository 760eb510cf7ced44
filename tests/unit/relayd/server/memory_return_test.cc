#include "relayd/server/memory_return.h"

#include <gtest/gtest.h>

namespace sotto::relayd {
namespace {

TEST(MemoryReturn, TrimsOnceWhenTheRelayGoesQuietAfterWork) {
  MemoryReturn memory;
  EXPECT_FALSE(memory.tick(0)) << "nothing happened yet";
  EXPECT_FALSE(memory.tick(0));
  EXPECT_FALSE(memory.tick(500)) << "busy";
  EXPECT_FALSE(memory.tick(900)) << "still busy";
  EXPECT_TRUE(memory.tick(900)) << "quiet after work";
  EXPECT_FALSE(memory.tick(900)) << "already given back";
  EXPECT_FALSE(memory.tick(900));
}

TEST(MemoryReturn, TrimsAgainAfterTheNextBurst) {
  MemoryReturn memory;
  memory.tick(10);
  EXPECT_TRUE(memory.tick(10));
  EXPECT_FALSE(memory.tick(20));
  EXPECT_TRUE(memory.tick(20));
}

TEST(MemoryReturn, NeverTrimsUnderSteadyLoad) {
  MemoryReturn memory;
  for (std::uint64_t activity = 1; activity < 100; ++activity) EXPECT_FALSE(memory.tick(activity));
}

}  // namespace
}  // namespace sotto::relayd
