// msgd answers D-Bus callers with JSON results converted to a{sv}, and reads
// their arguments back the other way. Property: for any JSON object, the
// conversion either refuses with std::invalid_argument or yields a value that
// is a fixed point after one round trip (json -> a{sv} -> json -> a{sv} -> json
// gives the same json twice); nothing crashes, however deep or odd the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "lib/api/dbus/variant_conversion.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json input = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (!input.is_object()) return 0;
  try {
    const nlohmann::json once = sotto::api::to_json(sotto::api::to_variant_map(input));
    const nlohmann::json twice = sotto::api::to_json(sotto::api::to_variant_map(once));
    if (once != twice) std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
