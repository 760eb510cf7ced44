#include "daemon/service/identity_policy.h"

namespace sotto::msgd {

IdentityDecision decide_identity(TrustPolicy policy, const std::optional<Contact>& known,
                                 const crypto::IdentityPublicKey& seen) {
  IdentityDecision d;
  if (!known) {
    d.new_contact = true;
    d.trust = policy == TrustPolicy::kNever ? Trust::kUntrusted : Trust::kTrusted;
  } else if (known->identity == seen) {
    d.trust = known->trust;
  } else {
    d.changed = true;
    d.trust = policy == TrustPolicy::kAlways ? Trust::kTrusted : Trust::kUntrusted;
  }
  d.may_send = d.trust != Trust::kUntrusted;
  d.warn = !d.may_send;
  return d;
}

}  // namespace sotto::msgd
