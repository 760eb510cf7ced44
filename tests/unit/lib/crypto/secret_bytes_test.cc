// SecretBytes (lib/crypto/secret_bytes.h): value semantics and comparison.
// The wipe on destruction cannot be observed without reading freed memory, so
// it is left to review and to ASan (which would flag any use after free here).

#include "lib/crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <utility>

namespace sotto::crypto {
namespace {

SecretBytes secret_of(std::string_view s) { return SecretBytes(as_bytes(s)); }

TEST(SecretBytes, DefaultConstructedIsEmpty) {
  const SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.view().empty());
}

TEST(SecretBytes, SizeConstructorGivesThatManyZeroBytes) {
  const SecretBytes s(32);
  ASSERT_EQ(s.size(), 32u);
  for (std::uint8_t b : s.view()) EXPECT_EQ(b, 0);
}

TEST(SecretBytes, ByteViewConstructorCopiesTheBytes) {
  Bytes source = from_hex("00112233");
  const SecretBytes s(source);
  source[0] = 0xff;
  EXPECT_EQ(to_hex(s.view()), "00112233");
}

TEST(SecretBytes, CopiesCompareEqualAndAreIndependent) {
  const SecretBytes original = secret_of("key material");
  SecretBytes copy(original);
  EXPECT_TRUE(copy == original);
  copy.data()[0] ^= 1;
  EXPECT_FALSE(copy == original);
  EXPECT_EQ(to_hex(original.view()), to_hex(as_bytes("key material")));
}

TEST(SecretBytes, CopyAssignmentTakesTheOtherSizeAndContents) {
  const SecretBytes longer = secret_of("a longer secret value");
  SecretBytes target = secret_of("short");
  target = longer;
  EXPECT_TRUE(target == longer);
  const SecretBytes shorter = secret_of("x");
  target = shorter;
  EXPECT_TRUE(target == shorter);
  EXPECT_EQ(target.size(), 1u);
}

TEST(SecretBytes, SelfCopyAssignmentKeepsTheContents) {
  SecretBytes s = secret_of("unchanged");
  const SecretBytes& alias = s;
  s = alias;
  EXPECT_EQ(to_hex(s.view()), to_hex(as_bytes("unchanged")));
}

TEST(SecretBytes, MoveConstructionTakesTheBytesAndLeavesTheSourceEmpty) {
  SecretBytes source = secret_of("moving");
  const SecretBytes target(std::move(source));
  EXPECT_EQ(to_hex(target.view()), to_hex(as_bytes("moving")));
  EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
}

TEST(SecretBytes, MoveAssignmentTakesTheBytesAndLeavesTheSourceEmpty) {
  SecretBytes source = secret_of("moving");
  SecretBytes target = secret_of("old contents that are replaced");
  target = std::move(source);
  EXPECT_EQ(to_hex(target.view()), to_hex(as_bytes("moving")));
  EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(source.size(), 0u);
}

TEST(SecretBytes, DifferentSizesOrContentsCompareUnequal) {
  EXPECT_FALSE(secret_of("abc") == secret_of("abcd"));
  EXPECT_FALSE(secret_of("abc") == secret_of("abd"));
  EXPECT_FALSE(secret_of("abc") == SecretBytes());
  EXPECT_TRUE(SecretBytes() == SecretBytes());
  EXPECT_TRUE(SecretBytes(4) == SecretBytes(Bytes(4, 0)));
}

TEST(SecretBytes, SpanWritesThroughToTheBytes) {
  SecretBytes s(3);
  s.span()[1] = 0xab;
  EXPECT_EQ(to_hex(s.view()), "00ab00");
  EXPECT_EQ(s.view().data(), s.data());
}

}  // namespace
}  // namespace sotto::crypto
