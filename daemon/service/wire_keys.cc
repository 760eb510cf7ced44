#include "daemon/service/wire_keys.h"

#include <algorithm>
#include <string>

namespace sotto::msgd {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> fixed(const std::string& bytes, const char* what) {
  if (bytes.size() != N) throw BadKeyFromRelay(std::string("relay sent a malformed key: ") + what);
  std::array<std::uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

template <std::size_t N>
std::string as_string(const std::array<std::uint8_t, N>& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), a.size());
}

}  // namespace

wire::IdentityKey to_wire(const crypto::IdentityPublicKey& key) {
  wire::IdentityKey out;
  out.set_signing_key(as_string(key.signing_key));
  out.set_dh_key(as_string(key.dh_key));
  out.set_signature(as_string(key.signature));
  return out;
}

wire::SignedPrekey to_wire(const crypto::SignedPrekeyPublic& key) {
  wire::SignedPrekey out;
  out.set_id(key.id);
  out.set_public_key(as_string(key.public_key));
  out.set_signature(as_string(key.signature));
  return out;
}

wire::OneTimePrekey to_wire(const crypto::OneTimePrekeyPublic& key) {
  wire::OneTimePrekey out;
  out.set_id(key.id);
  out.set_public_key(as_string(key.public_key));
  return out;
}

crypto::IdentityPublicKey from_wire(const wire::IdentityKey& key) {
  crypto::IdentityPublicKey out;
  out.signing_key = fixed<crypto::kEd25519PublicKeySize>(key.signing_key(), "identity signing key");
  out.dh_key = fixed<crypto::kX25519KeySize>(key.dh_key(), "identity DH key");
  out.signature = fixed<crypto::kEd25519SignatureSize>(key.signature(), "identity signature");
  return out;
}

crypto::PrekeyBundle verified_bundle(const wire::Bundle& bundle) {
  crypto::PrekeyBundle out;
  out.username = bundle.username();
  out.identity = from_wire(bundle.identity());
  if (!out.identity.verify()) throw BadKeyFromRelay("the identity key's signature does not verify");
  out.signed_prekey.id = bundle.signed_prekey().id();
  out.signed_prekey.public_key = fixed<crypto::kX25519KeySize>(bundle.signed_prekey().public_key(), "signed prekey");
  out.signed_prekey.signature =
      fixed<crypto::kEd25519SignatureSize>(bundle.signed_prekey().signature(), "signed prekey signature");
  if (!out.signed_prekey.verify(out.identity.signing_key)) {
    throw BadKeyFromRelay("the signed prekey's signature does not verify");
  }
  if (bundle.has_one_time_prekey()) {
    crypto::OneTimePrekeyPublic otp;
    otp.id = bundle.one_time_prekey().id();
    otp.public_key = fixed<crypto::kX25519KeySize>(bundle.one_time_prekey().public_key(), "one-time prekey");
    out.one_time_prekey = otp;
  }
  return out;
}

}  // namespace sotto::msgd
