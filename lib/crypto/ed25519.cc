#include "lib/crypto/ed25519.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "lib/crypto/error.h"
#include "lib/crypto/openssl_handles.h"
#include "lib/crypto/random.h"

namespace sotto::crypto {

namespace {
detail::PkeyPtr signing_pkey(ByteView seed) {
  if (seed.size() != kEd25519SeedSize) throw CryptoError("Ed25519 seed must be 32 bytes");
  detail::PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) detail::throw_openssl_error("Ed25519 seed rejected");
  return key;
}
}  // namespace

Ed25519KeyPair Ed25519KeyPair::generate() { return from_seed(random_secret(kEd25519SeedSize).view()); }

Ed25519KeyPair Ed25519KeyPair::from_seed(ByteView seed) {
  detail::PkeyPtr key = signing_pkey(seed);
  Ed25519PublicKey pub{};
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size()) {
    detail::throw_openssl_error("Ed25519 public key derivation failed");
  }
  return Ed25519KeyPair(SecretBytes(seed), pub);
}

Ed25519Signature Ed25519KeyPair::sign(ByteView message) const {
  detail::PkeyPtr key = signing_pkey(seed_.view());
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  Ed25519Signature sig{};
  std::size_t len = sig.size();
  // Pure Ed25519 signs in one shot: no digest is named.
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.get(), nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 || len != sig.size()) {
    detail::throw_openssl_error("Ed25519 signing failed");
  }
  return sig;
}

bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) return false;
  detail::PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok = key && ctx &&
                  EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.get(), nullptr) == 1 &&
                  EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
  ERR_clear_error();  // a failed verification leaves entries behind
  return ok;
}

}  // namespace sotto::crypto
