#pragma once

// RAII owners for the OpenSSL objects lib/crypto uses. Internal to lib/crypto.

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

namespace sotto::crypto::detail {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX_free>>;

// Algorithms are fetched once per process: a fetch walks the provider tables
// and costs about a microsecond, which is most of a ratchet step's budget.
const EVP_MD* sha256_md();
EVP_MAC* hmac_mac();
EVP_KDF* hkdf_kdf();
const EVP_CIPHER* aes256gcm_cipher();

// Throws CryptoError(what) and clears OpenSSL's error queue so that one
// failure cannot be reported again by a later, unrelated call.
[[noreturn]] void throw_openssl_error(const char* what);

}  // namespace sotto::crypto::detail
