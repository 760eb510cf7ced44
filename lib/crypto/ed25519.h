#pragma once

#include <array>
#include <cstdint>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;
using Ed25519PublicKey = std::array<std::uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureSize>;

// An Ed25519 signing key (RFC 8032, pure Ed25519). The 32-byte seed is the secret.
class Ed25519KeyPair {
 public:
  static Ed25519KeyPair generate();
  static Ed25519KeyPair from_seed(ByteView seed);  // seed must be 32 bytes

  const Ed25519PublicKey& public_key() const { return public_; }
  const SecretBytes& seed() const { return seed_; }

  Ed25519Signature sign(ByteView message) const;

 private:
  Ed25519KeyPair(SecretBytes seed, const Ed25519PublicKey& pub) : seed_(std::move(seed)), public_(pub) {}
  SecretBytes seed_;
  Ed25519PublicKey public_{};
};

// False for a bad signature, a malformed or non-canonical signature, or a
// public key that is not a valid point; never throws for hostile input.
bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature);

}  // namespace sotto::crypto
