#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sotto::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

inline void append(Bytes& out, ByteView in) { out.insert(out.end(), in.begin(), in.end()); }

// Lower-case hex, for fingerprints and test diagnostics (never for secrets).
std::string to_hex(ByteView in);
// Throws CryptoError on odd length or a non-hex character.
Bytes from_hex(std::string_view hex);

}  // namespace sotto::crypto
