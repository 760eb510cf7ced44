#include "relayd/store/blob_id.h"

namespace sotto::relayd {

bool is_valid_blob_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxBlobIdLength) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace sotto::relayd
