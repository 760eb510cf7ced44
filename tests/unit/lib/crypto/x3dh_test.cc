#include "lib/crypto/x3dh.h"

#include <gtest/gtest.h>

#include <string>

#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/error.h"
#include "lib/crypto/initial_message.h"
#include "lib/crypto/stored_blob.h"
#include "tests/unit/lib/crypto/session_test_support.h"

namespace sotto::crypto {
namespace {

using testing::expect_crypto_error;

using testing::text;

Bytes pattern(std::uint8_t start) {
  Bytes out(32);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(start + i);
  return out;
}

struct Responder {
  IdentityKeyPair identity = IdentityKeyPair::generate();
  SignedPrekeyPair signed_prekey = SignedPrekeyPair::generate(11, identity);
  OneTimePrekeyPair one_time_prekey = OneTimePrekeyPair::generate(22);

  PrekeyBundle bundle(bool with_one_time) const {
    PrekeyBundle b{"bob", identity.public_key(), signed_prekey.public_prekey(), std::nullopt};
    if (with_one_time) b.one_time_prekey = one_time_prekey.public_prekey();
    return b;
  }
};

TEST(X3dh, BothSidesDeriveTheSameSecretAndAdWithAOneTimePrekey) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  const X3dhInitiation init = x3dh_initiate(alice, "alice", bob.bundle(true));
  ASSERT_TRUE(init.one_time_prekey_id.has_value());
  EXPECT_EQ(*init.one_time_prekey_id, 22u);
  EXPECT_EQ(init.signed_prekey_id, 11u);
  const X3dhResponse resp = x3dh_respond(bob.identity, "bob", bob.signed_prekey, &bob.one_time_prekey,
                                         alice.public_key(), "alice", init.ephemeral_public);
  EXPECT_EQ(init.shared_secret.size(), kX3dhSharedSecretSize);
  EXPECT_TRUE(init.shared_secret == resp.shared_secret);
  EXPECT_EQ(init.associated_data, resp.associated_data);
}

TEST(X3dh, BothSidesDeriveTheSameSecretAndAdWithoutAOneTimePrekey) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  const X3dhInitiation init = x3dh_initiate(alice, "alice", bob.bundle(false));
  EXPECT_FALSE(init.one_time_prekey_id.has_value());
  const X3dhResponse resp =
      x3dh_respond(bob.identity, "bob", bob.signed_prekey, nullptr, alice.public_key(), "alice", init.ephemeral_public);
  EXPECT_TRUE(init.shared_secret == resp.shared_secret);
  EXPECT_EQ(init.associated_data, resp.associated_data);
}

TEST(X3dh, EachInitiationUsesAFreshEphemeralKeyAndSecret) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  const X3dhInitiation a = x3dh_initiate(alice, "alice", bob.bundle(false));
  const X3dhInitiation b = x3dh_initiate(alice, "alice", bob.bundle(false));
  EXPECT_NE(a.ephemeral_public, b.ephemeral_public);
  EXPECT_FALSE(a.shared_secret == b.shared_secret);
}

TEST(X3dh, TheResponderWithTheWrongOneTimePrekeyDerivesAnotherSecret) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  const X3dhInitiation init = x3dh_initiate(alice, "alice", bob.bundle(true));
  const OneTimePrekeyPair other = OneTimePrekeyPair::generate(22);
  const X3dhResponse resp =
      x3dh_respond(bob.identity, "bob", bob.signed_prekey, &other, alice.public_key(), "alice", init.ephemeral_public);
  EXPECT_FALSE(init.shared_secret == resp.shared_secret);
  const X3dhResponse without =
      x3dh_respond(bob.identity, "bob", bob.signed_prekey, nullptr, alice.public_key(), "alice", init.ephemeral_public);
  EXPECT_FALSE(init.shared_secret == without.shared_secret);
}

TEST(X3dh, ABadSignedPrekeySignatureAborts) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  PrekeyBundle bundle = bob.bundle(true);
  bundle.signed_prekey.signature[10] ^= 0x04;
  expect_crypto_error([&] { x3dh_initiate(alice, "alice", bundle); }, "signed prekey signature is invalid");
  // A valid signature, but over a different prekey.
  bundle = bob.bundle(true);
  bundle.signed_prekey.public_key = X25519KeyPair::generate().public_key();
  expect_crypto_error([&] { x3dh_initiate(alice, "alice", bundle); }, "signed prekey signature is invalid");
  // A valid signature, but by another identity.
  bundle = bob.bundle(true);
  bundle.signed_prekey = SignedPrekeyPair::generate(11, IdentityKeyPair::generate()).public_prekey();
  expect_crypto_error([&] { x3dh_initiate(alice, "alice", bundle); }, "signed prekey signature is invalid");
}

TEST(X3dh, ABadIdentitySignatureAborts) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  PrekeyBundle bundle = bob.bundle(true);
  bundle.identity.signature[0] ^= 0x01;
  expect_crypto_error([&] { x3dh_initiate(alice, "alice", bundle); }, "identity key signature is invalid");
  bundle = bob.bundle(true);
  bundle.identity.dh_key = X25519KeyPair::generate().public_key();
  expect_crypto_error([&] { x3dh_initiate(alice, "alice", bundle); }, "identity key signature is invalid");
}

TEST(X3dh, TheResponderRejectsABadInitiatorIdentitySignature) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  const X3dhInitiation init = x3dh_initiate(alice, "alice", bob.bundle(false));
  IdentityPublicKey forged = alice.public_key();
  forged.dh_key = X25519KeyPair::generate().public_key();
  expect_crypto_error(
      [&] { x3dh_respond(bob.identity, "bob", bob.signed_prekey, nullptr, forged, "alice", init.ephemeral_public); },
      "initiator's identity key signature is invalid");
}

TEST(X3dh, DifferentUsernamesGiveADifferentAdAndSessionsThatCannotTalk) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  const X3dhInitiation init = x3dh_initiate(alice, "alice", bob.bundle(false));
  // The relay (or an attacker) tells Bob the message came from "mallory".
  const X3dhResponse resp = x3dh_respond(bob.identity, "bob", bob.signed_prekey, nullptr, alice.public_key(), "mallory",
                                         init.ephemeral_public);
  EXPECT_TRUE(init.shared_secret == resp.shared_secret);
  EXPECT_NE(init.associated_data, resp.associated_data);

  RatchetSession a =
      RatchetSession::initiate(init.shared_secret, init.associated_data, bob.signed_prekey.public_prekey().public_key);
  RatchetSession b = RatchetSession::respond(resp.shared_secret, resp.associated_data, bob.signed_prekey.key_pair());
  EXPECT_THROW(b.decrypt(a.encrypt(text("hello"))), CryptoError);

  // And the AD changes with either name, in either position.
  const IdentityPublicKey& ia = alice.public_key();
  const IdentityPublicKey& ib = bob.identity.public_key();
  const Bytes base = x3dh_associated_data(ia, "alice", ib, "bob");
  EXPECT_NE(base, x3dh_associated_data(ia, "alicf", ib, "bob"));
  EXPECT_NE(base, x3dh_associated_data(ia, "alice", ib, "bob2"));
  EXPECT_NE(base, x3dh_associated_data(ib, "bob", ia, "alice"));
  // Length prefixes keep the split between the names unambiguous.
  EXPECT_NE(x3dh_associated_data(ia, "ab", ib, "c"), x3dh_associated_data(ia, "a", ib, "bc"));
}

TEST(X3dh, UsernamesMustBeOneTo255Bytes) {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const Responder bob;
  expect_crypto_error([&] { x3dh_initiate(alice, "", bob.bundle(false)); }, "username is empty");
  const std::string too_long(kMaxUsernameSize + 1, 'a');
  expect_crypto_error([&] { x3dh_initiate(alice, too_long, bob.bundle(false)); }, "longer than 255 bytes");
  PrekeyBundle unnamed = bob.bundle(false);
  unnamed.username.clear();
  expect_crypto_error([&] { x3dh_initiate(alice, "alice", unnamed); }, "username is empty");
  EXPECT_NO_THROW(x3dh_initiate(alice, std::string(kMaxUsernameSize, 'a'), bob.bundle(false)));
}

// Known answers from tests/unit/lib/crypto/session_vectors.py, an independent
// implementation of docs/crypto.md.
struct Vectors {
  IdentityKeyPair alice = IdentityKeyPair::deserialize(from_hex(
      "534f4944010102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233"
      "3435363738393a3b3c3d3e3f408978ba2a9b21a15f4efc933b51d6e852fa5e976afb9c4d44b500eb1dedfe6034"));
  IdentityKeyPair bob = IdentityKeyPair::deserialize(stored("SOID", 64, [](ByteWriter& w) {
    w.bytes(pattern(0x41));
    w.bytes(pattern(0x61));
  }));
  SignedPrekeyPair spk = SignedPrekeyPair::deserialize(stored("SOSP", 4 + 32 + 64, [this](ByteWriter& w) {
    w.u32(7);
    w.bytes(pattern(0x81));
    w.bytes(bob.sign(X25519KeyPair::from_private(pattern(0x81)).public_key()));
  }));
  OneTimePrekeyPair opk = OneTimePrekeyPair::deserialize(stored("SOOP", 4 + 32, [](ByteWriter& w) {
    w.u32(9);
    w.bytes(pattern(0xA1));
  }));
  X25519KeyPair ephemeral = X25519KeyPair::from_private(pattern(0xC1));

  static Bytes stored(std::string_view magic, std::size_t size, const std::function<void(ByteWriter&)>& body) {
    const SecretBytes blob = seal_stored_blob(magic, 1, size, body);
    return Bytes(blob.view().begin(), blob.view().end());
  }

  PrekeyBundle bundle(bool with_one_time) const {
    PrekeyBundle b{"bob", bob.public_key(), spk.public_prekey(), std::nullopt};
    if (with_one_time) b.one_time_prekey = opk.public_prekey();
    return b;
  }
};

constexpr std::string_view kAdHex =
    "05616c69636579b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad0496645869aff450549732cbaaed5e5df9b30a6da3"
    "1cb0e5742bad5ad4a1a768f1a67b03626f62adc14011f82d1c56d956aa4f9d73d8858361a606048525e0d08c638dc75dd8c7244fe3b963e8"
    "99dd295baffce248d3530f3a9a7479ba063002680ebfe7adad49";

TEST(X3dh, MatchesTheIndependentlyComputedVectorsWithAOneTimePrekey) {
  const Vectors v;
  const X3dhInitiation init = detail::x3dh_initiate_with_ephemeral(v.alice, "alice", v.bundle(true), v.ephemeral);
  EXPECT_EQ(to_hex(init.shared_secret.view()), "f06e5260eba3214bdcfbab323b70286ec9a0ebf2c83d388897606568094fa048");
  EXPECT_EQ(to_hex(init.associated_data), kAdHex);
  const X3dhResponse resp =
      x3dh_respond(v.bob, "bob", v.spk, &v.opk, v.alice.public_key(), "alice", v.ephemeral.public_key());
  EXPECT_EQ(to_hex(resp.shared_secret.view()), "f06e5260eba3214bdcfbab323b70286ec9a0ebf2c83d388897606568094fa048");
}

TEST(X3dh, MatchesTheIndependentlyComputedVectorsWithoutAOneTimePrekey) {
  const Vectors v;
  const X3dhInitiation init = detail::x3dh_initiate_with_ephemeral(v.alice, "alice", v.bundle(false), v.ephemeral);
  EXPECT_EQ(to_hex(init.shared_secret.view()), "2d247876b8be296b3abf01ca7c5c610c100c61944e02ebd216cfc0ad51b71b02");
  EXPECT_EQ(to_hex(init.associated_data), kAdHex);
}

// The first message and initial message below were made by the Python
// script, with its own ratchet key; Bob's C++ session must read them.
constexpr std::string_view kFirstMessageHex =
    "01489cebba7a166c619835fe12eedc581dbfc1b36de10c830e4f0bc1c48734864b00000000000000002ab75c3e9d5db48f00a7fbc5601cacf3"
    "ff64ecf1597a7ea62c99889809c2e5abeed2d0e6be55a97a";

TEST(X3dh, TheResponderReadsAFirstMessageMadeByTheIndependentImplementation) {
  const Vectors v;
  const X3dhResponse resp =
      x3dh_respond(v.bob, "bob", v.spk, &v.opk, v.alice.public_key(), "alice", v.ephemeral.public_key());
  RatchetSession bob = RatchetSession::respond(resp.shared_secret, resp.associated_data, v.spk.key_pair());
  EXPECT_EQ(bob.decrypt(from_hex(kFirstMessageHex)), text("hello bob, this is alice"));
}

TEST(X3dh, FullHandshakeThroughAnInitialMessage) {
  const IdentityKeyPair alice_id = IdentityKeyPair::generate();
  const Responder bob_keys;

  // Alice: fetch the bundle, agree, send twice before Bob answers.
  const X3dhInitiation init = x3dh_initiate(alice_id, "alice", bob_keys.bundle(true));
  RatchetSession alice = RatchetSession::initiate(init.shared_secret, init.associated_data,
                                                  bob_keys.bundle(true).signed_prekey.public_key);
  std::vector<Bytes> wire;
  for (const char* t : {"first", "second"}) {
    ASSERT_FALSE(alice.has_received_message());
    wire.push_back(
        encode_initial_message(InitialMessage{alice_id.public_key(), init.ephemeral_public, init.signed_prekey_id,
                                              init.one_time_prekey_id, alice.encrypt(text(t))}));
  }

  // Bob: parse, look the prekeys up by id, agree, decrypt.
  ASSERT_TRUE(is_initial_message(wire[0]));
  const InitialMessage first = parse_initial_message(wire[0]);
  ASSERT_EQ(first.signed_prekey_id, bob_keys.signed_prekey.id());
  ASSERT_EQ(first.one_time_prekey_id, std::optional<std::uint32_t>(bob_keys.one_time_prekey.id()));
  const X3dhResponse resp = x3dh_respond(bob_keys.identity, "bob", bob_keys.signed_prekey, &bob_keys.one_time_prekey,
                                         first.initiator_identity, "alice", first.ephemeral_public);
  RatchetSession bob =
      RatchetSession::respond(resp.shared_secret, resp.associated_data, bob_keys.signed_prekey.key_pair());
  EXPECT_EQ(bob.decrypt(first.ratchet_message), text("first"));
  // The second initial message carries the same X3DH values: Bob keeps his
  // session and decrypts only the ratchet message inside.
  const InitialMessage second = parse_initial_message(wire[1]);
  EXPECT_EQ(second.ephemeral_public, first.ephemeral_public);
  EXPECT_EQ(bob.decrypt(second.ratchet_message), text("second"));

  // Bob answers; from then on Alice sends plain ratchet messages.
  EXPECT_EQ(alice.decrypt(bob.encrypt(text("hi alice"))), text("hi alice"));
  EXPECT_TRUE(alice.has_received_message());
  const Bytes plain = alice.encrypt(text("third"));
  EXPECT_FALSE(is_initial_message(plain));
  EXPECT_EQ(bob.decrypt(plain), text("third"));
}

}  // namespace
}  // namespace sotto::crypto
