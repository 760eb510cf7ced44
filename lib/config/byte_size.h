#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sotto::config {

// Parses a size in bytes: a whole number, optionally followed (no space) by a
// binary unit: B, KiB (1024), MiB, GiB or TiB. "512", "64KiB", "1MiB".
// Decimal and one-letter units (kB, KB, MB, GB, TB, K, M, G, T) are refused
// because they are read as powers of 1000 by some and of 1024 by others;
// fractions ("1.5MiB": write 1536KiB) and signs are refused too.
// Throws ValueSyntaxError with the reason.
std::uint64_t parse_byte_size(std::string_view text);

// The inverse, in the largest binary unit that divides the value exactly:
// 1048576 -> "1MiB", 1536 -> "1536" (a bare number of bytes), 0 -> "0".
std::string format_byte_size(std::uint64_t bytes);

}  // namespace sotto::config
