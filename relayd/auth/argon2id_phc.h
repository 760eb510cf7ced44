#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/crypto/bytes.h"

namespace sotto::relayd {

// An Argon2id hash in the PHC string format, as libargon2 writes it:
//   $argon2id$v=19$m=<memory KiB>,t=<iterations>,p=<lanes>$<salt>$<hash>
// with salt and hash in standard base64 without padding (PHC string format,
// github.com/P-H-C/phc-string-format). Only version 19 (0x13, Argon2 1.3, the
// version RFC 9106 specifies) exists here: older strings without "v=" are
// version 16, which nothing in Sotto ever wrote.
struct Argon2idPhc {
  std::uint32_t memory_kib = 0;
  std::uint32_t iterations = 0;
  std::uint32_t parallelism = 0;
  crypto::Bytes salt;
  crypto::Bytes hash;
};

// Parses the canonical form only: fields in the order above, decimals without
// sign or leading zeros that fit in 32 bits, non-empty base64 with zero unused
// bits. Anything else, including other Argon2 variants, gives nullopt. This is
// syntax only; whether the numbers are affordable is the caller's decision.
std::optional<Argon2idPhc> parse_argon2id_phc(std::string_view encoded);

// The inverse of parse_argon2id_phc, byte for byte.
std::string format_argon2id_phc(const Argon2idPhc& phc);

}  // namespace sotto::relayd
