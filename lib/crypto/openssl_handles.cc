#include "lib/crypto/openssl_handles.h"

#include <openssl/err.h>

#include "lib/crypto/error.h"

namespace sotto::crypto::detail {

namespace {
template <typename T>
T* must(T* p, const char* what) {
  if (p == nullptr) throw_openssl_error(what);
  return p;
}
}  // namespace

// Function-local statics: initialised once, thread-safe, never freed (the
// process keeps them until exit, as OpenSSL's own default algorithms are).
const EVP_MD* sha256_md() {
  static EVP_MD* md = must(EVP_MD_fetch(nullptr, "SHA256", nullptr), "SHA-256 unavailable");
  return md;
}

EVP_MAC* hmac_mac() {
  static EVP_MAC* mac = must(EVP_MAC_fetch(nullptr, "HMAC", nullptr), "HMAC unavailable");
  return mac;
}

EVP_KDF* hkdf_kdf() {
  static EVP_KDF* kdf = must(EVP_KDF_fetch(nullptr, "HKDF", nullptr), "HKDF unavailable");
  return kdf;
}

const EVP_CIPHER* aes256gcm_cipher() {
  static EVP_CIPHER* cipher = must(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr), "AES-256-GCM unavailable");
  return cipher;
}

void throw_openssl_error(const char* what) {
  ERR_clear_error();
  throw CryptoError(what);
}

}  // namespace sotto::crypto::detail
