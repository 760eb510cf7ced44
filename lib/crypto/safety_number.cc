#include "lib/crypto/safety_number.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "lib/crypto/error.h"
#include "lib/crypto/sha256.h"

namespace sotto::crypto {

namespace {

constexpr std::size_t kIdentityKeySize = 32;  // Ed25519 and X25519 public keys
constexpr std::size_t kGroupDigits = 5;
constexpr std::size_t kGroupsPerLine = 4;

void check_keys(ByteView signing_key, ByteView dh_key) {
  if (signing_key.size() != kIdentityKeySize) throw CryptoError("identity signing key must be 32 bytes");
  if (dh_key.size() != kIdentityKeySize) throw CryptoError("identity DH key must be 32 bytes");
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string safety_number_party_digits(const SafetyNumberParty& party) {
  check_keys(party.signing_key, party.dh_key);
  if (party.username.empty()) throw CryptoError("safety number needs a username");

  // Round 1 hashes version || keys || username || keys; every further round
  // hashes the previous digest || keys. The keys come last each time so that
  // every round depends on them, not only on the chain value.
  const std::array<std::uint8_t, 2> version = {static_cast<std::uint8_t>(kSafetyNumberVersion >> 8),
                                               static_cast<std::uint8_t>(kSafetyNumberVersion & 0xff)};
  Sha256 hash;
  hash.update(version);
  hash.update(party.signing_key);
  hash.update(party.dh_key);
  hash.update(as_bytes(party.username));
  Sha256Digest digest{};
  for (int round = 0; round < kSafetyNumberIterations; ++round) {
    if (round > 0) hash.update(digest);
    hash.update(party.signing_key);
    hash.update(party.dh_key);
    digest = hash.finish();  // finish() also resets hash for the next round
  }

  // Six 5-byte big-endian integers from the first 30 bytes, each reduced mod
  // 10^5. The bias of a 40-bit value mod 10^5 is below 2^-23, negligible.
  std::string digits;
  digits.reserve(kSafetyNumberPartyDigits);
  for (std::size_t chunk = 0; chunk < kSafetyNumberPartyDigits / kGroupDigits; ++chunk) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 5; ++i) value = (value << 8) | digest[chunk * 5 + i];
    std::array<char, kGroupDigits> group{};
    std::uint64_t rest = value % 100000;
    for (std::size_t i = kGroupDigits; i > 0; --i) {
      group[i - 1] = static_cast<char>('0' + rest % 10);
      rest /= 10;
    }
    digits.append(group.data(), group.size());
  }
  return digits;
}

SafetyNumber::SafetyNumber(const SafetyNumberParty& a, const SafetyNumberParty& b) {
  std::string first = safety_number_party_digits(a);
  std::string second = safety_number_party_digits(b);
  if (second < first) std::swap(first, second);
  digits_ = first + second;
}

std::string SafetyNumber::grouped() const {
  std::string out;
  for (std::size_t i = 0; i < digits_.size(); i += kGroupDigits) {
    if (i > 0) out += ' ';
    out.append(digits_, i, kGroupDigits);
  }
  return out;
}

std::string SafetyNumber::display_lines() const {
  std::string out;
  for (std::size_t group = 0; group * kGroupDigits < digits_.size(); ++group) {
    if (group > 0) out += (group % kGroupsPerLine == 0) ? '\n' : ' ';
    out.append(digits_, group * kGroupDigits, kGroupDigits);
  }
  return out;
}

bool SafetyNumber::matches(std::string_view entered) const {
  std::string compact;
  compact.reserve(entered.size());
  for (const char c : entered) {
    if (!is_space(c)) compact += c;
  }
  return compact == digits_;
}

std::string short_fingerprint(ByteView signing_key, ByteView dh_key) {
  check_keys(signing_key, dh_key);
  Sha256 hash;
  hash.update(signing_key);
  hash.update(dh_key);
  const Sha256Digest digest = hash.finish();
  const std::string hex = to_hex(ByteView(digest.data(), 16));
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 4) {
    if (i > 0) out += ' ';
    out.append(hex, i, 4);
  }
  return out;
}

}  // namespace sotto::crypto
