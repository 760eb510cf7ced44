#pragma once

// The two states of the sender-key scheme. Internal to lib/crypto:
// SenderKeyChain and SenderKeyReceiver own them, sender_key_state_codec
// stores them. Not to be used by the programs directly.

#include <cstdint>
#include <map>
#include <utility>

#include "lib/crypto/ed25519.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_message.h"

namespace sotto::crypto {

// A member's own chain for one group.
struct SenderChainState {
  SenderChainState(const GroupId& group, std::uint32_t id, std::uint32_t next, SecretBytes chain, Ed25519KeyPair signer)
      : group_id(group), key_id(id), iteration(next), chain_key(std::move(chain)), signing_key(std::move(signer)) {}

  GroupId group_id;
  std::uint32_t key_id;
  std::uint32_t iteration;     // of the next message to send
  SecretBytes chain_key;       // the chain key for that iteration
  Ed25519KeyPair signing_key;  // this chain's own, not the identity key
};

// What a member keeps to read another member's chain in one group.
struct SenderReceiverState {
  SenderReceiverState(const GroupId& group, std::uint32_t id, std::uint32_t next, SecretBytes chain,
                      const Ed25519PublicKey& signer)
      : group_id(group), key_id(id), next_iteration(next), chain_key(std::move(chain)), signing_key(signer) {}

  GroupId group_id;
  std::uint32_t key_id;
  std::uint32_t next_iteration;  // the next iteration not yet derived
  SecretBytes chain_key;         // the chain key for next_iteration
  Ed25519PublicKey signing_key;
  // Message keys of iterations below next_iteration whose messages have not
  // arrived yet. A chain derives its keys in increasing order, so the
  // smallest iteration is also the oldest key: it is the first evicted.
  std::map<std::uint32_t, SecretBytes> skipped;
};

}  // namespace sotto::crypto
