#include "lib/crypto/sender_key_state_codec.h"

#include <string>

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"
#include "lib/crypto/ratchet_kdf.h"
#include "lib/crypto/sender_key_receiver.h"
#include "lib/crypto/stored_blob.h"

namespace sotto::crypto {

namespace {

constexpr std::string_view kChainMagic = "SOGS";
constexpr std::string_view kReceiverMagic = "SOGR";
constexpr std::uint8_t kGroupStateVersion = 1;
constexpr std::string_view kChainWhat = "sender chain state";
constexpr std::string_view kReceiverWhat = "sender key receiver state";

constexpr std::size_t kChainBodySize = kGroupIdSize + 4 + 4 + kRatchetKeySize + kEd25519SeedSize;
constexpr std::size_t kReceiverFixedSize = kGroupIdSize + 4 + 4 + kRatchetKeySize + kEd25519PublicKeySize + 2;
constexpr std::size_t kReceiverSkippedEntrySize = 4 + kRatchetKeySize;

[[noreturn]] void fail_group_state(std::string_view what, std::string_view problem) {
  std::string msg(what);
  msg += ": ";
  msg += problem;
  throw CryptoError(msg);
}

}  // namespace

SecretBytes encode_sender_chain_state(const SenderChainState& s) {
  if (s.chain_key.size() != kRatchetKeySize) fail_group_state(kChainWhat, "chain key of the wrong size");
  return seal_stored_blob(kChainMagic, kGroupStateVersion, kChainBodySize, [&](ByteWriter& w) {
    w.bytes(s.group_id);
    w.u32(s.key_id);
    w.u32(s.iteration);
    w.bytes(s.chain_key.view());
    w.bytes(s.signing_key.seed().view());
  });
}

SenderChainState decode_sender_chain_state(ByteView stored) {
  ByteReader r(open_stored_blob(stored, kChainMagic, kGroupStateVersion, kChainWhat), kChainWhat);
  GroupId group_id{};
  r.copy_to(group_id, "group id");
  const std::uint32_t key_id = r.u32("key id");
  const std::uint32_t iteration = r.u32("iteration");
  SecretBytes chain_key(r.bytes(kRatchetKeySize, "chain key"));
  // The public half is derived, not stored, so the two cannot disagree.
  Ed25519KeyPair signing_key = Ed25519KeyPair::from_seed(r.bytes(kEd25519SeedSize, "signing key"));
  r.expect_end();
  return SenderChainState(group_id, key_id, iteration, std::move(chain_key), std::move(signing_key));
}

SecretBytes encode_sender_receiver_state(const SenderReceiverState& s) {
  // Limits and invariants are checked on the way out too, so that a state
  // this code writes is always one it will read back.
  if (s.chain_key.size() != kRatchetKeySize) fail_group_state(kReceiverWhat, "chain key of the wrong size");
  if (s.skipped.size() > kSenderKeyMaxStoredKeys) fail_group_state(kReceiverWhat, "too many skipped keys to store");
  if (!s.skipped.empty() && s.skipped.rbegin()->first >= s.next_iteration) {
    fail_group_state(kReceiverWhat, "a skipped key at or past the next iteration");
  }
  for (const auto& [iteration, key] : s.skipped) {
    if (key.size() != kRatchetKeySize) fail_group_state(kReceiverWhat, "skipped key of the wrong size");
  }
  const std::size_t body_size = kReceiverFixedSize + s.skipped.size() * kReceiverSkippedEntrySize;
  return seal_stored_blob(kReceiverMagic, kGroupStateVersion, body_size, [&](ByteWriter& w) {
    w.bytes(s.group_id);
    w.u32(s.key_id);
    w.u32(s.next_iteration);
    w.bytes(s.chain_key.view());
    w.bytes(s.signing_key);
    w.u16(static_cast<std::uint16_t>(s.skipped.size()));
    // std::map iterates in increasing iteration order: the order required.
    for (const auto& [iteration, key] : s.skipped) {
      w.u32(iteration);
      w.bytes(key.view());
    }
  });
}

SenderReceiverState decode_sender_receiver_state(ByteView stored) {
  ByteReader r(open_stored_blob(stored, kReceiverMagic, kGroupStateVersion, kReceiverWhat), kReceiverWhat);
  GroupId group_id{};
  r.copy_to(group_id, "group id");
  const std::uint32_t key_id = r.u32("key id");
  const std::uint32_t next_iteration = r.u32("next iteration");
  SecretBytes chain_key(r.bytes(kRatchetKeySize, "chain key"));
  Ed25519PublicKey signing_key{};
  r.copy_to(signing_key, "signing key");

  const std::uint16_t skipped_count = r.u16("skipped key count");
  if (skipped_count > kSenderKeyMaxStoredKeys) fail_group_state(kReceiverWhat, "skipped key count out of range");
  // The count is checked against the bytes actually present before anything
  // is read for it.
  if (r.remaining() != std::size_t{skipped_count} * kReceiverSkippedEntrySize) {
    fail_group_state(kReceiverWhat, "skipped key count does not match length");
  }
  SenderReceiverState state(group_id, key_id, next_iteration, std::move(chain_key), signing_key);
  // Strictly increasing, so no iteration is stored twice and the encoding of
  // a state is unique; below next_iteration, because a key at or past it has
  // not been derived yet.
  std::uint64_t lowest_allowed = 0;
  for (std::uint16_t i = 0; i < skipped_count; ++i) {
    const std::uint32_t iteration = r.u32("skipped key iteration");
    if (iteration < lowest_allowed) fail_group_state(kReceiverWhat, "skipped key iterations not strictly increasing");
    if (iteration >= next_iteration) fail_group_state(kReceiverWhat, "a skipped key at or past the next iteration");
    state.skipped.emplace_hint(state.skipped.end(), iteration, SecretBytes(r.bytes(kRatchetKeySize, "skipped key")));
    lowest_allowed = std::uint64_t{iteration} + 1;
  }
  r.expect_end();
  return state;
}

}  // namespace sotto::crypto
