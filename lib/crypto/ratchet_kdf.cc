#include "lib/crypto/ratchet_kdf.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <span>
#include <string_view>

#include "lib/crypto/error.h"
#include "lib/crypto/openssl_handles.h"

namespace sotto::crypto {

namespace {

constexpr std::string_view kRootInfo = "Sotto ratchet root v1";
constexpr std::string_view kMessageInfo = "Sotto message keys v1";
// RFC 5869 §2.2: no salt means HashLen zero bytes; written out to be explicit.
constexpr std::array<std::uint8_t, 32> kZeroSalt{};
constexpr std::uint8_t kMessageKeyInput = 0x01;
constexpr std::uint8_t kChainKeyInput = 0x02;
constexpr std::size_t kHashSize = 32;

// HMAC-SHA256 for the ratchet's many small MACs. A fresh OpenSSL HMAC context
// looks its digest up by name, which took longer than the MAC itself (about
// 1 us of a 2 us KDF_CK step, measured with bench/crypto/ratchet_bench). So a
// context is prepared once (keyed with zeros, which are not secret) and each
// derivation copies it, re-keys the copy as often as it needs, and frees it
// at the end; freeing wipes the key and pad states (OpenSSL clears them).
class HmacSha256 {
 public:
  HmacSha256() : ctx_(EVP_MAC_CTX_dup(prepared())) {
    if (!ctx_) detail::throw_openssl_error("HMAC context allocation failed");
  }

  void set_key(ByteView key) {
    // A NULL key pointer would mean "keep the old key" to OpenSSL; an empty
    // key is a real (if unused here) HMAC key, so point at a dummy byte.
    static const std::uint8_t kEmpty = 0;
    const std::uint8_t* p = key.empty() ? &kEmpty : key.data();
    if (EVP_MAC_init(ctx_.get(), p, key.size(), nullptr) != 1) detail::throw_openssl_error("HMAC key failed");
    fresh_ = true;
  }

  // HMAC(current key, concatenation of parts) into out (32 bytes).
  void mac(std::initializer_list<ByteView> parts, std::span<std::uint8_t, kHashSize> out) {
    // A NULL key restarts the MAC under the key already set (OpenSSL 3 hmac_init).
    if (!fresh_ && EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) detail::throw_openssl_error("HMAC reset failed");
    fresh_ = false;
    for (ByteView p : parts) {
      if (!p.empty() && EVP_MAC_update(ctx_.get(), p.data(), p.size()) != 1) {
        detail::throw_openssl_error("HMAC update failed");
      }
    }
    std::size_t len = 0;
    if (EVP_MAC_final(ctx_.get(), out.data(), &len, out.size()) != 1 || len != kHashSize) {
      detail::throw_openssl_error("HMAC final failed");
    }
  }

 private:
  static const EVP_MAC_CTX* prepared() {
    // Function-local static: made once, thread-safe; copied, never used directly.
    static EVP_MAC_CTX* const ctx = [] {
      EVP_MAC_CTX* c = EVP_MAC_CTX_new(detail::hmac_mac());
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                   OSSL_PARAM_construct_end()};
      const std::array<std::uint8_t, kHashSize> zeros{};
      if (c == nullptr || EVP_MAC_init(c, zeros.data(), zeros.size(), params) != 1) {
        detail::throw_openssl_error("HMAC-SHA256 unavailable");
      }
      return c;
    }();
    return ctx;
  }

  detail::MacCtxPtr ctx_;
  bool fresh_ = false;
};

// HKDF-SHA256 (RFC 5869) on the context above; out.size() <= 255 * 32.
void hkdf(HmacSha256& h, ByteView ikm, ByteView salt, ByteView info, std::span<std::uint8_t> out) {
  SecretBytes prk(kHashSize);
  h.set_key(salt);
  h.mac({ikm}, std::span<std::uint8_t, kHashSize>(prk.data(), kHashSize));
  h.set_key(prk.view());
  SecretBytes block(kHashSize);
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < out.size(); ++i) {
    const ByteView previous = i == 1 ? ByteView() : block.view();
    h.mac({previous, info, ByteView(&i, 1)}, std::span<std::uint8_t, kHashSize>(block.data(), kHashSize));
    const std::size_t n = std::min(kHashSize, out.size() - done);
    std::copy_n(block.data(), n, out.data() + done);
    done += n;
  }
}

void check_key(ByteView key, const char* what) {
  if (key.size() != kRatchetKeySize) throw CryptoError(what);
}

}  // namespace

RootKdfOutput kdf_root(ByteView root_key, ByteView dh_output) {
  check_key(root_key, "root key must be 32 bytes");
  HmacSha256 h;
  SecretBytes out(2 * kRatchetKeySize);
  hkdf(h, dh_output, root_key, as_bytes(kRootInfo), out.span());
  return {SecretBytes(out.view().first(kRatchetKeySize)), SecretBytes(out.view().subspan(kRatchetKeySize))};
}

ChainKdfOutput kdf_chain(ByteView chain_key) {
  check_key(chain_key, "chain key must be 32 bytes");
  HmacSha256 h;
  h.set_key(chain_key);
  ChainKdfOutput out{SecretBytes(kRatchetKeySize), SecretBytes(kRatchetKeySize)};
  h.mac({ByteView(&kMessageKeyInput, 1)}, std::span<std::uint8_t, kHashSize>(out.message_key.data(), kHashSize));
  h.mac({ByteView(&kChainKeyInput, 1)}, std::span<std::uint8_t, kHashSize>(out.chain_key.data(), kHashSize));
  return out;
}

MessageCipherKey derive_message_cipher_key(ByteView message_key) {
  check_key(message_key, "message key must be 32 bytes");
  HmacSha256 h;
  MessageCipherKey out{SecretBytes(kRatchetKeySize + kMessageNonceSize)};
  hkdf(h, message_key, kZeroSalt, as_bytes(kMessageInfo), out.bytes.span());
  return out;
}

}  // namespace sotto::crypto
