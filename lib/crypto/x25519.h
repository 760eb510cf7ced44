#pragma once

#include <array>
#include <cstdint>

#include "lib/crypto/bytes.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::crypto {

inline constexpr std::size_t kX25519KeySize = 32;
using X25519PublicKey = std::array<std::uint8_t, kX25519KeySize>;

// An X25519 key pair (RFC 7748). The private scalar lives in SecretBytes.
class X25519KeyPair {
 public:
  static X25519KeyPair generate();
  // private_key must be 32 bytes; clamping is applied by the function itself.
  static X25519KeyPair from_private(ByteView private_key);

  const X25519PublicKey& public_key() const { return public_; }
  const SecretBytes& private_key() const { return private_; }

  // The shared secret with a peer's public key. Throws CryptoError when the
  // result is all zero (a low-order peer key), so a contributory secret is
  // guaranteed to every caller.
  SecretBytes diffie_hellman(ByteView peer_public) const;

 private:
  X25519KeyPair(SecretBytes priv, const X25519PublicKey& pub) : private_(std::move(priv)), public_(pub) {}
  SecretBytes private_;
  X25519PublicKey public_{};
};

// The raw function, for test vectors: scalar and u-coordinate are 32 bytes.
SecretBytes x25519(ByteView scalar, ByteView u_coordinate);

}  // namespace sotto::crypto
