#include "lib/crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "lib/crypto/constant_time.h"
#include "lib/crypto/openssl_handles.h"

namespace sotto::crypto {

HmacSha256Tag hmac_sha256(ByteView key, ByteView data) {
  detail::MacCtxPtr ctx(EVP_MAC_CTX_new(detail::hmac_mac()));
  if (!ctx) detail::throw_openssl_error("HMAC context allocation failed");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // OpenSSL refuses a NULL key pointer even with length 0; an empty key is
  // legal HMAC, so point at a dummy byte.
  static const unsigned char kEmpty = 0;
  const unsigned char* key_ptr = key.empty() ? &kEmpty : key.data();
  HmacSha256Tag out{};
  std::size_t len = 0;
  if (EVP_MAC_init(ctx.get(), key_ptr, key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    detail::throw_openssl_error("HMAC-SHA256 failed");
  }
  return out;
}

bool hmac_sha256_verify(ByteView key, ByteView data, ByteView tag) {
  return hmac_sha256_verify_truncated(key, data, tag, std::tuple_size_v<HmacSha256Tag>);
}

bool hmac_sha256_verify_truncated(ByteView key, ByteView data, ByteView tag, std::size_t tag_length) {
  if (tag_length < 16 || tag_length > 32 || tag.size() != tag_length) return false;
  const HmacSha256Tag full = hmac_sha256(key, data);
  return constant_time_equal(ByteView(full.data(), tag_length), tag);
}

}  // namespace sotto::crypto
