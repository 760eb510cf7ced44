#pragma once

// A Double Ratchet session (Signal, "The Double Ratchet Algorithm", rev. 1,
// 2016-11-20) on the key agreed by X3DH. This is all the programs see of the
// ratchet: create, encrypt, decrypt, store, load. docs/crypto.md gives the
// KDFs, the message format and the stored form.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/skipped_key_expiry.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

struct RatchetState;

// How far one message may jump ahead in one chain (the spec's MAX_SKIP): a
// message that would need more message keys to be skipped and stored is
// refused. 1000 tolerates a long burst of lost or delayed messages while
// bounding the work (1000 HMACs) a forged header can cause.
inline constexpr std::uint32_t kMaxSkip = 1000;

// Not thread-safe: one owner uses a session at a time (msgd serializes access
// per peer).
class RatchetSession {
 public:
  // The X3DH initiator ("Alice"): may send at once.
  static RatchetSession initiate(const SecretBytes& shared_secret, ByteView associated_data,
                                 const X25519PublicKey& peer_signed_prekey);
  // The X3DH responder ("Bob"): must decrypt the initiator's first message
  // before it can send.
  static RatchetSession respond(const SecretBytes& shared_secret, ByteView associated_data,
                                const X25519KeyPair& my_signed_prekey);

  // Loads what serialize() produced, now or in the previous format version.
  // Throws CryptoError for a truncated, corrupted, inconsistent or foreign
  // blob. Skipped keys of a previous-version blob did not record when they
  // were stored and count as stored at `now` (ratchet_state_codec.h says
  // why). Loading expires nothing: call expire_skipped_keys() for that.
  static RatchetSession deserialize(ByteView stored, std::chrono::sys_seconds now);
  // As above at the system clock's time.
  static RatchetSession deserialize(ByteView stored);

  // Copying would let two copies encrypt with the same message keys (a GCM
  // nonce reuse), so a session can only be moved; serialize() is the
  // deliberate way to duplicate one.
  RatchetSession(const RatchetSession&) = delete;
  RatchetSession& operator=(const RatchetSession&) = delete;
  RatchetSession(RatchetSession&&) noexcept;
  RatchetSession& operator=(RatchetSession&&) noexcept;
  ~RatchetSession();

  // Returns the message to send (docs/crypto.md, "Message format"). Throws
  // CryptoError on the responder before its first received message.
  Bytes encrypt(ByteView plaintext);

  // Returns the plaintext. Throws CryptoError for a malformed, tampered,
  // foreign, duplicate or too-far-ahead message, or a late one whose skipped
  // key has expired; the session is then exactly as it was before the call.
  // Keys skipped by this message are stamped expiry.now(). After a success,
  // expired skipped keys are removed (as expire_skipped_keys does) -- only
  // then, so that a refused message cannot change the session.
  Bytes decrypt(ByteView message, const SkippedKeyExpiry& expiry);
  // As above at the system clock's time, with the default maximum age.
  Bytes decrypt(ByteView message);

  // Removes (and wipes) the skipped keys older than expiry allows and
  // re-stamps any stored "in the future" (skipped_key_expiry.h). Returns the
  // number removed. For sessions that sit idle: decrypt() does this itself.
  std::size_t expire_skipped_keys(const SkippedKeyExpiry& expiry);

  // True once a message from the peer has been decrypted. Until then the
  // initiator must send its messages wrapped in an InitialMessage.
  bool has_received_message() const;

  // The whole state, keys included (docs/crypto.md, "Session state
  // serialization"). Store it as carefully as the identity key.
  SecretBytes serialize() const;

 private:
  explicit RatchetSession(std::unique_ptr<RatchetState> state);
  std::unique_ptr<RatchetState> state_;
};

}  // namespace sotto::crypto
