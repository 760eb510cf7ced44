// Hex and byte helpers (lib/crypto/bytes.h).

#include "lib/crypto/bytes.h"

#include <gtest/gtest.h>

#include <string>

#include "lib/crypto/error.h"

namespace sotto::crypto {
namespace {

TEST(Bytes, ToHexIsLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(to_hex(Bytes{0x00, 0x0f, 0xa0, 0xff}), "000fa0ff");
  EXPECT_EQ(to_hex(Bytes{}), "");
}

TEST(Bytes, HexRoundTripsEveryByteValue) {
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string hex = to_hex(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  EXPECT_EQ(from_hex(hex), all);
}

TEST(Bytes, FromHexAcceptsUpperAndMixedCase) {
  EXPECT_EQ(from_hex("ABCDEF"), (Bytes{0xab, 0xcd, 0xef}));
  EXPECT_EQ(from_hex("aBcD"), (Bytes{0xab, 0xcd}));
}

TEST(Bytes, FromHexOfAnEmptyStringIsEmpty) { EXPECT_TRUE(from_hex("").empty()); }

TEST(Bytes, FromHexRejectsOddLength) {
  EXPECT_THROW(from_hex("a"), CryptoError);
  EXPECT_THROW(from_hex("abc"), CryptoError);
}

TEST(Bytes, FromHexRejectsNonHexCharacters) {
  const std::string_view bad_inputs[] = {
      "0g", "g0", " 0", "0 ", "-1", "0x", "zz", "\xff\xff", std::string_view("0\0", 2)};
  for (std::string_view bad : bad_inputs) {
    EXPECT_THROW(from_hex(bad), CryptoError) << "input of " << bad.size() << " chars: " << to_hex(as_bytes(bad));
  }
  // The bad character may come after good ones.
  EXPECT_THROW(from_hex("00112233445566778g"), CryptoError);
}

TEST(Bytes, AsBytesViewsTheStringWithoutCopying) {
  const std::string s = "view me";
  const ByteView v = as_bytes(s);
  EXPECT_EQ(v.size(), s.size());
  EXPECT_EQ(static_cast<const void*>(v.data()), static_cast<const void*>(s.data()));
}

TEST(Bytes, AppendAddsAtTheEnd) {
  Bytes out{1, 2};
  append(out, Bytes{3, 4});
  append(out, {});
  EXPECT_EQ(out, (Bytes{1, 2, 3, 4}));
}

}  // namespace
}  // namespace sotto::crypto
