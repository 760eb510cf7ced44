#pragma once

// The stored forms of the sender-key states (docs/crypto.md, "Groups: sender
// keys"): stored blobs (stored_blob.h) with magic "SOGS" (own sending chain)
// and "SOGR" (a receiver of another member's chain), version 1.

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/sender_key_state.h"

namespace sotto::crypto {

SecretBytes encode_sender_chain_state(const SenderChainState& state);
// Throws CryptoError for a truncated, corrupted, oversized or foreign blob.
SenderChainState decode_sender_chain_state(ByteView stored);

SecretBytes encode_sender_receiver_state(const SenderReceiverState& state);
// Checks the checksum first, then the skipped-key count against its bound
// and the bytes present, then that the skipped iterations strictly increase
// and all lie below the next iteration. Throws CryptoError.
SenderReceiverState decode_sender_receiver_state(ByteView stored);

}  // namespace sotto::crypto
