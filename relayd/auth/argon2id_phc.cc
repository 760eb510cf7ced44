#include "relayd/auth/argon2id_phc.h"

#include <charconv>

namespace sotto::relayd {
namespace {

constexpr std::string_view kPrefix = "$argon2id$v=19$m=";
constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

void append_base64(std::string& out, crypto::ByteView in) {
  std::uint32_t acc = 0;
  int bits = 0;
  for (const std::uint8_t byte : in) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kBase64Alphabet[(acc << (6 - bits)) & 0x3f]);
}

// Unpadded base64. A length of 1 mod 4 cannot come from whole bytes, and the
// unused low bits of the last character must be zero, so every byte string
// has exactly one accepted spelling.
std::optional<crypto::Bytes> decode_base64(std::string_view in) {
  if (in.empty() || in.size() % 4 == 1) return std::nullopt;
  crypto::Bytes out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    acc = ((acc << 6) | static_cast<std::uint32_t>(v)) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

// Reads a decimal up to `stop` (which must follow it) and moves past both.
std::optional<std::uint32_t> take_decimal(std::string_view& in, char stop) {
  const auto end = in.find(stop);
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  const std::string_view digits = in.substr(0, end);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint32_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  in.remove_prefix(end + 1);
  return value;
}

bool take_literal(std::string_view& in, std::string_view literal) {
  if (!in.starts_with(literal)) return false;
  in.remove_prefix(literal.size());
  return true;
}

}  // namespace

std::optional<Argon2idPhc> parse_argon2id_phc(std::string_view encoded) {
  std::string_view in = encoded;
  if (!take_literal(in, kPrefix)) return std::nullopt;
  Argon2idPhc phc;
  const auto memory = take_decimal(in, ',');
  if (!memory || !take_literal(in, "t=")) return std::nullopt;
  const auto iterations = take_decimal(in, ',');
  if (!iterations || !take_literal(in, "p=")) return std::nullopt;
  const auto parallelism = take_decimal(in, '$');
  if (!parallelism) return std::nullopt;

  const auto salt_end = in.find('$');
  if (salt_end == std::string_view::npos) return std::nullopt;
  auto salt = decode_base64(in.substr(0, salt_end));
  auto hash = decode_base64(in.substr(salt_end + 1));
  if (!salt || !hash) return std::nullopt;

  phc.memory_kib = *memory;
  phc.iterations = *iterations;
  phc.parallelism = *parallelism;
  phc.salt = std::move(*salt);
  phc.hash = std::move(*hash);
  return phc;
}

std::string format_argon2id_phc(const Argon2idPhc& phc) {
  std::string out(kPrefix);
  out += std::to_string(phc.memory_kib);
  out += ",t=";
  out += std::to_string(phc.iterations);
  out += ",p=";
  out += std::to_string(phc.parallelism);
  out += '$';
  append_base64(out, phc.salt);
  out += '$';
  append_base64(out, phc.hash);
  return out;
}

}  // namespace sotto::relayd
