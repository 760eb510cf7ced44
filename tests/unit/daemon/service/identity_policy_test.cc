#include "daemon/service/identity_policy.h"

#include <gtest/gtest.h>

namespace sotto::msgd {
namespace {

crypto::IdentityPublicKey key() { return crypto::IdentityKeyPair::generate().public_key(); }

Contact known(const crypto::IdentityPublicKey& k, Trust trust) { return Contact{"bob", k, 1, trust, false}; }

TEST(IdentityPolicy, FirstKeyIsTrustedOnFirstUseAndAlways) {
  for (TrustPolicy p : {TrustPolicy::kOnFirstUse, TrustPolicy::kAlways}) {
    const auto d = decide_identity(p, std::nullopt, key());
    EXPECT_TRUE(d.new_contact);
    EXPECT_FALSE(d.changed);
    EXPECT_EQ(d.trust, Trust::kTrusted);
    EXPECT_TRUE(d.may_send);
    EXPECT_FALSE(d.warn);
  }
}

TEST(IdentityPolicy, NeverTrustsNothingUntilVerified) {
  const auto d = decide_identity(TrustPolicy::kNever, std::nullopt, key());
  EXPECT_TRUE(d.new_contact);
  EXPECT_EQ(d.trust, Trust::kUntrusted);
  EXPECT_FALSE(d.may_send);
  EXPECT_TRUE(d.warn);
  const auto k = key();
  EXPECT_TRUE(decide_identity(TrustPolicy::kNever, known(k, Trust::kVerified), k).may_send);
}

TEST(IdentityPolicy, SameKeyKeepsItsTrust) {
  const auto k = key();
  for (Trust t : {Trust::kTrusted, Trust::kVerified, Trust::kUntrusted}) {
    const auto d = decide_identity(TrustPolicy::kOnFirstUse, known(k, t), k);
    EXPECT_FALSE(d.new_contact);
    EXPECT_FALSE(d.changed);
    EXPECT_EQ(d.trust, t);
    EXPECT_EQ(d.may_send, t != Trust::kUntrusted);
  }
}

TEST(IdentityPolicy, ChangedKeyBlocksSendingUnlessPolicyIsAlways) {
  const auto old_key = key();
  const auto new_key = key();
  for (Trust before : {Trust::kTrusted, Trust::kVerified}) {
    const auto d = decide_identity(TrustPolicy::kOnFirstUse, known(old_key, before), new_key);
    EXPECT_TRUE(d.changed);
    EXPECT_EQ(d.trust, Trust::kUntrusted);
    EXPECT_FALSE(d.may_send);
    EXPECT_TRUE(d.warn);
  }
  const auto always = decide_identity(TrustPolicy::kAlways, known(old_key, Trust::kVerified), new_key);
  EXPECT_TRUE(always.changed) << "still reported";
  EXPECT_TRUE(always.may_send);
  EXPECT_EQ(always.trust, Trust::kTrusted) << "a new key is never 'verified' by itself";
}

}  // namespace
}  // namespace sotto::msgd
