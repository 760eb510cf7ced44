#include "lib/crypto/ratchet_kdf.h"

#include <gtest/gtest.h>

#include "lib/crypto/error.h"

namespace sotto::crypto {
namespace {

Bytes pattern(std::uint8_t start) {
  Bytes out(32);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(start + i);
  return out;
}

// Known answers from tests/unit/lib/crypto/session_vectors.py (Python hmac
// and a hand-written RFC 5869 HKDF, following docs/crypto.md).
TEST(RatchetKdf, RootKdfMatchesTheDocumentedConstruction) {
  const RootKdfOutput out = kdf_root(pattern(0x10), pattern(0x30));
  EXPECT_EQ(to_hex(out.root_key.view()), "b45b95908cbdb1215bf85b55e7076b3c586ce6e24b2d1b03a8fc122be76533a6");
  EXPECT_EQ(to_hex(out.chain_key.view()), "c9d039249e74232f1c76dc8a2c534b116496064e5f94e42354c5fcadaa501cc8");
}

TEST(RatchetKdf, ChainKdfMatchesTheDocumentedConstruction) {
  const ChainKdfOutput out = kdf_chain(pattern(0x50));
  EXPECT_EQ(to_hex(out.message_key.view()), "f4cbd86bf5aba993f24b380dd665ab7be19f1a536dd371b094bf0d168bcf95bb");
  EXPECT_EQ(to_hex(out.chain_key.view()), "11a55b4ea08640f84551547d419135a5ca7ba7c32abbaef40ca23c841ef568bc");
}

TEST(RatchetKdf, MessageCipherKeyMatchesTheDocumentedConstruction) {
  const MessageCipherKey k = derive_message_cipher_key(pattern(0x70));
  EXPECT_EQ(to_hex(k.key()), "feb12662191287ef98cf7bdce549efb1690e1d7e5a583def203b1928174f6ae9");
  EXPECT_EQ(to_hex(k.nonce()), "f198ba3e7253b35837aa52ad");
}

TEST(RatchetKdf, RejectsKeysOfTheWrongSize) {
  EXPECT_THROW(kdf_root(Bytes(31), pattern(0)), CryptoError);
  EXPECT_THROW(kdf_chain(Bytes(33)), CryptoError);
  EXPECT_THROW(derive_message_cipher_key(Bytes(0)), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto
