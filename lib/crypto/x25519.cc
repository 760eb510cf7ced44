#include "lib/crypto/x25519.h"

#include <openssl/evp.h>

#include "lib/crypto/constant_time.h"
#include "lib/crypto/error.h"
#include "lib/crypto/openssl_handles.h"
#include "lib/crypto/random.h"

namespace sotto::crypto {

namespace {

detail::PkeyPtr private_pkey(ByteView scalar) {
  if (scalar.size() != kX25519KeySize) throw CryptoError("X25519 private key must be 32 bytes");
  detail::PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, scalar.data(), scalar.size()));
  if (!key) detail::throw_openssl_error("X25519 private key rejected");
  return key;
}

detail::PkeyPtr public_pkey(ByteView u) {
  if (u.size() != kX25519KeySize) throw CryptoError("X25519 public key must be 32 bytes");
  detail::PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, u.data(), u.size()));
  if (!key) detail::throw_openssl_error("X25519 public key rejected");
  return key;
}

SecretBytes derive(EVP_PKEY* priv, EVP_PKEY* peer) {
  detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, priv, nullptr));
  SecretBytes out(kX25519KeySize);
  std::size_t len = out.size();
  // OpenSSL itself fails the derivation when the result is all zero.
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 0) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != kX25519KeySize) {
    detail::throw_openssl_error("X25519 produced no contributory shared secret");
  }
  // Checked again here so the promise does not rest on one OpenSSL detail.
  static constexpr std::uint8_t kZero[kX25519KeySize] = {};
  if (constant_time_equal(out.view(), ByteView(kZero, kX25519KeySize))) {
    throw CryptoError("X25519 produced no contributory shared secret");
  }
  return out;
}

}  // namespace

X25519KeyPair X25519KeyPair::generate() { return from_private(random_secret(kX25519KeySize).view()); }

X25519KeyPair X25519KeyPair::from_private(ByteView private_key) {
  detail::PkeyPtr key = private_pkey(private_key);
  X25519PublicKey pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size()) {
    detail::throw_openssl_error("X25519 public key derivation failed");
  }
  return X25519KeyPair(SecretBytes(private_key), pub);
}

SecretBytes X25519KeyPair::diffie_hellman(ByteView peer_public) const {
  detail::PkeyPtr priv = private_pkey(private_.view());
  detail::PkeyPtr peer = public_pkey(peer_public);
  return derive(priv.get(), peer.get());
}

SecretBytes x25519(ByteView scalar, ByteView u_coordinate) {
  detail::PkeyPtr priv = private_pkey(scalar);
  detail::PkeyPtr peer = public_pkey(u_coordinate);
  return derive(priv.get(), peer.get());
}

}  // namespace sotto::crypto
