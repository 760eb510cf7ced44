#pragma once

#include <cstddef>

#include "lib/crypto/bytes.h"
#include "lib/crypto/openssl_handles.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

// AES-256-GCM with a 128-bit tag appended to the ciphertext.
inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;  // the size Sotto's own constructions use
inline constexpr std::size_t kGcmTagSize = 16;

// Holds an expanded key so that many messages or file chunks under one key do
// not pay the key schedule again. Not thread-safe; one per user of the key.
class Aes256Gcm {
 public:
  // key must be 32 bytes.
  explicit Aes256Gcm(ByteView key);

  // Returns ciphertext || tag. The nonce may be 1..128 bytes (GCM allows any
  // length; 12 bytes is the fast, recommended case). It must never repeat
  // under one key: callers derive it from a counter or a fresh key.
  Bytes seal(ByteView nonce, ByteView aad, ByteView plaintext);
  // Writes ciphertext || tag into out, which must hold plaintext.size() + 16.
  void seal_into(ByteView nonce, ByteView aad, ByteView plaintext, std::uint8_t* out);

  // Throws CryptoError("authentication failed") when the tag does not verify;
  // no plaintext is released then.
  Bytes open(ByteView nonce, ByteView aad, ByteView ciphertext_and_tag);
  // Writes the plaintext into out, which must hold ciphertext_and_tag.size() - 16.
  // On failure the bytes written to out are wiped before the throw.
  void open_into(ByteView nonce, ByteView aad, ByteView ciphertext_and_tag, std::uint8_t* out);

 private:
  void start(ByteView nonce, bool encrypt);
  detail::CipherCtxPtr ctx_;
  std::size_t iv_length_ = kGcmNonceSize;
};

// One-shot forms.
Bytes aes256gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);
Bytes aes256gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView ciphertext_and_tag);

}  // namespace sotto::crypto
