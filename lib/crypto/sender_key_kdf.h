#pragma once

// The keys of one group message (docs/crypto.md, "Groups: sender keys").
//
// A sender chain steps with the Double Ratchet's KDF_CK (ratchet_kdf.h,
// kdf_chain) unchanged: message key = HMAC-SHA256(chain key, 0x01), next
// chain key = HMAC-SHA256(chain key, 0x02). HMAC is one-way, so whoever holds
// the chain key at iteration n cannot compute any earlier key. Only the
// expansion of a message key into an AES key and nonce differs, by its HKDF
// label, so that a group message key and a pairwise one never yield the same
// AES key and nonce even if the same 32 bytes turned up in both.

#include <string_view>

#include "lib/crypto/bytes.h"
#include "lib/crypto/ratchet_kdf.h"

namespace sotto::crypto {

inline constexpr std::string_view kSenderKeyMessageInfo = "Sotto group message keys v1";

// HKDF-SHA256(salt = 32 zero bytes, ikm = message key, info = "Sotto group
// message keys v1"), 44 bytes = AES-256-GCM key (32) || nonce (12). Each
// message key encrypts one message only, so the nonce never repeats under
// its key. Throws CryptoError unless message_key is 32 bytes.
MessageCipherKey derive_sender_key_cipher_key(ByteView message_key);

}  // namespace sotto::crypto
