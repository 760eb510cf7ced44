#pragma once

// The receiving side of sender keys: what a member keeps to read one other
// member's chain in one group, made from that member's distribution
// (sender_key_distribution.h). msgd keeps one per (group, sender, key id):
// the sender is the pairwise peer the distribution came from, and the
// message header's key id picks among that sender's chains.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/crypto/sender_key_message.h"

namespace sotto::crypto {

struct SenderReceiverState;

// How far one group message may jump ahead of the next expected iteration:
// the pairwise ratchet's MAX_SKIP (double_ratchet.h, kMaxSkip), for the same
// reason: it tolerates a long run of lost or delayed messages while bounding
// the work (1000 HMAC pairs) one message can cause. A separate constant
// because it is part of this scheme's documented behaviour.
inline constexpr std::uint32_t kSenderKeyMaxSkip = 1000;

// Message keys held for skipped iterations, at most this many per chain
// followed; the oldest (lowest iteration) go first. Two full jumps fit. Each
// costs 36 bytes stored, so a chain followed stores at most 72,000 bytes of keys.
inline constexpr std::size_t kSenderKeyMaxStoredKeys = 2000;

// Not thread-safe: msgd serializes access per (group, sender).
class SenderKeyReceiver {
 public:
  // Starts following the chain at the distribution's iteration.
  static SenderKeyReceiver from_distribution(const SenderKeyDistribution& distribution);

  // Loads what serialize() produced. Throws CryptoError for a truncated,
  // corrupted, inconsistent or foreign blob.
  static SenderKeyReceiver deserialize(ByteView stored);

  // Copying would let two copies each accept the same message once, so a
  // receiver can only be moved; serialize() is the deliberate way to
  // duplicate one.
  SenderKeyReceiver(const SenderKeyReceiver&) = delete;
  SenderKeyReceiver& operator=(const SenderKeyReceiver&) = delete;
  SenderKeyReceiver(SenderKeyReceiver&&) noexcept;
  SenderKeyReceiver& operator=(SenderKeyReceiver&&) noexcept;
  ~SenderKeyReceiver();

  // Returns the plaintext of a message from this chain. context must be the
  // bytes the sender passed to SenderKeyChain::encrypt. Checks, in order:
  // format, group id, key id, the signature, then the iteration (a replay or
  // a key no longer held is refused, as is a jump of more than
  // kSenderKeyMaxSkip), then the AEAD. Throws CryptoError on any failure and
  // leaves the state exactly as it was.
  Bytes decrypt(ByteView message, ByteView context);

  // Another distribution for the chain this receiver follows (same group and
  // key id), e.g. one sent again. The chain never moves back:
  //  - an older iteration than next_iteration() is refused (CryptoError);
  //  - the same iteration must carry the same chain key, and changes nothing;
  //  - a later iteration, at most kSenderKeyMaxSkip ahead, must be where this
  //    chain leads (checked by stepping to it); the keys in between are kept
  //    as skipped keys and the receiver moves to the distribution's point, so
  //    no message it could read before becomes unreadable;
  //  - a later iteration further ahead cannot be checked at a bounded cost and
  //    is adopted as it is (the pairwise session authenticated its sender),
  //    so that a member that fell more than kSenderKeyMaxSkip behind can be
  //    brought back; messages in the gap are then lost to it.
  // A different group, key id or signing key, or a chain key that disagrees,
  // is refused. Every refusal leaves the state exactly as it was.
  void merge_distribution(const SenderKeyDistribution& distribution);

  const GroupId& group_id() const;
  std::uint32_t key_id() const;
  // The lowest iteration not yet derived: messages below it are readable
  // only if their key is held as a skipped key.
  std::uint32_t next_iteration() const;

  // The whole state, keys included (docs/crypto.md). Store it as carefully
  // as a ratchet session.
  SecretBytes serialize() const;

 private:
  explicit SenderKeyReceiver(std::unique_ptr<SenderReceiverState> state);
  std::unique_ptr<SenderReceiverState> state_;
};

}  // namespace sotto::crypto
