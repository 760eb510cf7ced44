#include "relayd/auth/session_token.h"

#include <gtest/gtest.h>

#include <set>

namespace sotto::relayd {
namespace {

TEST(SessionToken, IsThirtyTwoFreshRandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    const crypto::SecretBytes token = generate_token();
    ASSERT_EQ(token.size(), kSessionTokenBytes);
    EXPECT_EQ(kSessionTokenBytes, 32u);
    seen.insert(crypto::to_hex(token.view()));
  }
  EXPECT_EQ(seen.size(), 64u);
}

TEST(SessionToken, HashIsTheSha256OfTheTokenBytes) {
  // FIPS 180-2, appendix B.1: SHA-256("abc").
  EXPECT_EQ(crypto::to_hex(token_hash(crypto::as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const crypto::SecretBytes token = generate_token();
  EXPECT_EQ(token_hash(token.view()), crypto::sha256(token.view()));
}

TEST(SessionToken, HashComparisonNoticesADifferenceAnywhere) {
  const crypto::SecretBytes token = generate_token();
  const crypto::Sha256Digest a = token_hash(token.view());
  EXPECT_TRUE(token_hashes_equal(a, a));
  for (std::size_t i : {0u, 15u, 31u}) {
    crypto::Sha256Digest b = a;
    b[i] ^= 0x01;
    EXPECT_FALSE(token_hashes_equal(a, b)) << "byte " << i;
  }
}

}  // namespace
}  // namespace sotto::relayd
