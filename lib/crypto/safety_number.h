#pragma once

// Safety numbers: a fingerprint of two parties' identities that the two
// people compare (read aloud or side by side) to rule out a man in the
// middle. Modelled on Signal's numeric fingerprints, with SHA-256; the exact
// hash inputs are in docs/crypto-content.md ("Safety numbers").

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/crypto/bytes.h"

namespace sotto::crypto {

// 5200 iterations of SHA-256 (the figure in Signal's numeric fingerprint
// generator). Finding another identity with the same 30 digits as a victim
// takes about 10^30 (~2^100) candidates; the iterations make each cost ~2^12
// hashes, ~2^112 in all, while one safety number still takes milliseconds.
inline constexpr int kSafetyNumberIterations = 5200;
// First two bytes hashed; changes whenever the derivation does.
inline constexpr std::uint16_t kSafetyNumberVersion = 1;
inline constexpr std::size_t kSafetyNumberPartyDigits = 30;
inline constexpr std::size_t kSafetyNumberDigits = 2 * kSafetyNumberPartyDigits;

// One side's public identity. The views must outlive the call they are
// passed to.
struct SafetyNumberParty {
  std::string_view username;  // UTF-8 bytes as stored by the relay; non-empty
  ByteView signing_key;       // Ed25519 public key, 32 bytes
  ByteView dh_key;            // X25519 identity public key, 32 bytes
};

// The 30 decimal digits derived from one party. Throws CryptoError if a key
// is not 32 bytes or the username is empty.
std::string safety_number_party_digits(const SafetyNumberParty& party);

// The safety number of a pair of parties. Both sides compute the same number
// whichever of them is passed first (the two halves are sorted).
class SafetyNumber {
 public:
  SafetyNumber(const SafetyNumberParty& a, const SafetyNumberParty& b);

  // 60 decimal digits, no separators.
  const std::string& digits() const { return digits_; }
  // 12 groups of 5 digits separated by single spaces.
  std::string grouped() const;
  // The same 12 groups as 3 lines of 4, lines separated by '\n' (no trailing
  // newline), the shape to show on screen.
  std::string display_lines() const;
  // True when entered holds exactly these 60 digits, ignoring spaces, tabs
  // and line breaks (a number typed in or pasted from the other side).
  bool matches(std::string_view entered) const;

  friend bool operator==(const SafetyNumber&, const SafetyNumber&) = default;

 private:
  std::string digits_;
};

// A short form of one identity for lists and logs of key changes: the first
// 16 bytes of SHA-256(signing_key || dh_key) as 8 groups of 4 lower-case hex
// digits separated by spaces. Throws CryptoError if a key is not 32 bytes.
std::string short_fingerprint(ByteView signing_key, ByteView dh_key);

}  // namespace sotto::crypto
