#pragma once

#include "lib/crypto/bytes.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/crypto/x25519.h"

namespace sotto::crypto {

// A device's long-term public identity, as published to the relay
// (relay.proto IdentityKey): the Ed25519 signing key, the X25519 key used in
// X3DH, and the signing key's signature over the 32 raw bytes of dh_key.
struct IdentityPublicKey {
  Ed25519PublicKey signing_key{};
  X25519PublicKey dh_key{};
  Ed25519Signature signature{};

  // True when signature is signing_key's signature over dh_key.
  bool verify() const;

  friend bool operator==(const IdentityPublicKey&, const IdentityPublicKey&) = default;
};

// A device's long-term private identity. msgd creates it once, stores
// serialize() and loads it with deserialize() at every start.
class IdentityKeyPair {
 public:
  static IdentityKeyPair generate();

  // The stored form (docs/crypto.md, "Identity keys"): both private keys and a
  // checksum. It holds secrets, hence SecretBytes.
  SecretBytes serialize() const;
  // Throws CryptoError for a truncated, corrupted or foreign blob.
  static IdentityKeyPair deserialize(ByteView stored);

  const IdentityPublicKey& public_key() const { return public_; }
  const X25519KeyPair& dh_key_pair() const { return dh_; }

  // Signs with the identity signing key (used for signed prekeys).
  Ed25519Signature sign(ByteView message) const { return signing_.sign(message); }

 private:
  IdentityKeyPair(Ed25519KeyPair signing, X25519KeyPair dh);

  Ed25519KeyPair signing_;
  X25519KeyPair dh_;
  IdentityPublicKey public_;
};

}  // namespace sotto::crypto
