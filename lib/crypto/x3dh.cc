#include "lib/crypto/x3dh.h"

#include <array>
#include <initializer_list>
#include <utility>

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"
#include "lib/crypto/hkdf.h"

namespace sotto::crypto {

namespace {

// X3DH §2.2: for X25519, F is 32 0xFF bytes. It makes the KDF input differ
// from any input a DH-only protocol on the same keys could produce.
constexpr std::size_t kFSize = 32;
// X3DH §2.2: the HKDF salt is a zero-filled byte sequence of the hash length.
constexpr std::array<std::uint8_t, 32> kZeroSalt{};
constexpr std::string_view kInfo = "Sotto X3DH v1";

void check_username(std::string_view username) {
  if (username.empty()) throw CryptoError("X3DH: username is empty");
  if (username.size() > kMaxUsernameSize) throw CryptoError("X3DH: username longer than 255 bytes");
}

// dhs are DH1..DH3 or DH1..DH4, in the spec's order.
SecretBytes derive_shared_secret(std::initializer_list<const SecretBytes*> dhs) {
  SecretBytes ikm(kFSize + dhs.size() * kX25519KeySize);
  ByteWriter w(ikm.span());
  for (std::size_t i = 0; i < kFSize; ++i) w.u8(0xFF);
  for (const SecretBytes* dh : dhs) w.bytes(dh->view());
  w.expect_full();
  return hkdf_sha256(ikm.view(), kZeroSalt, as_bytes(kInfo), kX3dhSharedSecretSize);
}

}  // namespace

Bytes x3dh_associated_data(const IdentityPublicKey& initiator, std::string_view initiator_username,
                           const IdentityPublicKey& responder, std::string_view responder_username) {
  check_username(initiator_username);
  check_username(responder_username);
  constexpr std::size_t kKeys = kEd25519PublicKeySize + kX25519KeySize;
  Bytes ad(2 * (1 + kKeys) + initiator_username.size() + responder_username.size());
  ByteWriter w(ad);
  for (const auto& [identity, name] : {std::pair{&initiator, initiator_username}, {&responder, responder_username}}) {
    w.u8(static_cast<std::uint8_t>(name.size()));
    w.bytes(as_bytes(name));
    w.bytes(identity->signing_key);
    w.bytes(identity->dh_key);
  }
  w.expect_full();
  return ad;
}

namespace detail {

X3dhInitiation x3dh_initiate_with_ephemeral(const IdentityKeyPair& me, std::string_view my_username,
                                            const PrekeyBundle& peer, const X25519KeyPair& ephemeral) {
  check_username(my_username);
  check_username(peer.username);
  if (!peer.identity.verify()) throw CryptoError("X3DH: the peer's identity key signature is invalid");
  if (!peer.signed_prekey.verify(peer.identity.signing_key)) {
    throw CryptoError("X3DH: the peer's signed prekey signature is invalid");
  }

  const SecretBytes dh1 = me.dh_key_pair().diffie_hellman(peer.signed_prekey.public_key);
  const SecretBytes dh2 = ephemeral.diffie_hellman(peer.identity.dh_key);
  const SecretBytes dh3 = ephemeral.diffie_hellman(peer.signed_prekey.public_key);

  X3dhInitiation out;
  if (peer.one_time_prekey) {
    const SecretBytes dh4 = ephemeral.diffie_hellman(peer.one_time_prekey->public_key);
    out.shared_secret = derive_shared_secret({&dh1, &dh2, &dh3, &dh4});
    out.one_time_prekey_id = peer.one_time_prekey->id;
  } else {
    out.shared_secret = derive_shared_secret({&dh1, &dh2, &dh3});
  }
  out.associated_data = x3dh_associated_data(me.public_key(), my_username, peer.identity, peer.username);
  out.ephemeral_public = ephemeral.public_key();
  out.signed_prekey_id = peer.signed_prekey.id;
  return out;
}

}  // namespace detail

X3dhInitiation x3dh_initiate(const IdentityKeyPair& me, std::string_view my_username, const PrekeyBundle& peer) {
  return detail::x3dh_initiate_with_ephemeral(me, my_username, peer, X25519KeyPair::generate());
}

X3dhResponse x3dh_respond(const IdentityKeyPair& me, std::string_view my_username,
                          const SignedPrekeyPair& signed_prekey, const OneTimePrekeyPair* one_time_prekey,
                          const IdentityPublicKey& initiator_identity, std::string_view initiator_username,
                          const X25519PublicKey& initiator_ephemeral) {
  check_username(my_username);
  check_username(initiator_username);
  if (!initiator_identity.verify()) throw CryptoError("X3DH: the initiator's identity key signature is invalid");

  const X25519KeyPair& spk = signed_prekey.key_pair();
  const SecretBytes dh1 = spk.diffie_hellman(initiator_identity.dh_key);
  const SecretBytes dh2 = me.dh_key_pair().diffie_hellman(initiator_ephemeral);
  const SecretBytes dh3 = spk.diffie_hellman(initiator_ephemeral);

  X3dhResponse out;
  if (one_time_prekey != nullptr) {
    const SecretBytes dh4 = one_time_prekey->key_pair().diffie_hellman(initiator_ephemeral);
    out.shared_secret = derive_shared_secret({&dh1, &dh2, &dh3, &dh4});
  } else {
    out.shared_secret = derive_shared_secret({&dh1, &dh2, &dh3});
  }
  out.associated_data = x3dh_associated_data(initiator_identity, initiator_username, me.public_key(), my_username);
  return out;
}

}  // namespace sotto::crypto
