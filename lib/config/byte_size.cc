#include "lib/config/byte_size.h"

#include <array>
#include <limits>

#include "lib/config/config_error.h"
#include "lib/config/decimal.h"

namespace sotto::config {

namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t bytes;
};

// Largest first, so format_byte_size picks the coarsest exact unit.
constexpr std::array<Unit, 5> kUnits{{
    {"TiB", std::uint64_t{1} << 40},
    {"GiB", std::uint64_t{1} << 30},
    {"MiB", std::uint64_t{1} << 20},
    {"KiB", std::uint64_t{1} << 10},
    {"B", 1},
}};

// Units whose meaning depends on who reads them (IEC 80000-13 says kB is 1000
// bytes; JEDEC and many tools say 1024).
constexpr std::array<std::string_view, 14> kAmbiguousUnits{"k",  "K", "kB", "KB", "M",  "MB", "G",
                                                           "GB", "T", "TB", "kb", "mb", "gb", "tb"};

constexpr std::string_view kExamples = "a size such as 512, 64KiB, 1MiB or 1GiB";

}  // namespace

std::uint64_t parse_byte_size(std::string_view text) {
  const std::string shown = quote_for_message(text);
  const auto [number, suffix] = split_quantity(text, kExamples, "(1536KiB, not 1.5MiB)");
  std::uint64_t multiplier = 1;
  if (!suffix.empty()) {
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.suffix == suffix) unit = &u;
    }
    if (unit == nullptr) {
      for (const std::string_view ambiguous : kAmbiguousUnits) {
        if (ambiguous == suffix) {
          throw ValueSyntaxError(shown + " is ambiguous (powers of 1000 or of 1024?); write KiB, MiB, GiB or TiB " +
                                 "(powers of 1024) or a plain number of bytes");
        }
      }
      throw ValueSyntaxError("unknown unit " + quote_for_message(suffix) + " in " + shown +
                             "; write a whole number optionally followed by B, KiB, MiB, GiB or TiB with no space");
    }
    multiplier = unit->bytes;
  }
  const DecimalResult parsed = parse_decimal(number);
  if (parsed.status == DecimalStatus::leading_zero) {
    throw ValueSyntaxError(shown + " has a leading zero; write the number without it");
  }
  if (parsed.status != DecimalStatus::ok || parsed.value > std::numeric_limits<std::uint64_t>::max() / multiplier) {
    throw ValueSyntaxError(shown + " is too large a size");
  }
  return parsed.value * multiplier;
}

std::string format_byte_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  for (const Unit& u : kUnits) {
    if (u.bytes > 1 && bytes % u.bytes == 0) return std::to_string(bytes / u.bytes) + std::string(u.suffix);
  }
  return std::to_string(bytes);
}

}  // namespace sotto::config
