// SHA-256 (lib/crypto/sha256.h) against the FIPS 180-2 Appendix B examples.

#include "lib/crypto/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace sotto::crypto {
namespace {

TEST(Sha256, MatchesTheDigestOfTheEmptyMessage) {
  EXPECT_EQ(to_hex(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, MatchesFips180OneBlockMessageAbc) {
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MatchesFips180TwoBlock448BitMessage) {
  const std::string message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  ASSERT_EQ(message.size() * 8, 448u);
  EXPECT_EQ(to_hex(sha256(as_bytes(message))), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// The third FIPS 180-2 example, one million 'a', fed in uneven pieces the way a
// file is hashed while it streams.
TEST(Sha256, MatchesFips180MillionAsFedInUnevenPieces) {
  const std::string chunk(997, 'a');  // a prime, so pieces straddle block boundaries
  Sha256 h;
  std::size_t fed = 0;
  while (fed < 1000000) {
    const std::size_t n = std::min(chunk.size(), 1000000 - fed);
    h.update(as_bytes(std::string_view(chunk).substr(0, n)));
    fed += n;
  }
  EXPECT_EQ(to_hex(h.finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalUpdatesAtAnySplitMatchTheOneShotDigest) {
  std::string message;
  for (int i = 0; i < 150; ++i) message.push_back(static_cast<char>(i * 7));
  const Sha256Digest expected = sha256(as_bytes(message));
  for (std::size_t split = 0; split <= message.size(); ++split) {
    Sha256 h;
    h.update(as_bytes(std::string_view(message).substr(0, split)));
    h.update(as_bytes(std::string_view(message).substr(split)));
    EXPECT_EQ(h.finish(), expected) << "split at " << split;
  }
}

TEST(Sha256, ObjectStartsOverAfterFinish) {
  Sha256 h;
  h.update(as_bytes("first message"));
  (void)h.finish();
  h.update(as_bytes("abc"));
  EXPECT_EQ(to_hex(h.finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(h.finish()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace sotto::crypto
