#include "relayd/server/owed_wakes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace sotto::relayd::owed_wakes_test {
namespace {

std::vector<Wake> sorted(std::vector<Wake> wakes) {
  std::sort(wakes.begin(), wakes.end(), [](const Wake& a, const Wake& b) { return a.recipient < b.recipient; });
  return wakes;
}

TEST(OwedWakes, KeepsOneWakePerRecipientWithTheHighestId) {
  OwedWakes owed;
  EXPECT_TRUE(owed.empty());
  owed.owe(std::vector<Wake>{{"bob", 7}, {"carol", 3}, {"bob", 5}});
  owed.owe(std::vector<Wake>{{"bob", 9}, {"carol", 2}});
  EXPECT_FALSE(owed.empty());
  EXPECT_EQ(sorted(owed.take()), (std::vector<Wake>{{"bob", 9}, {"carol", 3}}));
}

TEST(OwedWakes, TakeForgetsWhatItReturnsAndWhatIsOwedAgainIsKept) {
  OwedWakes owed;
  owed.owe(std::vector<Wake>{{"bob", 1}});
  auto first = owed.take();
  EXPECT_EQ(first, (std::vector<Wake>{{"bob", 1}}));
  EXPECT_TRUE(owed.empty());
  EXPECT_TRUE(owed.take().empty());
  // A publish that failed puts its wakes back; a newer one for the same user wins.
  owed.owe(std::vector<Wake>{{"bob", 4}});
  owed.owe(first);
  EXPECT_EQ(owed.take(), (std::vector<Wake>{{"bob", 4}}));
}

TEST(OwedWakes, PastItsCapANewRecipientIsDroppedAndCountedButAKnownOneStillRises) {
  OwedWakes owed(2);
  owed.owe(std::vector<Wake>{{"alice", 1}, {"bob", 1}, {"carol", 1}, {"dave", 1}});
  EXPECT_EQ(owed.dropped(), 2u);
  owed.owe(std::vector<Wake>{{"bob", 8}});
  EXPECT_EQ(owed.dropped(), 2u);
  EXPECT_EQ(sorted(owed.take()), (std::vector<Wake>{{"alice", 1}, {"bob", 8}}));
}

}  // namespace
}  // namespace sotto::relayd::owed_wakes_test
