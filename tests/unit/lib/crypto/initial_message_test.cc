#include "lib/crypto/initial_message.h"

#include <gtest/gtest.h>

#include <random>

#include "lib/crypto/error.h"
#include "lib/crypto/ratchet_message.h"
#include "tests/unit/lib/crypto/session_test_support.h"

namespace sotto::crypto {
namespace {

using testing::expect_crypto_error;

InitialMessage sample(bool with_one_time) {
  InitialMessage m;
  m.initiator_identity = IdentityKeyPair::generate().public_key();
  m.ephemeral_public = X25519KeyPair::generate().public_key();
  m.signed_prekey_id = 0x01020304;
  if (with_one_time) m.one_time_prekey_id = 0xfffffffe;
  m.ratchet_message = Bytes(70, 0x5a);
  m.ratchet_message[0] = kRatchetMessageVersion;
  return m;
}

TEST(InitialMessage, RoundTripsWithAndWithoutAOneTimePrekey) {
  for (bool with_one_time : {true, false}) {
    const InitialMessage m = sample(with_one_time);
    const Bytes encoded = encode_initial_message(m);
    EXPECT_EQ(encoded.size(), 1u + 32 + 32 + 64 + 32 + 4 + 1 + (with_one_time ? 4 : 0) + 4 + 70);
    EXPECT_TRUE(is_initial_message(encoded));
    EXPECT_EQ(parse_initial_message(encoded), m);
  }
}

TEST(InitialMessage, MatchesTheIndependentlyComputedEncoding) {
  // session_vectors.py: Alice's identity, ephemeral key C1..E0, prekey ids 7 and 9.
  const Bytes encoded = from_hex(
      "0279b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad0496645869aff450549732cbaaed5e5df9b30a6da31cb0e574"
      "2bad5ad4a1a768f1a67bd263004278e775ce1cec0d8562948180711dad07e356194daeb35e0c2dc4a4316cf03befa533b599083352ea8e"
      "c7690da93eae337bca7f2589ea246938102a043a553d74792d727efa9b9a4cde3da1ad93f1a2d0c09cb639b1a3c0fda14cbe2400000007"
      "01000000090000005101489cebba7a166c619835fe12eedc581dbfc1b36de10c830e4f0bc1c48734864b00000000000000002ab75c3e9d5d"
      "b48f00a7fbc5601cacf3ff64ecf1597a7ea62c99889809c2e5abeed2d0e6be55a97a");
  const InitialMessage m = parse_initial_message(encoded);
  EXPECT_TRUE(m.initiator_identity.verify());
  EXPECT_EQ(m.signed_prekey_id, 7u);
  EXPECT_EQ(m.one_time_prekey_id, std::optional<std::uint32_t>(9));
  EXPECT_EQ(m.ratchet_message.size(), 0x51u);
  EXPECT_EQ(encode_initial_message(m), encoded);
}

TEST(InitialMessage, EveryTruncationIsRejected) {
  const Bytes encoded = encode_initial_message(sample(true));
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_THROW(parse_initial_message(ByteView(encoded.data(), n)), CryptoError) << "length " << n;
  }
}

TEST(InitialMessage, TrailingBytesAreRejected) {
  Bytes encoded = encode_initial_message(sample(false));
  encoded.push_back(0);
  expect_crypto_error([&] { parse_initial_message(encoded); }, "length does not match");
}

TEST(InitialMessage, ABadOneTimePrekeyFlagIsRejected) {
  Bytes encoded = encode_initial_message(sample(false));
  encoded[1 + 32 + 32 + 64 + 32 + 4] = 2;
  expect_crypto_error([&] { parse_initial_message(encoded); }, "flag must be 0 or 1");
}

TEST(InitialMessage, ARatchetMessageLengthBeyondTheInputIsRejected) {
  Bytes encoded = encode_initial_message(sample(false));
  encoded[1 + 32 + 32 + 64 + 32 + 4 + 1] = 0x80;  // length's top byte
  expect_crypto_error([&] { parse_initial_message(encoded); }, "length does not match");
}

TEST(InitialMessage, AnUnknownVersionIsRejected) {
  Bytes encoded = encode_initial_message(sample(false));
  encoded[0] = kRatchetMessageVersion;
  EXPECT_FALSE(is_initial_message(encoded));
  expect_crypto_error([&] { parse_initial_message(encoded); }, "unsupported format version");
  EXPECT_FALSE(is_initial_message({}));
}

TEST(InitialMessage, RandomCorruptionIsEitherRejectedOrParsedWithinBounds) {
  const std::uint64_t seed = testing::test_seed();
  SCOPED_TRACE(testing::seed_trace(seed));
  std::mt19937_64 rng(seed);
  const Bytes valid = encode_initial_message(sample(true));
  for (int i = 0; i < 2000; ++i) {
    Bytes bad = valid;
    for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<std::uint8_t>(rng());
    try {
      const InitialMessage m = parse_initial_message(bad);
      // Whatever parses must re-encode to exactly the input: no byte ignored.
      EXPECT_EQ(encode_initial_message(m), bad) << "input " << i;
    } catch (const CryptoError&) {
      // Rejected: fine.
    }
  }
}

}  // namespace
}  // namespace sotto::crypto
