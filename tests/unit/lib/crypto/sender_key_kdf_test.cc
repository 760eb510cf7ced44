#include "lib/crypto/sender_key_kdf.h"

#include <gtest/gtest.h>

#include <array>

#include "lib/crypto/error.h"
#include "lib/crypto/hkdf.h"

namespace sotto::crypto {
namespace {

Bytes kdf_test_key(std::uint8_t start) {
  Bytes out(32);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(start + i);
  return out;
}

TEST(SenderKeyKdf, CipherKeyIsTheDocumentedHkdfSplitIntoKeyAndNonce) {
  const Bytes mk = kdf_test_key(0x70);
  const std::array<std::uint8_t, 32> zero_salt{};
  // Computed here with the HKDF primitive (RFC 5869, checked against
  // Wycheproof in hkdf_test.cc), not through the function under test.
  const SecretBytes expected = hkdf_sha256(mk, zero_salt, as_bytes("Sotto group message keys v1"), 44);
  const MessageCipherKey k = derive_sender_key_cipher_key(mk);
  EXPECT_EQ(to_hex(k.key()), to_hex(expected.view().first(32)));
  EXPECT_EQ(to_hex(k.nonce()), to_hex(expected.view().subspan(32)));
}

TEST(SenderKeyKdf, DiffersFromThePairwiseMessageKeyExpansion) {
  // The same 32 bytes as a pairwise message key and as a group message key
  // give unrelated AES keys and nonces: the labels differ.
  const Bytes mk = kdf_test_key(0x70);
  const MessageCipherKey group = derive_sender_key_cipher_key(mk);
  const MessageCipherKey pairwise = derive_message_cipher_key(mk);
  EXPECT_NE(to_hex(group.key()), to_hex(pairwise.key()));
  EXPECT_NE(to_hex(group.nonce()), to_hex(pairwise.nonce()));
}

TEST(SenderKeyKdf, RejectsAMessageKeyOfTheWrongSize) {
  EXPECT_THROW(derive_sender_key_cipher_key(Bytes(31)), CryptoError);
  EXPECT_THROW(derive_sender_key_cipher_key(Bytes(33)), CryptoError);
  EXPECT_THROW(derive_sender_key_cipher_key(Bytes()), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto
