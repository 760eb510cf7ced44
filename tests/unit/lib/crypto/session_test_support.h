#pragma once

// Shared set-up for the session-layer tests: the seed every randomised test
// uses, and a pair of ratchet sessions made through a real X3DH.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/crypto/bytes.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/error.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/prekey.h"
#include "lib/crypto/x3dh.h"

namespace sotto::crypto::testing {

// SOTTO_TEST_SEED if set (decimal), else a fixed default, so that a failure
// seen once can be replayed. Tests print it with SCOPED_TRACE.
inline std::uint64_t test_seed() {
  if (const char* env = std::getenv("SOTTO_TEST_SEED"); env != nullptr && *env != '\0') {
    return std::strtoull(env, nullptr, 10);
  }
  return 20240611;
}

// Runs f and expects a CryptoError whose message contains needle.
template <typename F>
void expect_crypto_error(F&& f, std::string_view needle) {
  try {
    f();
    ADD_FAILURE() << "expected CryptoError containing \"" << needle << "\"";
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string_view(e.what()).find(needle), std::string_view::npos) << "message was: " << e.what();
  }
}

inline std::string seed_trace(std::uint64_t seed) { return "SOTTO_TEST_SEED=" + std::to_string(seed); }

inline Bytes text(std::string_view s) {
  const ByteView v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

// prefix followed by n in decimal ("m17"), as bytes. Built by appending:
// g++ 12 -O3 warns falsely (-Wrestrict) on "literal" + std::to_string(n).
inline Bytes numbered(std::string_view prefix, std::uint64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return text(s);
}

inline Bytes serialized(const RatchetSession& s) {
  const SecretBytes b = s.serialize();
  return Bytes(b.view().begin(), b.view().end());
}

struct Party {
  IdentityKeyPair identity = IdentityKeyPair::generate();
  std::string username;
};

struct SessionPair {
  RatchetSession alice;
  RatchetSession bob;
};

// Runs X3DH (with a one-time prekey) between two fresh identities and creates
// both sessions. Nothing has been sent yet: Bob cannot send until he has
// decrypted a message from Alice.
inline SessionPair make_session_pair(std::string_view alice_name = "alice", std::string_view bob_name = "bob") {
  const IdentityKeyPair alice = IdentityKeyPair::generate();
  const IdentityKeyPair bob = IdentityKeyPair::generate();
  const SignedPrekeyPair spk = SignedPrekeyPair::generate(1, bob);
  const OneTimePrekeyPair opk = OneTimePrekeyPair::generate(2);
  const PrekeyBundle bundle{std::string(bob_name), bob.public_key(), spk.public_prekey(), opk.public_prekey()};
  const X3dhInitiation init = x3dh_initiate(alice, alice_name, bundle);
  const X3dhResponse resp =
      x3dh_respond(bob, bob_name, spk, &opk, alice.public_key(), alice_name, init.ephemeral_public);
  return {RatchetSession::initiate(init.shared_secret, init.associated_data, spk.public_prekey().public_key),
          RatchetSession::respond(resp.shared_secret, resp.associated_data, spk.key_pair())};
}

// A pair that has exchanged one message each way, so both can send.
inline SessionPair make_talking_pair() {
  SessionPair p = make_session_pair();
  p.bob.decrypt(p.alice.encrypt(text("hi bob")));
  p.alice.decrypt(p.bob.encrypt(text("hi alice")));
  return p;
}

}  // namespace sotto::crypto::testing
