#include "lib/crypto/aead.h"

#include <openssl/crypto.h>

#include <climits>

#include "lib/crypto/error.h"

namespace sotto::crypto {

namespace {
constexpr std::size_t kMaxNonce = 128;
// EVP takes int lengths; refuse anything that would not fit rather than wrap.
constexpr std::size_t kMaxLength = INT_MAX - 64;

void check_length(std::size_t n) {
  if (n > kMaxLength) throw CryptoError("AES-GCM input too large");
}
}  // namespace

Aes256Gcm::Aes256Gcm(ByteView key) : ctx_(EVP_CIPHER_CTX_new()) {
  if (key.size() != kAes256KeySize) throw CryptoError("AES-256-GCM key must be 32 bytes");
  if (!ctx_) detail::throw_openssl_error("cipher context allocation failed");
  // The key schedule is computed once here; each message then sets only its IV.
  if (EVP_CipherInit_ex2(ctx_.get(), detail::aes256gcm_cipher(), key.data(), nullptr, 1, nullptr) != 1) {
    detail::throw_openssl_error("AES-GCM key setup failed");
  }
}

void Aes256Gcm::start(ByteView nonce, bool encrypt) {
  if (nonce.empty() || nonce.size() > kMaxNonce) throw CryptoError("AES-GCM nonce must be 1..128 bytes");
  if (nonce.size() != iv_length_) {
    if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1) {
      detail::throw_openssl_error("AES-GCM nonce length rejected");
    }
    iv_length_ = nonce.size();
  }
  if (EVP_CipherInit_ex2(ctx_.get(), nullptr, nullptr, nonce.data(), encrypt ? 1 : 0, nullptr) != 1) {
    detail::throw_openssl_error("AES-GCM init failed");
  }
}

void Aes256Gcm::seal_into(ByteView nonce, ByteView aad, ByteView plaintext, std::uint8_t* out) {
  check_length(plaintext.size());
  check_length(aad.size());
  start(nonce, true);
  int len = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx_.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    detail::throw_openssl_error("AES-GCM aad failed");
  }
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx_.get(), out, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1) {
      detail::throw_openssl_error("AES-GCM encrypt failed");
    }
    written = len;
  }
  if (EVP_EncryptFinal_ex(ctx_.get(), out + written, &len) != 1) detail::throw_openssl_error("AES-GCM final failed");
  written += len;
  if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize, out + written) != 1) {
    detail::throw_openssl_error("AES-GCM tag failed");
  }
}

Bytes Aes256Gcm::seal(ByteView nonce, ByteView aad, ByteView plaintext) {
  Bytes out(plaintext.size() + kGcmTagSize);
  seal_into(nonce, aad, plaintext, out.data());
  return out;
}

void Aes256Gcm::open_into(ByteView nonce, ByteView aad, ByteView ciphertext_and_tag, std::uint8_t* out) {
  if (ciphertext_and_tag.size() < kGcmTagSize) throw CryptoError("authentication failed");
  check_length(ciphertext_and_tag.size());
  check_length(aad.size());
  const std::size_t ct_len = ciphertext_and_tag.size() - kGcmTagSize;
  start(nonce, false);
  int len = 0;
  bool ok = aad.empty() || EVP_DecryptUpdate(ctx_.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  int written = 0;
  if (ok && ct_len > 0) {
    ok = EVP_DecryptUpdate(ctx_.get(), out, &len, ciphertext_and_tag.data(), static_cast<int>(ct_len)) == 1;
    written = len;
  }
  // The tag buffer is not modified by SET_TAG; the cast only satisfies the C API.
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize,
                                 const_cast<std::uint8_t*>(ciphertext_and_tag.data() + ct_len)) == 1;
  ok = ok && EVP_DecryptFinal_ex(ctx_.get(), out + written, &len) == 1;
  if (!ok) {
    if (ct_len > 0) OPENSSL_cleanse(out, ct_len);
    detail::throw_openssl_error("authentication failed");
  }
}

Bytes Aes256Gcm::open(ByteView nonce, ByteView aad, ByteView ciphertext_and_tag) {
  if (ciphertext_and_tag.size() < kGcmTagSize) throw CryptoError("authentication failed");
  Bytes out(ciphertext_and_tag.size() - kGcmTagSize);
  open_into(nonce, aad, ciphertext_and_tag, out.data());
  return out;
}

Bytes aes256gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
  return Aes256Gcm(key).seal(nonce, aad, plaintext);
}

Bytes aes256gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView ciphertext_and_tag) {
  return Aes256Gcm(key).open(nonce, aad, ciphertext_and_tag);
}

}  // namespace sotto::crypto
