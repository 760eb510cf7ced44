#pragma once

#include <cstddef>
#include <string_view>

namespace sotto::relayd {

// The longest blob id accepted, in characters. Ids are made by the server
// (e.g. 32 hex digits for 16 random bytes); 64 leaves room for other
// encodings while keeping file names far below NAME_MAX (255 bytes).
inline constexpr std::size_t kMaxBlobIdLength = 64;

// A blob id doubles as a file name in the blob directory, so only 1 to
// kMaxBlobIdLength characters of [A-Za-z0-9_-] are valid: no '/', no '.', no
// NUL, nothing a client could use to name a path outside that directory.
bool is_valid_blob_id(std::string_view id) noexcept;

}  // namespace sotto::relayd
