#include "relayd/auth/invite_code.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

namespace sotto::relayd {
namespace {

// Expected spellings computed independently: RFC 4648 base32 of the bytes,
// each symbol mapped to Crockford's alphabet by its value.
crypto::Bytes counting_bytes() {
  crypto::Bytes out;
  for (std::uint8_t i = 0; i < 16; ++i) out.push_back(i);
  return out;
}

TEST(InviteCode, GeneratedTextIsGroupsOfFourCrockfordSymbols) {
  const InviteCode code = generate_invite_code();
  ASSERT_EQ(code.text.size(), 32u) << code.text;
  for (std::size_t i = 0; i < code.text.size(); ++i) {
    if (i % 5 == 4) {
      EXPECT_EQ(code.text[i], '-') << code.text;
    } else {
      EXPECT_NE(std::string_view("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(code.text[i]), std::string_view::npos)
          << code.text;
    }
  }
}

TEST(InviteCode, TheTextHashesToTheHashGeneratedWithIt) {
  const InviteCode code = generate_invite_code();
  const auto hash = invite_code_hash(code.text);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(*hash, code.hash);
}

TEST(InviteCode, GeneratedCodesDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) seen.insert(generate_invite_code().text);
  EXPECT_EQ(seen.size(), 64u);
}

TEST(InviteCode, DecodesKnownSpellingsToTheSha256OfTheirBytes) {
  EXPECT_EQ(invite_code_hash("000G40R40M30E209185GR38E1W"), crypto::sha256(counting_bytes()));
  EXPECT_EQ(invite_code_hash("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZW"), crypto::sha256(crypto::Bytes(16, 0xff)));
  EXPECT_EQ(invite_code_hash("0000-0000-0000-0000-0000-0000-00"), crypto::sha256(crypto::Bytes(16, 0x00)));
}

TEST(InviteCode, AcceptsTheWaysPeopleRetypeACode) {
  const auto expected = crypto::sha256(counting_bytes());
  EXPECT_EQ(invite_code_hash("000g40r40m30e209185gr38e1w"), expected);
  EXPECT_EQ(invite_code_hash("000G-40R4-0M30-E209-185G-R38E-1W"), expected);
  EXPECT_EQ(invite_code_hash("000G 40R4 0M30 E209 185G R38E 1W"), expected);
  EXPECT_EQ(invite_code_hash("OOOG40R4OM3OE2O9I85GR38ElW"), expected);  // O for 0, I and l for 1
  EXPECT_EQ(invite_code_hash("ooog40r4om3oe2o9L85gr38eiw"), expected);
}

TEST(InviteCode, RejectsWrongLengthForeignSymbolsAndPaddingBits) {
  const std::string good = "000G40R40M30E209185GR38E1W";
  EXPECT_FALSE(invite_code_hash(""));
  EXPECT_FALSE(invite_code_hash(good.substr(0, 25)));
  EXPECT_FALSE(invite_code_hash(good + "0"));
  EXPECT_FALSE(invite_code_hash("U" + good.substr(1)));  // U is not in the alphabet
  EXPECT_FALSE(invite_code_hash("*" + good.substr(1)));
  EXPECT_FALSE(invite_code_hash(good.substr(0, 25) + "X"));  // X = 29: padding bits 01
  EXPECT_FALSE(invite_code_hash(std::string(65, '-')));
  EXPECT_FALSE(invite_code_hash(std::string(1000, '0')));
  EXPECT_FALSE(invite_code_hash(good + std::string(40, ' ')));  // longer than any plausible typing
}

}  // namespace
}  // namespace sotto::relayd
