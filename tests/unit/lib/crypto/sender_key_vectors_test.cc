// The sender-key known-answer vectors in tests/data/sender_key/vectors.json,
// computed by tests/unit/lib/crypto/sender_key_vectors.py from
// docs/crypto.md alone (see tests/data/sender_key/README.md).

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "lib/crypto/ed25519.h"
#include "lib/crypto/hkdf.h"
#include "lib/crypto/hmac.h"
#include "lib/crypto/sender_key_chain.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/crypto/sender_key_kdf.h"
#include "lib/crypto/sender_key_receiver.h"
#include "tests/unit/lib/crypto/sender_key_test_support.h"

namespace sotto::crypto {
namespace {

using testing::serialized;

const nlohmann::json& sender_key_vectors() {
  static const nlohmann::json v = [] {
    std::ifstream in(std::string(SOTTO_TEST_DATA_DIR) + "/sender_key/vectors.json");
    if (!in) throw std::runtime_error("cannot open tests/data/sender_key/vectors.json");
    return nlohmann::json::parse(in);
  }();
  return v;
}

Bytes vector_bytes(const nlohmann::json& field) { return from_hex(field.get<std::string>()); }

GroupId vector_group_id() {
  const Bytes b = vector_bytes(sender_key_vectors()["group_id"]);
  GroupId id{};
  if (b.size() != id.size()) throw std::runtime_error("group_id must be 16 bytes");
  std::copy(b.begin(), b.end(), id.begin());
  return id;
}

SenderKeyChain vector_chain() {
  const nlohmann::json& v = sender_key_vectors();
  return SenderKeyChain::from_keys(vector_group_id(), v["key_id"].get<std::uint32_t>(), 0,
                                   SecretBytes(vector_bytes(v["chain_key"])),
                                   Ed25519KeyPair::from_seed(vector_bytes(v["signing_seed"])));
}

TEST(SenderKeyVectors, TheFirstMessageKeyFollowsFromTheDocumentedDerivationByThePrimitives) {
  // Recomputed here with the HMAC and HKDF primitives (each checked against
  // Wycheproof), not through kdf_chain or derive_sender_key_cipher_key.
  const nlohmann::json& v = sender_key_vectors();
  const Bytes chain_key = vector_bytes(v["chain_key"]);
  const std::uint8_t message_input = 0x01;
  const std::uint8_t chain_input = 0x02;
  const HmacSha256Tag mk = hmac_sha256(chain_key, ByteView(&message_input, 1));
  const HmacSha256Tag next = hmac_sha256(chain_key, ByteView(&chain_input, 1));
  const std::array<std::uint8_t, 32> zero_salt{};
  const SecretBytes keys = hkdf_sha256(mk, zero_salt, as_bytes("Sotto group message keys v1"), 44);
  const nlohmann::json& m0 = v["messages"][0];
  EXPECT_EQ(to_hex(mk), m0["message_key"].get<std::string>());
  EXPECT_EQ(to_hex(next), v["messages"][1]["chain_key"].get<std::string>());
  EXPECT_EQ(to_hex(keys.view().first(32)), m0["aes_key"].get<std::string>());
  EXPECT_EQ(to_hex(keys.view().subspan(32)), m0["nonce"].get<std::string>());
  // And the library's own derivation agrees.
  const MessageCipherKey k = derive_sender_key_cipher_key(mk);
  EXPECT_EQ(to_hex(k.key()), m0["aes_key"].get<std::string>());
  EXPECT_EQ(to_hex(k.nonce()), m0["nonce"].get<std::string>());
}

TEST(SenderKeyVectors, TheChainWritesExactlyTheExpectedMessages) {
  const nlohmann::json& v = sender_key_vectors();
  SenderKeyChain chain = vector_chain();
  EXPECT_EQ(to_hex(chain.distribution().signing_key), v["signing_public_key"].get<std::string>());
  const Bytes context = vector_bytes(v["context"]);
  ASSERT_EQ(v["messages"].size(), 3u);
  for (const nlohmann::json& m : v["messages"]) {
    EXPECT_EQ(to_hex(chain.encrypt(vector_bytes(m["plaintext"]), context)), m["message"].get<std::string>())
        << "iteration " << m["iteration"];
  }
  EXPECT_EQ(to_hex(chain.serialize().view()), v["sender_state"].get<std::string>());
}

TEST(SenderKeyVectors, TheDistributionEncodesAsExpected) {
  EXPECT_EQ(to_hex(encode_sender_key_distribution(vector_chain().distribution()).view()),
            sender_key_vectors()["distribution"].get<std::string>());
}

TEST(SenderKeyVectors, AReceiverFromTheDistributionReadsTheExpectedMessagesAndStoresTheExpectedState) {
  const nlohmann::json& v = sender_key_vectors();
  const Bytes context = vector_bytes(v["context"]);
  const nlohmann::json& messages = v["messages"];
  SenderKeyReceiver receiver =
      SenderKeyReceiver::from_distribution(parse_sender_key_distribution(vector_bytes(v["distribution"])));
  EXPECT_EQ(receiver.decrypt(vector_bytes(messages[2]["message"]), context), vector_bytes(messages[2]["plaintext"]));
  EXPECT_EQ(to_hex(receiver.serialize().view()), v["receiver_state"].get<std::string>());

  SenderKeyReceiver stored = SenderKeyReceiver::deserialize(vector_bytes(v["receiver_state"]));
  EXPECT_EQ(stored.decrypt(vector_bytes(messages[0]["message"]), context), vector_bytes(messages[0]["plaintext"]));
  EXPECT_EQ(stored.decrypt(vector_bytes(messages[1]["message"]), context), vector_bytes(messages[1]["plaintext"]));
  EXPECT_EQ(SenderKeyChain::deserialize(vector_bytes(v["sender_state"])).iteration(), 3u);
}

}  // namespace
}  // namespace sotto::crypto
