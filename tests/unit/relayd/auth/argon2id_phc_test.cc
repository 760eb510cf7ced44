#include "relayd/auth/argon2id_phc.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sotto::relayd {
namespace {

// From the reference implementation's test suite (P-H-C/phc-winner-argon2,
// src/test.c): Argon2id v19, t=2, m=2^16, p=1, password "password", salt
// "somesalt".
constexpr std::string_view kReference =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
constexpr std::string_view kReferenceTagHex = "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7";

TEST(Argon2idPhc, ParsesTheReferenceImplementationsOutput) {
  const auto phc = parse_argon2id_phc(kReference);
  ASSERT_TRUE(phc.has_value());
  EXPECT_EQ(phc->memory_kib, 65536u);
  EXPECT_EQ(phc->iterations, 2u);
  EXPECT_EQ(phc->parallelism, 1u);
  EXPECT_EQ(std::string(phc->salt.begin(), phc->salt.end()), "somesalt");
  EXPECT_EQ(crypto::to_hex(phc->hash), kReferenceTagHex);
}

TEST(Argon2idPhc, FormatReproducesTheParsedStringByteForByte) {
  const auto phc = parse_argon2id_phc(kReference);
  ASSERT_TRUE(phc.has_value());
  EXPECT_EQ(format_argon2id_phc(*phc), kReference);
}

TEST(Argon2idPhc, FormatThenParseRoundTripsEveryBase64Remainder) {
  // Salt lengths 8, 9, 10 leave 1, 2 and 0 bytes over a multiple of three.
  for (std::size_t salt_size : {8u, 9u, 10u, 64u}) {
    Argon2idPhc phc;
    phc.memory_kib = 4294967295u;
    phc.iterations = 1;
    phc.parallelism = 16;
    for (std::size_t i = 0; i < salt_size; ++i) phc.salt.push_back(static_cast<std::uint8_t>(0xff - i * 7));
    phc.hash = crypto::Bytes(33, 0xa5);
    const std::string text = format_argon2id_phc(phc);
    const auto back = parse_argon2id_phc(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->memory_kib, phc.memory_kib);
    EXPECT_EQ(back->iterations, phc.iterations);
    EXPECT_EQ(back->parallelism, phc.parallelism);
    EXPECT_EQ(back->salt, phc.salt);
    EXPECT_EQ(back->hash, phc.hash);
  }
}

TEST(Argon2idPhc, RejectsEveryNonCanonicalOrForeignForm) {
  const std::string tag = "$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  const std::vector<std::string> bad = {
      "",
      "$",
      "$argon2id$",
      "$argon2id$v=19$",
      "$argon2id$v=19$m=65536,t=2,p=1",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$",
      "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ" + tag,
      "$argon2d$v=19$m=65536,t=2,p=1$c29tZXNhbHQ" + tag,
      "$ARGON2ID$v=19$m=65536,t=2,p=1$c29tZXNhbHQ" + tag,
      "$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ" + tag,  // no version: v16
      "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ" + tag,
      "$argon2id$v=19$t=2,m=65536,p=1$c29tZXNhbHQ" + tag,       // order
      "$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ" + tag,      // leading zero
      "$argon2id$v=19$m=+65536,t=2,p=1$c29tZXNhbHQ" + tag,      // sign
      "$argon2id$v=19$m=-1,t=2,p=1$c29tZXNhbHQ" + tag,          // negative
      "$argon2id$v=19$m=4294967296,t=2,p=1$c29tZXNhbHQ" + tag,  // 2^32
      "$argon2id$v=19$m=99999999999999999999,t=2,p=1$c29tZXNhbHQ" + tag,
      "$argon2id$v=19$m=,t=2,p=1$c29tZXNhbHQ" + tag,
      "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ" + tag,
      "$argon2id$v=19$m=65536,t=2,p=1,data=YQ$c29tZXNhbHQ" + tag,
      "$argon2id$v=19$m=65536, t=2,p=1$c29tZXNhbHQ" + tag,
      "$argon2id$v=19$m=65536,t=2,p=1$$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",  // empty salt
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=" + tag,                            // padding
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHR" + tag,                             // unused bits set
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQAA" + tag,                           // 13 chars: 1 mod 4
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZX-hbHQ" + tag,                             // url-safe alphabet
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ" + tag + "$",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ" + tag + "$extra",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ" + tag + " ",
      " $argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ" + tag,
      std::string("$argon2id$v=19$m=65536,t=2,p=1$c29tZX") + '\0' + "hbHQ" + tag,
  };
  for (const auto& text : bad) {
    EXPECT_FALSE(parse_argon2id_phc(text).has_value()) << text;
  }
}

TEST(Argon2idPhc, AcceptsTheLargestThirtyTwoBitValuesAsSyntax) {
  const auto phc = parse_argon2id_phc("$argon2id$v=19$m=4294967295,t=4294967295,p=4294967295$c29tZXNhbHQ$YQ");
  ASSERT_TRUE(phc.has_value());
  EXPECT_EQ(phc->memory_kib, 4294967295u);
  EXPECT_EQ(phc->iterations, 4294967295u);
  EXPECT_EQ(phc->parallelism, 4294967295u);
  EXPECT_EQ(phc->hash, crypto::Bytes{'a'});
}

}  // namespace
}  // namespace sotto::relayd
