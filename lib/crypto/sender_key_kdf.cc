#include "lib/crypto/sender_key_kdf.h"

#include <array>
#include <cstdint>

#include "lib/crypto/error.h"
#include "lib/crypto/hkdf.h"

namespace sotto::crypto {

namespace {
// RFC 5869 §2.2: no salt means HashLen zero bytes; written out to be explicit,
// as the pairwise message key derivation does.
constexpr std::array<std::uint8_t, 32> kSenderKeyZeroSalt{};
}  // namespace

MessageCipherKey derive_sender_key_cipher_key(ByteView message_key) {
  if (message_key.size() != kRatchetKeySize) throw CryptoError("group message key must be 32 bytes");
  return MessageCipherKey{hkdf_sha256(message_key, kSenderKeyZeroSalt, as_bytes(kSenderKeyMessageInfo),
                                      kRatchetKeySize + kMessageNonceSize)};
}

}  // namespace sotto::crypto
