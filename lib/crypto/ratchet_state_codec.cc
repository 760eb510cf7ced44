#include "lib/crypto/ratchet_state_codec.h"

#include <string>

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"
#include "lib/crypto/ratchet_kdf.h"
#include "lib/crypto/stored_blob.h"

namespace sotto::crypto {

namespace {

constexpr std::string_view kMagic = "SORS";
constexpr std::string_view kWhat = "ratchet state";

constexpr std::uint8_t kHasRemoteRatchetKey = 0x01;
constexpr std::uint8_t kHasSendingChain = 0x02;
constexpr std::uint8_t kHasReceivingChain = 0x04;
constexpr std::uint8_t kKnownFlags = kHasRemoteRatchetKey | kHasSendingChain | kHasReceivingChain;

// Ratchet key, N and message key; version 2 adds the u64 time it was stored.
constexpr std::size_t kSkippedEntrySizeV1 = kX25519KeySize + 4 + kRatchetKeySize;
constexpr std::size_t kSkippedEntrySize = kSkippedEntrySizeV1 + 8;

std::uint64_t seconds_since_epoch(std::chrono::sys_seconds t) {
  return static_cast<std::uint64_t>(t.time_since_epoch().count());
}

[[noreturn]] void fail(std::string_view problem) {
  std::string msg(kWhat);
  msg += ": ";
  msg += problem;
  throw CryptoError(msg);
}

std::size_t body_size(const RatchetState& s) {
  std::size_t n = 2 + s.associated_data.size() + kRatchetKeySize + kX25519KeySize + 1;
  if (s.remote_ratchet_key) n += kX25519KeySize;
  if (s.sending_chain_key) n += kRatchetKeySize;
  if (s.receiving_chain_key) n += kRatchetKeySize;
  n += 3 * 4;
  n += 1 + s.retired_remote_keys.size() * kX25519KeySize;
  n += 2 + s.skipped.size() * kSkippedEntrySize;
  return n;
}

SecretBytes read_key(ByteReader& r, std::string_view field) { return SecretBytes(r.bytes(kRatchetKeySize, field)); }

}  // namespace

SecretBytes encode_ratchet_state(const RatchetState& s) {
  // Limits are checked on the way out too, so that a state this code writes
  // is always one it will read back.
  if (s.associated_data.size() > kMaxAssociatedDataSize) fail("associated data too long to store");
  if (s.retired_remote_keys.size() > kMaxRetiredRatchetKeys) fail("too many retired ratchet keys to store");
  if (s.skipped.size() > kMaxStoredSkippedKeys) fail("too many skipped message keys to store");
  // Skipped-key times need no check here: SkippedMessageKeys clamps every
  // time it holds into the range the reader accepts.
  if (s.root_key.size() != kRatchetKeySize || (s.sending_chain_key && s.sending_chain_key->size() != kRatchetKeySize) ||
      (s.receiving_chain_key && s.receiving_chain_key->size() != kRatchetKeySize)) {
    fail("key of the wrong size");
  }

  return seal_stored_blob(kMagic, kRatchetStateVersion, body_size(s), [&](ByteWriter& w) {
    w.u16(static_cast<std::uint16_t>(s.associated_data.size()));
    w.bytes(s.associated_data);
    w.bytes(s.root_key.view());
    w.bytes(s.sending_ratchet_key.private_key().view());
    std::uint8_t flags = 0;
    if (s.remote_ratchet_key) flags |= kHasRemoteRatchetKey;
    if (s.sending_chain_key) flags |= kHasSendingChain;
    if (s.receiving_chain_key) flags |= kHasReceivingChain;
    w.u8(flags);
    if (s.remote_ratchet_key) w.bytes(*s.remote_ratchet_key);
    if (s.sending_chain_key) w.bytes(s.sending_chain_key->view());
    if (s.receiving_chain_key) w.bytes(s.receiving_chain_key->view());
    w.u32(s.send_count);
    w.u32(s.receive_count);
    w.u32(s.previous_send_count);
    w.u8(static_cast<std::uint8_t>(s.retired_remote_keys.size()));
    for (const X25519PublicKey& k : s.retired_remote_keys) w.bytes(k);
    w.u16(static_cast<std::uint16_t>(s.skipped.size()));
    s.skipped.for_each([&](const SkippedKeyId& id, const StoredSkippedKey& k) {
      w.bytes(id.ratchet_key);
      w.u32(id.message_number);
      w.bytes(k.key.view());
      w.u64(seconds_since_epoch(k.stored_at));
    });
  });
}

RatchetState decode_ratchet_state(ByteView stored, std::chrono::sys_seconds loaded_at) {
  const OpenedStoredBlob blob =
      open_stored_blob_versions(stored, kMagic, kRatchetStateVersionWithoutKeyTimes, kRatchetStateVersion, kWhat);
  const bool has_key_times = blob.version >= kRatchetStateVersion;
  ByteReader r(blob.body, kWhat);

  const std::uint16_t ad_size = r.u16("associated data length");
  if (ad_size > kMaxAssociatedDataSize) fail("associated data length out of range");
  const ByteView ad = r.bytes(ad_size, "associated data");
  SecretBytes root_key = read_key(r, "root key");
  // The public half is derived, not stored, so the two cannot disagree.
  X25519KeyPair sending_ratchet_key = X25519KeyPair::from_private(r.bytes(kX25519KeySize, "sending ratchet key"));

  const std::uint8_t flags = r.u8("flags");
  if ((flags & ~kKnownFlags) != 0) fail("unknown flags");
  std::optional<X25519PublicKey> remote;
  if (flags & kHasRemoteRatchetKey) r.copy_to(remote.emplace(), "remote ratchet key");
  std::optional<SecretBytes> sending_chain;
  if (flags & kHasSendingChain) sending_chain = read_key(r, "sending chain key");
  std::optional<SecretBytes> receiving_chain;
  if (flags & kHasReceivingChain) receiving_chain = read_key(r, "receiving chain key");

  const std::uint32_t send_count = r.u32("send count");
  const std::uint32_t receive_count = r.u32("receive count");
  const std::uint32_t previous_send_count = r.u32("previous send count");

  // The states the ratchet can reach: a receiving chain always has the key it
  // belongs to; without a sending chain nothing has been sent; without a
  // receiving chain nothing has been received.
  if (receiving_chain && !remote) fail("receiving chain without a remote ratchet key");
  if (!sending_chain && (send_count != 0 || previous_send_count != 0)) fail("send counts without a sending chain");
  if (!receiving_chain && receive_count != 0) fail("receive count without a receiving chain");

  const std::uint8_t retired_count = r.u8("retired key count");
  if (retired_count > kMaxRetiredRatchetKeys) fail("retired key count out of range");
  std::deque<X25519PublicKey> retired(retired_count);
  for (X25519PublicKey& k : retired) r.copy_to(k, "retired ratchet key");

  const std::uint16_t skipped_count = r.u16("skipped key count");
  if (skipped_count > kMaxStoredSkippedKeys) fail("skipped key count out of range");
  // The count is checked against the bytes actually present before anything
  // is allocated for it.
  const std::size_t entry_size = has_key_times ? kSkippedEntrySize : kSkippedEntrySizeV1;
  if (r.remaining() != std::size_t{skipped_count} * entry_size) fail("skipped key count does not match length");
  const std::chrono::sys_seconds old_entries_time = storable_skipped_key_time(loaded_at);
  SkippedMessageKeys skipped;
  for (std::uint16_t i = 0; i < skipped_count; ++i) {
    SkippedKeyId id;
    r.copy_to(id.ratchet_key, "skipped key ratchet key");
    id.message_number = r.u32("skipped key number");
    if (skipped.find(id) != nullptr) fail("the same skipped message key is stored twice");
    SecretBytes key = read_key(r, "skipped message key");
    std::chrono::sys_seconds stored_at = old_entries_time;
    if (has_key_times) {
      // Refused rather than clamped: the writer never produces such a time,
      // so one here is corruption. (A time that is in range but in the future
      // loads, and expiry re-stamps it: see skipped_key_expiry.h.)
      const std::uint64_t seconds = r.u64("skipped key time");
      if (seconds > seconds_since_epoch(kLatestSkippedKeyTime)) fail("skipped key time out of range");
      stored_at = std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(seconds)));
    }
    skipped.insert(id, std::move(key), stored_at);
  }
  r.expect_end();

  RatchetState state(Bytes(ad.begin(), ad.end()), std::move(root_key), std::move(sending_ratchet_key));
  state.remote_ratchet_key = remote;
  state.sending_chain_key = std::move(sending_chain);
  state.receiving_chain_key = std::move(receiving_chain);
  state.send_count = send_count;
  state.receive_count = receive_count;
  state.previous_send_count = previous_send_count;
  state.retired_remote_keys = std::move(retired);
  state.skipped = std::move(skipped);
  return state;
}

}  // namespace sotto::crypto
