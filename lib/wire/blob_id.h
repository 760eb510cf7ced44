#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sotto::wire {

// Blob ids are chosen by the server and are opaque to clients: 1..
// kMaxBlobIdChars characters of [A-Za-z0-9_-]. The alphabet is safe in URLs
// and as a file name (no '/', no '.', so never "..": a blob id can name a file
// in the server's blob directory without further escaping).
// Returns the problem ("is empty", "contains '/' at position 3", ...), phrased
// to follow the field's name, or nullopt for a valid id.
std::optional<std::string> check_blob_id(std::string_view id);

inline bool is_valid_blob_id(std::string_view id) { return !check_blob_id(id).has_value(); }

}  // namespace sotto::wire
