#include "lib/crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "lib/crypto/error.h"
#include "lib/crypto/openssl_handles.h"

namespace sotto::crypto {

namespace {
constexpr std::size_t kMaxOutput = 255 * 32;  // RFC 5869 §2.3: L <= 255*HashLen
}

SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  if (length == 0 || length > kMaxOutput) throw CryptoError("HKDF output length out of range");
  detail::KdfCtxPtr ctx(EVP_KDF_CTX_new(detail::hkdf_kdf()));
  if (!ctx) detail::throw_openssl_error("HKDF context allocation failed");

  // OSSL_PARAM wants non-const pointers but does not write through them.
  auto octets = [](ByteView v) {
    static unsigned char empty = 0;
    return v.empty() ? &empty : const_cast<unsigned char*>(v.data());
  };
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, octets(ikm), ikm.size());
  // An absent salt means HashLen zero bytes (RFC 5869 §2.2); OpenSSL does that
  // itself when no salt parameter is given.
  if (!salt.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, octets(salt), salt.size());
  if (!info.empty()) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, octets(info), info.size());
  params[n] = OSSL_PARAM_construct_end();

  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    detail::throw_openssl_error("HKDF-SHA256 failed");
  }
  return out;
}

}  // namespace sotto::crypto
