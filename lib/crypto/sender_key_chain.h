#pragma once

// The sending side of sender keys (Signal's "Sender Keys" for groups): one
// chain per member per group. The member encrypts each group message once,
// under the next key of its chain, signs it with the chain's own signing key,
// and the relay fans the one ciphertext out to the group; each other member
// reads it with a SenderKeyReceiver made from this chain's distribution.
// docs/crypto.md, "Groups: sender keys", has the derivation and formats.
//
// After a member is removed, every remaining member replaces its chain with
// next_chain() and sends the new distribution to the remaining members only:
// the removed member knows the old chain key, and the old chain key leads to
// every later key of the old chain.

#include <cstdint>
#include <memory>

#include "lib/crypto/bytes.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/crypto/sender_key_message.h"

namespace sotto::crypto {

struct SenderChainState;

// Not thread-safe: one owner uses a chain at a time (msgd serializes sends
// per group).
class SenderKeyChain {
 public:
  // A new chain for group_id: a random 32-byte chain key at iteration 0, a
  // fresh Ed25519 signing key and a random key id.
  //
  // The signing key is the chain's own, never the identity key, because:
  // every member learns the chain key, so the signature is what stops one
  // member from writing as another, and a per-chain key does that while
  // proving nothing outside the group (its public half reaches only members,
  // inside deniable pairwise sessions; an identity-key signature would be a
  // proof of authorship anyone could check against the published identity);
  // it is retired with the chain, so a leaked chain signing key is worthless
  // after the next rotation; and the identity key keeps its single use
  // (signing its own DH key and signed prekeys).
  static SenderKeyChain generate(const GroupId& group_id);

  // A chain with the given keys, for known-answer tests (tests/data/sender_key).
  // Programs use generate() and next_chain(). Throws CryptoError unless
  // chain_key is 32 bytes.
  static SenderKeyChain from_keys(const GroupId& group_id, std::uint32_t key_id, std::uint32_t iteration,
                                  const SecretBytes& chain_key, const Ed25519KeyPair& signing_key);

  // Loads what serialize() produced. Throws CryptoError for a truncated,
  // corrupted or foreign blob.
  static SenderKeyChain deserialize(ByteView stored);

  // Copying would let two copies encrypt different messages under the same
  // message keys (a GCM nonce reuse), so a chain can only be moved;
  // serialize() is the deliberate way to duplicate one.
  SenderKeyChain(const SenderKeyChain&) = delete;
  SenderKeyChain& operator=(const SenderKeyChain&) = delete;
  SenderKeyChain(SenderKeyChain&&) noexcept;
  SenderKeyChain& operator=(SenderKeyChain&&) noexcept;
  ~SenderKeyChain();

  // The chain that replaces this one after a membership removal: a fresh
  // chain key, signing key and random key id, the id different from this
  // chain's so that no member can mistake one chain for the other.
  SenderKeyChain next_chain() const;

  // Returns the group message (docs/crypto.md) for plaintext and advances
  // the chain. context is bound into the AEAD (not sent): the receiver must
  // pass the same bytes. msgd passes an unambiguous encoding of the sender's
  // username and the group epoch, so a ciphertext cannot be moved to
  // another sender or epoch. Throws CryptoError when the chain is exhausted
  // (2^32 - 1 messages): rotate with next_chain().
  Bytes encrypt(ByteView plaintext, ByteView context);

  // What to send each member (over the pairwise session) so that it can read
  // this chain from the next message on; earlier messages stay unreadable
  // to it.
  SenderKeyDistribution distribution() const;

  const GroupId& group_id() const;
  std::uint32_t key_id() const;
  std::uint32_t iteration() const;  // of the next message encrypt() will produce

  // The whole state, keys included (docs/crypto.md). Store it as carefully
  // as a ratchet session.
  SecretBytes serialize() const;

 private:
  explicit SenderKeyChain(std::unique_ptr<SenderChainState> state);
  std::unique_ptr<SenderChainState> state_;
};

}  // namespace sotto::crypto
