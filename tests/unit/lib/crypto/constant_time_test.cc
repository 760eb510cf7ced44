// constant_time_equal (lib/crypto/constant_time.h): results only; timing is
// CRYPTO_memcmp's promise and is not measured here.

#include "lib/crypto/constant_time.h"

#include <gtest/gtest.h>

namespace sotto::crypto {
namespace {

TEST(ConstantTimeEqual, EqualContentsAreEqual) {
  EXPECT_TRUE(constant_time_equal(as_bytes("same bytes"), as_bytes("same bytes")));
}

TEST(ConstantTimeEqual, DifferentLengthsAreUnequalEvenWhenOneIsAPrefix) {
  EXPECT_FALSE(constant_time_equal(as_bytes("abc"), as_bytes("ab")));
  EXPECT_FALSE(constant_time_equal(as_bytes("ab"), as_bytes("abc")));
}

TEST(ConstantTimeEqual, TwoEmptyInputsAreEqual) {
  EXPECT_TRUE(constant_time_equal({}, {}));
  const Bytes empty;
  EXPECT_TRUE(constant_time_equal(empty, as_bytes("")));
}

TEST(ConstantTimeEqual, EmptyAndNonEmptyAreUnequal) {
  EXPECT_FALSE(constant_time_equal({}, as_bytes("x")));
  EXPECT_FALSE(constant_time_equal(as_bytes("x"), {}));
}

TEST(ConstantTimeEqual, DetectsADifferenceInAnyPosition) {
  const Bytes a(64, 0x5c);
  for (std::size_t i = 0; i < a.size(); ++i) {
    Bytes b = a;
    b[i] ^= 0x01;
    EXPECT_FALSE(constant_time_equal(a, b)) << "difference at " << i;
  }
}

}  // namespace
}  // namespace sotto::crypto
