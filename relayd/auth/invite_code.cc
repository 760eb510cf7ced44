#include "relayd/auth/invite_code.h"

#include <cstdint>

#include "lib/crypto/random.h"
#include "lib/crypto/secret_bytes.h"

namespace sotto::relayd {
namespace {

constexpr std::string_view kBase32Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
// 16 bytes = 128 bits = 25.6 symbols of 5 bits: 26 symbols, the last two bits
// being zero padding.
constexpr std::size_t kSymbols = (kInviteCodeBytes * 8 + 4) / 5;
constexpr std::size_t kGroup = 4;
// Longest text worth decoding: the 32-character display form with room for
// stray spaces. Longer input is refused before any work.
constexpr std::size_t kMaxTextLength = 64;

int symbol_value(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'O') return 0;
  if (c == 'I' || c == 'L') return 1;
  const auto pos = kBase32Alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

InviteCode generate_invite_code() {
  const crypto::SecretBytes raw = crypto::random_secret(kInviteCodeBytes);
  InviteCode code;
  code.hash = crypto::sha256(raw.view());

  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t emitted = 0;
  const auto emit = [&](std::uint32_t value) {
    if (emitted > 0 && emitted % kGroup == 0) code.text.push_back('-');
    code.text.push_back(kBase32Alphabet[value & 0x1f]);
    ++emitted;
  };
  for (const std::uint8_t byte : raw.view()) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      emit(acc >> bits);
    }
  }
  if (bits > 0) emit(acc << (5 - bits));
  return code;
}

std::optional<crypto::Sha256Digest> invite_code_hash(std::string_view text) {
  if (text.size() > kMaxTextLength) return std::nullopt;
  crypto::SecretBytes raw(kInviteCodeBytes);
  std::size_t symbols = 0;
  std::size_t filled = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '-' || c == ' ') continue;
    const int value = symbol_value(c);
    if (value < 0 || ++symbols > kSymbols) return std::nullopt;
    acc = ((acc << 5) | static_cast<std::uint32_t>(value)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      raw.data()[filled++] = static_cast<std::uint8_t>(acc >> bits);
    }
  }
  const bool complete = symbols == kSymbols && filled == kInviteCodeBytes && (acc & ((1u << bits) - 1)) == 0;
  if (!complete) return std::nullopt;
  return crypto::sha256(raw.view());
}

}  // namespace sotto::relayd
