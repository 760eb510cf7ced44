#include "lib/crypto/sha256.h"

namespace sotto::crypto {

Sha256Digest sha256(ByteView data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex2(ctx_.get(), detail::sha256_md(), nullptr) != 1) {
    detail::throw_openssl_error("SHA-256 init failed");
  }
}

void Sha256::update(ByteView data) {
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
    detail::throw_openssl_error("SHA-256 update failed");
  }
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size() ||
      EVP_DigestInit_ex2(ctx_.get(), detail::sha256_md(), nullptr) != 1) {
    detail::throw_openssl_error("SHA-256 final failed");
  }
  return out;
}

}  // namespace sotto::crypto
