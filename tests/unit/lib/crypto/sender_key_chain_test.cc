#include "lib/crypto/sender_key_chain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <type_traits>

#include "lib/crypto/error.h"
#include "lib/crypto/random.h"
#include "tests/unit/lib/crypto/sender_key_test_support.h"

namespace sotto::crypto {
namespace {

using testing::expect_crypto_error;
using testing::group_id_from;
using testing::serialized;
using testing::text;

static_assert(!std::is_copy_constructible_v<SenderKeyChain> && !std::is_copy_assignable_v<SenderKeyChain>,
              "a copied chain would reuse message keys and nonces");
static_assert(std::is_nothrow_move_constructible_v<SenderKeyChain>);

TEST(SenderKeyChain, AMessageIsHeaderCiphertextTagAndSignature) {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(0x10));
  const Bytes plain = text("nine byte");
  const Bytes m = chain.encrypt(plain, {});
  ASSERT_EQ(m.size(), kSenderKeyHeaderSize + plain.size() + kGcmTagSize + kEd25519SignatureSize);
  const ParsedSenderKeyMessage parsed = parse_sender_key_message(m);
  EXPECT_EQ(parsed.header, (SenderKeyHeader{group_id_from(0x10), chain.key_id(), 0}));
  EXPECT_TRUE(ed25519_verify(chain.distribution().signing_key, parsed.signed_part, parsed.signature));
  EXPECT_EQ(std::search(m.begin(), m.end(), plain.begin(), plain.end()), m.end());
}

TEST(SenderKeyChain, EachMessageTakesTheNextIterationAndAFreshKey) {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(0));
  const Bytes plain = text("the same words, the same words");
  const Bytes m0 = chain.encrypt(plain, {});
  const Bytes m1 = chain.encrypt(plain, {});
  EXPECT_EQ(parse_sender_key_message(m0).header.iteration, 0u);
  EXPECT_EQ(parse_sender_key_message(m1).header.iteration, 1u);
  EXPECT_EQ(chain.iteration(), 2u);
  EXPECT_NE(to_hex(parse_sender_key_message(m0).ciphertext_and_tag),
            to_hex(parse_sender_key_message(m1).ciphertext_and_tag));
}

TEST(SenderKeyChain, TheDistributionIsTheChainAtItsNextIteration) {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(3));
  chain.encrypt(text("before"), {});
  const SenderKeyDistribution d = chain.distribution();
  EXPECT_EQ(d.group_id, group_id_from(3));
  EXPECT_EQ(d.key_id, chain.key_id());
  EXPECT_EQ(d.iteration, 1u);
  EXPECT_EQ(d.chain_key.size(), 32u);
  // Taking a distribution does not advance or otherwise change the chain.
  const Bytes before = serialized(chain);
  chain.distribution();
  EXPECT_EQ(serialized(chain), before);
}

TEST(SenderKeyChain, NewChainsHaveFreshKeysAndIds) {
  SenderKeyChain a = SenderKeyChain::generate(group_id_from(0));
  SenderKeyChain b = SenderKeyChain::generate(group_id_from(0));
  EXPECT_FALSE(a.distribution().chain_key == b.distribution().chain_key);
  EXPECT_NE(a.distribution().signing_key, b.distribution().signing_key);
  // Random 32-bit ids: equal once in 2^32 runs.
  EXPECT_NE(a.key_id(), b.key_id());
}

TEST(SenderKeyChain, TheNextChainAfterARemovalSharesNothingButTheGroup) {
  SenderKeyChain old_chain = SenderKeyChain::generate(group_id_from(7));
  old_chain.encrypt(text("m"), {});
  const SenderKeyChain next = old_chain.next_chain();
  EXPECT_EQ(next.group_id(), group_id_from(7));
  EXPECT_NE(next.key_id(), old_chain.key_id());
  EXPECT_EQ(next.iteration(), 0u);
  EXPECT_FALSE(next.distribution().chain_key == old_chain.distribution().chain_key);
  EXPECT_NE(next.distribution().signing_key, old_chain.distribution().signing_key);
}

TEST(SenderKeyChain, AnExhaustedChainRefusesToEncryptAndStaysAsItWas) {
  const SecretBytes chain_key = random_secret(32);
  SenderKeyChain chain = SenderKeyChain::from_keys(group_id_from(0), 1, std::numeric_limits<std::uint32_t>::max() - 1,
                                                   chain_key, Ed25519KeyPair::generate());
  const Bytes last = chain.encrypt(text("the last one"), {});
  EXPECT_EQ(parse_sender_key_message(last).header.iteration, std::numeric_limits<std::uint32_t>::max() - 1);
  const Bytes before = serialized(chain);
  expect_crypto_error([&] { chain.encrypt(text("one too many"), {}); }, "exhausted");
  EXPECT_EQ(serialized(chain), before);
}

TEST(SenderKeyChain, FromKeysRefusesAChainKeyOfTheWrongSize) {
  EXPECT_THROW(SenderKeyChain::from_keys(group_id_from(0), 1, 0, SecretBytes(16), Ed25519KeyPair::generate()),
               CryptoError);
}

TEST(SenderKeyChain, AMovedChainKeepsWorking) {
  SenderKeyChain chain = SenderKeyChain::generate(group_id_from(0));
  SenderKeyReceiver receiver = SenderKeyReceiver::from_distribution(chain.distribution());
  SenderKeyChain moved = std::move(chain);
  EXPECT_EQ(receiver.decrypt(moved.encrypt(text("still here"), {}), {}), text("still here"));
}

}  // namespace
}  // namespace sotto::crypto
