#pragma once

// The fixed sender chain the sender-key fuzz targets share
// (sender_key_message_fuzz, sender_key_state_fuzz), and the short
// conversation their receivers are built from. tests/fuzz/make_sender_key_seeds.py
// builds the seed corpora from the same values, independently of this code,
// so the seeds that must decrypt also cross-check the two.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_chain.h"
#include "lib/crypto/sender_key_receiver.h"

namespace sotto::fuzz {

// Every plaintext the fixed chain encrypts starts with these bytes.
inline constexpr std::string_view kSenderKeySeedPrefix = "fuzz seed: ";
inline constexpr std::uint32_t kFixedKeyId = 0x00C0FFEE;
// The receiver of the conversation has read iterations 0, 2 and 5 of ten.
inline constexpr std::size_t kConversationLength = 10;
inline constexpr std::uint32_t kConversationRead[] = {0, 2, 5};

// n bytes counting up from `first`: fixed, recognisable test values.
inline crypto::Bytes counting(std::uint8_t first, std::size_t n) {
  crypto::Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

inline crypto::GroupId fixed_group_id() {
  const crypto::Bytes b = counting(0xf0, crypto::kGroupIdSize);
  crypto::GroupId id{};
  std::copy(b.begin(), b.end(), id.begin());
  return id;
}

// u8 5 || "alice" || u64 BE epoch 1, the encoding docs/crypto.md suggests.
inline crypto::Bytes fixed_context() {
  crypto::Bytes out{5, 'a', 'l', 'i', 'c', 'e'};
  for (int i = 0; i < 7; ++i) out.push_back(0);
  out.push_back(1);
  return out;
}

inline crypto::SenderKeyChain fixed_chain() {
  return crypto::SenderKeyChain::from_keys(fixed_group_id(), kFixedKeyId, 0, crypto::SecretBytes(counting(0x00, 32)),
                                           crypto::Ed25519KeyPair::from_seed(counting(0x40, 32)));
}

inline crypto::Bytes to_fixture_bytes(std::string_view s) {
  const crypto::ByteView v = crypto::as_bytes(s);
  return crypto::Bytes(v.begin(), v.end());
}

struct ConversationMessage {
  crypto::Bytes bytes;
  crypto::Bytes plaintext;
  bool deliverable = false;  // false: the receiver has read it, so it is a replay
};

struct Conversation {
  crypto::Bytes receiver_state;               // after reading kConversationRead
  std::vector<ConversationMessage> messages;  // iterations 0 .. kConversationLength - 1
};

// The fixed chain's first ten messages ("fuzz seed: c0" ...), and a receiver
// from its distribution at iteration 0 that has read 0, 2 and 5: it is at
// iteration 6 and holds the keys of 1, 3 and 4.
inline Conversation fixed_conversation() {
  crypto::SenderKeyChain chain = fixed_chain();
  crypto::SenderKeyReceiver receiver = crypto::SenderKeyReceiver::from_distribution(chain.distribution());
  Conversation c;
  for (std::size_t i = 0; i < kConversationLength; ++i) {
    std::string text(kSenderKeySeedPrefix);
    text += "c";
    text += std::to_string(i);
    const crypto::Bytes plain = to_fixture_bytes(text);
    c.messages.push_back({chain.encrypt(plain, fixed_context()), plain, true});
  }
  for (const std::uint32_t i : kConversationRead) {
    receiver.decrypt(c.messages[i].bytes, fixed_context());
    c.messages[i].deliverable = false;
  }
  const crypto::SecretBytes stored = receiver.serialize();
  c.receiver_state.assign(stored.view().begin(), stored.view().end());
  return c;
}

}  // namespace sotto::fuzz
