#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lib/crypto/bytes.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

// The published half of a signed prekey (relay.proto SignedPrekey): the
// signature is the identity signing key's, over the 32 raw bytes of public_key.
struct SignedPrekeyPublic {
  std::uint32_t id = 0;
  X25519PublicKey public_key{};
  Ed25519Signature signature{};

  bool verify(const Ed25519PublicKey& identity_signing_key) const;

  friend bool operator==(const SignedPrekeyPublic&, const SignedPrekeyPublic&) = default;
};

// The published half of a one-time prekey (relay.proto OneTimePrekey).
struct OneTimePrekeyPublic {
  std::uint32_t id = 0;
  X25519PublicKey public_key{};

  friend bool operator==(const OneTimePrekeyPublic&, const OneTimePrekeyPublic&) = default;
};

// A medium-term prekey, signed by the identity and rotated by msgd (weekly).
class SignedPrekeyPair {
 public:
  static SignedPrekeyPair generate(std::uint32_t id, const IdentityKeyPair& identity);

  SecretBytes serialize() const;
  static SignedPrekeyPair deserialize(ByteView stored);  // throws CryptoError

  std::uint32_t id() const { return public_.id; }
  const X25519KeyPair& key_pair() const { return key_; }
  const SignedPrekeyPublic& public_prekey() const { return public_; }

 private:
  SignedPrekeyPair(X25519KeyPair key, SignedPrekeyPublic pub) : key_(std::move(key)), public_(pub) {}
  X25519KeyPair key_;
  SignedPrekeyPublic public_;
};

// A prekey used for at most one X3DH; msgd deletes it after first use.
class OneTimePrekeyPair {
 public:
  static OneTimePrekeyPair generate(std::uint32_t id);

  SecretBytes serialize() const;
  static OneTimePrekeyPair deserialize(ByteView stored);  // throws CryptoError

  std::uint32_t id() const { return public_.id; }
  const X25519KeyPair& key_pair() const { return key_; }
  const OneTimePrekeyPublic& public_prekey() const { return public_; }

 private:
  OneTimePrekeyPair(X25519KeyPair key, OneTimePrekeyPublic pub) : key_(std::move(key)), public_(pub) {}
  X25519KeyPair key_;
  OneTimePrekeyPublic public_;
};

// What FetchBundle returns for a user (relay.proto Bundle).
struct PrekeyBundle {
  std::string username;
  IdentityPublicKey identity;
  SignedPrekeyPublic signed_prekey;
  std::optional<OneTimePrekeyPublic> one_time_prekey;  // absent when the relay had none left
};

}  // namespace sotto::crypto
