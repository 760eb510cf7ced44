#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lib/crypto/sha256.h"

namespace sotto::relayd {

// 128 random bits: an invite is single-use and expires, and the relay rate-
// limits registrations, so this is far past guessing range.
inline constexpr std::size_t kInviteCodeBytes = 16;

// An invite as the admin hands it out, and its hash as the store keeps it.
struct InviteCode {
  // Crockford base32 (crockford.com/base32.html) of the 16 bytes: 26 symbols
  // from 0-9 and A-Z without I, L, O and U, so it survives being read aloud
  // or retyped; shown in groups of four joined by '-' (32 characters).
  std::string text;
  crypto::Sha256Digest hash;  // SHA-256 of the 16 raw bytes
};

InviteCode generate_invite_code();

// The hash of an invite code as a user typed it, for the store lookup. Case
// does not matter, '-' and ' ' are ignored, and O, I, L read as 0, 1, 1
// (Crockford's decoding rules). nullopt when the text is not exactly 16 bytes'
// worth of base32 (wrong length, a foreign character, non-zero padding bits).
std::optional<crypto::Sha256Digest> invite_code_hash(std::string_view text);

}  // namespace sotto::relayd
