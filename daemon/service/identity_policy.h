#pragma once

#include <optional>

#include "daemon/service/msgd_config.h"
#include "daemon/store/contact_store.h"
#include "lib/crypto/identity.h"

namespace sotto::msgd {

// What to do on meeting a peer's identity key (in a bundle we fetched or an
// initial message we received), given what we knew and the policy. Pure, so
// every case of the trust model is a unit test.
struct IdentityDecision {
  bool new_contact = false;  // first time we see this peer: store it
  bool changed = false;      // a different key than the stored one: store it, tell the user
  Trust trust = Trust::kTrusted;
  bool may_send = true;  // sending to this peer is allowed (not untrusted)
  bool warn = false;     // incoming messages carry the identity warning
};

IdentityDecision decide_identity(TrustPolicy policy, const std::optional<Contact>& known,
                                 const crypto::IdentityPublicKey& seen);

}  // namespace sotto::msgd
