#pragma once

#include <algorithm>

// Shared set-up for the sender-key tests: fixed group ids and contexts, the
// serialized form of either state (to compare before and after a refusal),
// and a small group whose members each hold a receiver for every other
// member's chain.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/sender_key_chain.h"
#include "lib/crypto/sender_key_receiver.h"
#include "tests/unit/lib/crypto/session_test_support.h"

namespace sotto::crypto::testing {

inline GroupId group_id_from(std::uint8_t start) {
  GroupId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(start + i);
  return id;
}

// What msgd is expected to pass as the context: u8 username length ||
// username || u64 BE group epoch. Any unambiguous encoding would do.
// Sized once and filled by index: appending to a one-byte vector trips
// g++ 12's false -Warray-bounds at -O2 and above.
inline Bytes group_context(std::string_view sender, std::uint64_t epoch) {
  Bytes out(1 + sender.size() + 8);
  out[0] = static_cast<std::uint8_t>(sender.size());
  std::copy(sender.begin(), sender.end(), out.begin() + 1);
  for (std::size_t i = 0; i < 8; ++i) out[1 + sender.size() + i] = static_cast<std::uint8_t>(epoch >> (56 - 8 * i));
  return out;
}

inline Bytes serialized(const SenderKeyReceiver& r) {
  const SecretBytes b = r.serialize();
  return Bytes(b.view().begin(), b.view().end());
}

inline Bytes serialized(const SenderKeyChain& c) {
  const SecretBytes b = c.serialize();
  return Bytes(b.view().begin(), b.view().end());
}

// Runs f, expects a CryptoError containing needle, and expects the receiver
// to serialize to the same bytes afterwards.
template <typename F>
void expect_refused_and_unchanged(const SenderKeyReceiver& receiver, F&& f, std::string_view needle) {
  const Bytes before = serialized(receiver);
  expect_crypto_error(std::forward<F>(f), needle);
  EXPECT_EQ(serialized(receiver), before) << "a refusal changed the receiver";
}

// A group of members named m0, m1, ...: each has its own chain, and a
// receiver for every other member's chain made from its distribution.
struct GroupMember {
  std::string name;
  SenderKeyChain chain;
  std::vector<SenderKeyReceiver> receivers;  // receivers[j]: member j's chain (own slot unused)
};

inline std::vector<GroupMember> make_group(const GroupId& group, std::size_t size) {
  std::vector<GroupMember> members;
  for (std::size_t i = 0; i < size; ++i) {
    members.push_back({"m" + std::to_string(i), SenderKeyChain::generate(group), {}});
  }
  for (GroupMember& reader : members) {
    for (const GroupMember& writer : members) {
      reader.receivers.push_back(SenderKeyReceiver::from_distribution(writer.chain.distribution()));
    }
  }
  return members;
}

}  // namespace sotto::crypto::testing
