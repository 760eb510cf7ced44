#include "lib/crypto/skipped_message_keys.h"

#include <gtest/gtest.h>

#include <vector>

namespace sotto::crypto {
namespace {

SkippedKeyId id(std::uint8_t key, std::uint32_t n) {
  SkippedKeyId out;
  out.ratchet_key.fill(key);
  out.message_number = n;
  return out;
}

SecretBytes key(std::uint8_t v) { return SecretBytes(Bytes(32, v)); }

std::vector<std::uint32_t> numbers(const SkippedMessageKeys& keys) {
  std::vector<std::uint32_t> out;
  keys.for_each([&](const SkippedKeyId& i, const SecretBytes&) { out.push_back(i.message_number); });
  return out;
}

TEST(SkippedMessageKeys, FindsOnlyTheExactKeyAndNumber) {
  SkippedMessageKeys keys;
  keys.insert(id(1, 5), key(0xaa));
  ASSERT_NE(keys.find(id(1, 5)), nullptr);
  EXPECT_TRUE(*keys.find(id(1, 5)) == key(0xaa));
  EXPECT_EQ(keys.find(id(1, 6)), nullptr);
  EXPECT_EQ(keys.find(id(2, 5)), nullptr);
}

TEST(SkippedMessageKeys, EraseRemovesTheKeyAndItsPlaceInLine) {
  SkippedMessageKeys keys(3);
  keys.insert(id(1, 0), key(0));
  keys.insert(id(1, 1), key(1));
  keys.erase(id(1, 0));
  keys.erase(id(9, 9));  // absent: nothing happens
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_EQ(numbers(keys), std::vector<std::uint32_t>{1});
}

TEST(SkippedMessageKeys, EvictsTheOldestKeysBeyondTheCapacity) {
  SkippedMessageKeys keys(3);
  for (std::uint32_t n = 0; n < 5; ++n) keys.insert(id(1, n), key(static_cast<std::uint8_t>(n)));
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys.find(id(1, 0)), nullptr);
  EXPECT_EQ(keys.find(id(1, 1)), nullptr);
  EXPECT_EQ(numbers(keys), (std::vector<std::uint32_t>{2, 3, 4}));
}

TEST(SkippedMessageKeys, DefaultCapacityIsTwoThousand) {
  SkippedMessageKeys keys;
  EXPECT_EQ(keys.capacity(), kMaxStoredSkippedKeys);
  EXPECT_EQ(kMaxStoredSkippedKeys, 2000u);
}

}  // namespace
}  // namespace sotto::crypto
