#include "lib/crypto/safety_number.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "lib/crypto/error.h"
#include "lib/crypto/sha256.h"

namespace sotto::crypto {
namespace {

Bytes counting_bytes(std::uint8_t first) {
  Bytes out(32);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

// The identities of the known-answer vector in docs/crypto-content.md.
struct Fixture {
  Bytes alice_signing = counting_bytes(0x00);
  Bytes alice_dh = counting_bytes(0x20);
  Bytes bob_signing = counting_bytes(0x40);
  Bytes bob_dh = counting_bytes(0x60);
  SafetyNumberParty alice() const { return {"alice", alice_signing, alice_dh}; }
  SafetyNumberParty bob() const { return {"bob", bob_signing, bob_dh}; }
};

TEST(SafetyNumber, MatchesTheKnownAnswerVectorInTheDocs) {
  // Computed by an independent Python implementation of the documented
  // derivation (hashlib.sha256).
  const Fixture f;
  EXPECT_EQ(safety_number_party_digits(f.alice()), "866240668632284632314993208208");
  EXPECT_EQ(safety_number_party_digits(f.bob()), "422702727420052657516304348628");
  EXPECT_EQ(SafetyNumber(f.alice(), f.bob()).grouped(),
            "42270 27274 20052 65751 63043 48628 86624 06686 32284 63231 49932 08208");
}

TEST(SafetyNumber, IsTheSameWhicheverPartyComesFirst) {
  const Fixture f;
  const SafetyNumber ab(f.alice(), f.bob());
  const SafetyNumber ba(f.bob(), f.alice());
  EXPECT_EQ(ab, ba);
  EXPECT_EQ(ab.grouped(), ba.grouped());
}

TEST(SafetyNumber, IsTheTwoPartyHalvesInSortedOrder) {
  const Fixture f;
  const std::string a = safety_number_party_digits(f.alice());
  const std::string b = safety_number_party_digits(f.bob());
  ASSERT_NE(a, b);
  EXPECT_EQ(SafetyNumber(f.alice(), f.bob()).digits(), a < b ? a + b : b + a);
}

TEST(SafetyNumber, HasExactlySixtyDigits) {
  const Fixture f;
  const SafetyNumber number(f.alice(), f.bob());
  const std::string& digits = number.digits();
  EXPECT_EQ(digits.size(), kSafetyNumberDigits);
  EXPECT_TRUE(std::regex_match(digits, std::regex("[0-9]{60}")));
}

TEST(SafetyNumber, RendersTwelveGroupsOfFiveSeparatedBySpaces) {
  const Fixture f;
  const SafetyNumber number(f.alice(), f.bob());
  const std::string grouped = number.grouped();
  EXPECT_TRUE(std::regex_match(grouped, std::regex("[0-9]{5}( [0-9]{5}){11}"))) << grouped;
  std::string without_spaces;
  for (const char c : grouped) {
    if (c != ' ') without_spaces += c;
  }
  EXPECT_EQ(without_spaces, number.digits());
}

TEST(SafetyNumber, RendersThreeLinesOfFourGroupsForDisplay) {
  const Fixture f;
  const SafetyNumber number(f.alice(), f.bob());
  const std::string lines = number.display_lines();
  EXPECT_TRUE(std::regex_match(lines, std::regex("([0-9]{5}( [0-9]{5}){3}\n){2}[0-9]{5}( [0-9]{5}){3}"))) << lines;
  std::string as_one_line = lines;
  for (char& c : as_one_line) {
    if (c == '\n') c = ' ';
  }
  EXPECT_EQ(as_one_line, number.grouped());
}

TEST(SafetyNumber, ChangesWhenAnyKeyByteChanges) {
  const Fixture f;
  const std::string original = safety_number_party_digits(f.alice());
  std::set<std::string> seen{original};
  for (std::size_t i = 0; i < 64; ++i) {
    Bytes signing = f.alice_signing;
    Bytes dh = f.alice_dh;
    (i < 32 ? signing[i] : dh[i - 32]) ^= 0x01;
    const std::string changed = safety_number_party_digits({"alice", signing, dh});
    EXPECT_NE(changed, original) << "key byte " << i;
    seen.insert(changed);
  }
  EXPECT_EQ(seen.size(), 65u);  // every change gives a different number
}

TEST(SafetyNumber, ChangesWhenEitherPartysKeyChanges) {
  const Fixture f;
  const SafetyNumber original(f.alice(), f.bob());
  Bytes bob_dh = f.bob_dh;
  bob_dh[31] ^= 0x80;
  EXPECT_NE(SafetyNumber(f.alice(), {"bob", f.bob_signing, bob_dh}), original);
  Bytes alice_signing = f.alice_signing;
  alice_signing[0] ^= 0x01;
  EXPECT_NE(SafetyNumber({"alice", alice_signing, f.alice_dh}, f.bob()), original);
}

TEST(SafetyNumber, ChangesWhenTheUsernameChanges) {
  const Fixture f;
  const std::string original = safety_number_party_digits(f.alice());
  for (const std::string_view other : {"alicf", "Alice", "alice ", "alic", "alice\x01"}) {
    EXPECT_NE(safety_number_party_digits({other, f.alice_signing, f.alice_dh}), original) << other;
  }
  EXPECT_NE(SafetyNumber(f.alice(), {"carol", f.bob_signing, f.bob_dh}), SafetyNumber(f.alice(), f.bob()));
}

TEST(SafetyNumber, DistinguishesSwappedSigningAndDhKeys) {
  const Fixture f;
  EXPECT_NE(safety_number_party_digits({"alice", f.alice_dh, f.alice_signing}), safety_number_party_digits(f.alice()));
}

TEST(SafetyNumber, RejectsKeysThatAreNot32BytesAndAnEmptyUsername) {
  const Fixture f;
  const Bytes short_key(31, 1);
  EXPECT_THROW(safety_number_party_digits({"alice", short_key, f.alice_dh}), CryptoError);
  EXPECT_THROW(safety_number_party_digits({"alice", f.alice_signing, Bytes(33, 1)}), CryptoError);
  EXPECT_THROW(safety_number_party_digits({"", f.alice_signing, f.alice_dh}), CryptoError);
  EXPECT_THROW(SafetyNumber(f.alice(), {"bob", short_key, f.bob_dh}), CryptoError);
}

TEST(SafetyNumber, MatchesTheNumberTypedWithAnySpacing) {
  const Fixture f;
  const SafetyNumber number(f.alice(), f.bob());
  EXPECT_TRUE(number.matches(number.digits()));
  EXPECT_TRUE(number.matches(number.grouped()));
  EXPECT_TRUE(number.matches(number.display_lines() + "\n"));
  EXPECT_TRUE(number.matches("  " + number.digits().substr(0, 7) + "\t" + number.digits().substr(7) + "\r\n"));
}

TEST(SafetyNumber, DoesNotMatchAWrongOrIncompleteNumber) {
  const Fixture f;
  const SafetyNumber number(f.alice(), f.bob());
  std::string wrong = number.digits();
  wrong[59] = wrong[59] == '0' ? '1' : '0';
  EXPECT_FALSE(number.matches(wrong));
  EXPECT_FALSE(number.matches(number.digits().substr(0, 59)));
  EXPECT_FALSE(number.matches(number.digits() + "0"));
  EXPECT_FALSE(number.matches(""));
  EXPECT_FALSE(number.matches(number.digits().substr(0, 30) + "-" + number.digits().substr(30)));
}

TEST(ShortFingerprint, IsEightGroupsOfFourHexDigitsOfTheKeysHash) {
  const Fixture f;
  const std::string fingerprint = short_fingerprint(f.alice_signing, f.alice_dh);
  EXPECT_EQ(fingerprint, "fdea b9ac f371 0362 bd26 58cd c9a2 9e8f");  // Python's hashlib, see the docs
  EXPECT_TRUE(std::regex_match(fingerprint, std::regex("[0-9a-f]{4}( [0-9a-f]{4}){7}")));
  Bytes both = f.alice_signing;
  append(both, f.alice_dh);
  std::string compact;
  for (const char c : fingerprint) {
    if (c != ' ') compact += c;
  }
  EXPECT_EQ(compact, to_hex(sha256(both)).substr(0, 32));
}

TEST(ShortFingerprint, ChangesWhenEitherKeyChanges) {
  const Fixture f;
  const std::string original = short_fingerprint(f.alice_signing, f.alice_dh);
  Bytes signing = f.alice_signing;
  signing[5] ^= 0x10;
  EXPECT_NE(short_fingerprint(signing, f.alice_dh), original);
  Bytes dh = f.alice_dh;
  dh[30] ^= 0x02;
  EXPECT_NE(short_fingerprint(f.alice_signing, dh), original);
}

TEST(ShortFingerprint, RejectsKeysThatAreNot32Bytes) {
  const Fixture f;
  EXPECT_THROW(short_fingerprint(Bytes(32, 0), Bytes(0)), CryptoError);
  EXPECT_THROW(short_fingerprint(Bytes(64, 0), f.alice_dh), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto
