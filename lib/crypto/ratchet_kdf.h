#pragma once

// The three KDFs of the Double Ratchet (Signal, "The Double Ratchet
// Algorithm", rev. 1, 2016-11-20, §5.2), as Sotto instantiates them. All keys
// here are 32 bytes. docs/crypto.md, "Double Ratchet", gives the exact inputs.

#include <cstddef>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

inline constexpr std::size_t kRatchetKeySize = 32;
inline constexpr std::size_t kMessageNonceSize = 12;  // AES-256-GCM's native nonce size

struct RootKdfOutput {
  SecretBytes root_key;
  SecretBytes chain_key;
};

// KDF_RK: HKDF-SHA256(salt = root key, ikm = DH output, info = "Sotto ratchet root v1"),
// 64 bytes = new root key || new chain key.
RootKdfOutput kdf_root(ByteView root_key, ByteView dh_output);

struct ChainKdfOutput {
  SecretBytes message_key;
  SecretBytes chain_key;
};

// KDF_CK: message key = HMAC-SHA256(chain key, 0x01), next chain key =
// HMAC-SHA256(chain key, 0x02).
ChainKdfOutput kdf_chain(ByteView chain_key);

// The AES-256-GCM key and nonce for one message:
// HKDF-SHA256(salt = 32 zero bytes, ikm = message key, info = "Sotto message keys v1"),
// 44 bytes = key (32) || nonce (12). Each message key encrypts one message
// only, so the derived nonce never repeats under its key.
struct MessageCipherKey {
  SecretBytes bytes;  // 44 bytes
  ByteView key() const { return bytes.view().first(kRatchetKeySize); }
  ByteView nonce() const { return bytes.view().subspan(kRatchetKeySize, kMessageNonceSize); }
};
MessageCipherKey derive_message_cipher_key(ByteView message_key);

}  // namespace sotto::crypto
