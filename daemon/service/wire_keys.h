#pragma once

#include <stdexcept>

#include "lib/crypto/identity.h"
#include "lib/crypto/prekey.h"
#include "lib/wire/relay.pb.h"

namespace sotto::msgd {

// Between lib/crypto's key types and the relay protocol's messages. A key of
// the wrong length from the relay is a protocol problem, not a crash.
class BadKeyFromRelay : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

wire::IdentityKey to_wire(const crypto::IdentityPublicKey& key);
wire::SignedPrekey to_wire(const crypto::SignedPrekeyPublic& key);
wire::OneTimePrekey to_wire(const crypto::OneTimePrekeyPublic& key);

crypto::IdentityPublicKey from_wire(const wire::IdentityKey& key);
// Checks every signature: the identity's over its X25519 key and the signed
// prekey's; throws BadKeyFromRelay when one fails.
crypto::PrekeyBundle verified_bundle(const wire::Bundle& bundle);

}  // namespace sotto::msgd
