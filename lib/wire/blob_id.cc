#include "lib/wire/blob_id.h"

#include "lib/wire/limits.h"

namespace sotto::wire {

std::optional<std::string> check_blob_id(std::string_view id) {
  if (id.empty()) return "is empty";
  if (id.size() > kMaxBlobIdChars) {
    return "is longer than " + std::to_string(kMaxBlobIdChars) + " characters (" + std::to_string(id.size()) + ")";
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return "contains a character outside [A-Za-z0-9_-] at position " + std::to_string(i + 1);
    }
  }
  return std::nullopt;
}

}  // namespace sotto::wire
