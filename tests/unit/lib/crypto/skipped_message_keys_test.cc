#include "lib/crypto/skipped_message_keys.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace sotto::crypto {
namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// 2024-06-01T00:00:00Z: when the keys of these tests are stored, unless said.
constexpr sys_seconds kStoredAt{seconds(1717200000)};

SkippedKeyId id(std::uint8_t key, std::uint32_t n) {
  SkippedKeyId out;
  out.ratchet_key.fill(key);
  out.message_number = n;
  return out;
}

SecretBytes key(std::uint8_t v) { return SecretBytes(Bytes(32, v)); }

std::vector<std::uint32_t> numbers(const SkippedMessageKeys& keys) {
  std::vector<std::uint32_t> out;
  keys.for_each([&](const SkippedKeyId& i, const StoredSkippedKey&) { out.push_back(i.message_number); });
  return out;
}

TEST(SkippedMessageKeys, FindsOnlyTheExactKeyAndNumber) {
  SkippedMessageKeys keys;
  keys.insert(id(1, 5), key(0xaa), kStoredAt);
  ASSERT_NE(keys.find(id(1, 5)), nullptr);
  EXPECT_TRUE(keys.find(id(1, 5))->key == key(0xaa));
  EXPECT_EQ(keys.find(id(1, 5))->stored_at, kStoredAt);
  EXPECT_EQ(keys.find(id(1, 6)), nullptr);
  EXPECT_EQ(keys.find(id(2, 5)), nullptr);
}

TEST(SkippedMessageKeys, EraseRemovesTheKeyAndItsPlaceInLine) {
  SkippedMessageKeys keys(3);
  keys.insert(id(1, 0), key(0), kStoredAt);
  keys.insert(id(1, 1), key(1), kStoredAt);
  keys.erase(id(1, 0));
  keys.erase(id(9, 9));  // absent: nothing happens
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_EQ(numbers(keys), std::vector<std::uint32_t>{1});
}

TEST(SkippedMessageKeys, EvictsTheOldestKeysBeyondTheCapacity) {
  SkippedMessageKeys keys(3);
  for (std::uint32_t n = 0; n < 5; ++n) keys.insert(id(1, n), key(static_cast<std::uint8_t>(n)), kStoredAt);
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys.find(id(1, 0)), nullptr);
  EXPECT_EQ(keys.find(id(1, 1)), nullptr);
  EXPECT_EQ(numbers(keys), (std::vector<std::uint32_t>{2, 3, 4}));
}

// Oldest means first stored, whatever the clock said: after the clock went
// back, the cap still evicts in the order the keys were derived.
TEST(SkippedMessageKeys, TheCapEvictsInStoringOrderEvenWhenTheClockWentBack) {
  SkippedMessageKeys keys(2);
  keys.insert(id(1, 0), key(0), kStoredAt);
  keys.insert(id(1, 1), key(1), kStoredAt - days(3));
  keys.insert(id(1, 2), key(2), kStoredAt - days(5));
  EXPECT_EQ(numbers(keys), (std::vector<std::uint32_t>{1, 2}));
}

TEST(SkippedMessageKeys, StoringAKeyAgainKeepsItsPlaceAndItsTime) {
  SkippedMessageKeys keys(2);
  keys.insert(id(1, 0), key(0), kStoredAt);
  keys.insert(id(1, 1), key(1), kStoredAt);
  keys.insert(id(1, 0), key(9), kStoredAt + days(10));
  ASSERT_NE(keys.find(id(1, 0)), nullptr);
  EXPECT_EQ(keys.find(id(1, 0))->stored_at, kStoredAt);
  EXPECT_TRUE(keys.find(id(1, 0))->key == key(9));
  keys.insert(id(1, 2), key(2), kStoredAt);
  EXPECT_EQ(numbers(keys), (std::vector<std::uint32_t>{1, 2}));
}

TEST(SkippedMessageKeys, ExpireRemovesOnlyKeysOlderThanTheMaximumAge) {
  SkippedMessageKeys keys;
  keys.insert(id(1, 0), key(0), kStoredAt - seconds(1));  // one second past the maximum age
  keys.insert(id(1, 1), key(1), kStoredAt);               // exactly at it
  keys.insert(id(1, 2), key(2), kStoredAt + seconds(1));  // one second short of it
  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt + days(30))), 1u);
  EXPECT_EQ(keys.find(id(1, 0)), nullptr);
  EXPECT_EQ(numbers(keys), (std::vector<std::uint32_t>{1, 2}));

  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt + days(30))), 0u) << "nothing more to remove";
  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt + days(30) + seconds(1))), 1u);
  EXPECT_EQ(numbers(keys), (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt + days(30) + seconds(2))), 1u);
  EXPECT_EQ(keys.size(), 0u);
}

TEST(SkippedMessageKeys, ExpireKeepsTheSurvivorsInOrderForTheCap) {
  SkippedMessageKeys keys(3);
  keys.insert(id(1, 0), key(0), kStoredAt);
  keys.insert(id(1, 1), key(1), kStoredAt - days(40));
  keys.insert(id(1, 2), key(2), kStoredAt);
  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt)), 1u);
  keys.insert(id(1, 3), key(3), kStoredAt);
  keys.insert(id(1, 4), key(4), kStoredAt);
  EXPECT_EQ(numbers(keys), (std::vector<std::uint32_t>{2, 3, 4}));
}

// The clock went back (or a stored time was hostile): the key is re-stamped
// with the current time at the first pass, and lives max_age from then, not
// until its far-future time comes round.
TEST(SkippedMessageKeys, AKeyStoredInTheFutureLivesAtMostTheMaximumAgeFromTheFirstPass) {
  SkippedMessageKeys keys;
  keys.insert(id(1, 0), key(0), kStoredAt + days(3650));
  keys.insert(id(1, 1), key(1), kLatestSkippedKeyTime);
  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt)), 0u);
  EXPECT_EQ(keys.find(id(1, 0))->stored_at, kStoredAt);
  EXPECT_EQ(keys.find(id(1, 1))->stored_at, kStoredAt);
  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt + days(30))), 0u);
  EXPECT_EQ(keys.expire(SkippedKeyExpiry(kStoredAt + days(30) + seconds(1))), 2u);
}

TEST(SkippedMessageKeys, TimesOutsideTheStorableRangeAreClampedOnInsert) {
  SkippedMessageKeys keys;
  keys.insert(id(1, 0), key(0), sys_seconds::max());
  keys.insert(id(1, 1), key(1), sys_seconds(seconds(-1)));
  EXPECT_EQ(keys.find(id(1, 0))->stored_at, kLatestSkippedKeyTime);
  EXPECT_EQ(keys.find(id(1, 1))->stored_at, kEarliestSkippedKeyTime);
}

TEST(SkippedMessageKeys, DefaultCapacityIsTwoThousand) {
  SkippedMessageKeys keys;
  EXPECT_EQ(keys.capacity(), kMaxStoredSkippedKeys);
  EXPECT_EQ(kMaxStoredSkippedKeys, 2000u);
}

}  // namespace
}  // namespace sotto::crypto
