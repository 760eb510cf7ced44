#pragma once

#include <cstdint>
#include <string_view>

namespace sotto::config {

enum class DecimalStatus {
  ok,
  not_digits,    // empty, or holds anything but 0-9 (signs, spaces, '_', '.', "0x")
  leading_zero,  // "007": YAML 1.1 reads a leading 0 as octal, 1.2 as decimal
  too_large,     // above 2^64 - 1
};

struct DecimalResult {
  DecimalStatus status = DecimalStatus::not_digits;
  std::uint64_t value = 0;
};

// Parses an unsigned decimal number written the one way every YAML version and
// every reader agrees on: ASCII digits only, no sign, no leading zero (except
// "0" itself). Everything else is refused rather than guessed at.
DecimalResult parse_decimal(std::string_view text);

// "64KiB" -> {"64", "KiB"}: the leading digits and whatever follows. Refuses,
// with ValueSyntaxError, a sign, a missing number ("expected EXAMPLES") and a
// fraction (the message ends with fraction_hint, e.g. "(90m, not 1.5h)").
struct Quantity {
  std::string_view number;
  std::string_view unit;
};
Quantity split_quantity(std::string_view text, std::string_view examples, std::string_view fraction_hint);

}  // namespace sotto::config
