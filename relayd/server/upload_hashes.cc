#include "relayd/server/upload_hashes.h"

namespace sotto::relayd {

void UploadHashes::add(std::string_view blob_id, std::uint64_t offset, crypto::ByteView data) {
  const std::lock_guard lock(mutex_);
  auto it = running_.find(std::string(blob_id));
  if (it == running_.end() || it->second.offset != offset) {
    if (it != running_.end()) running_.erase(it);
    if (offset != 0) return;  // a gap or a repeat: BlobEnd reads the file
    if (running_.size() >= kMaxTracked) running_.clear();
    it = running_.emplace(std::string(blob_id), Running{}).first;
  }
  it->second.hash.update(data);
  it->second.offset += data.size();
}

std::optional<crypto::Sha256Digest> UploadHashes::take(std::string_view blob_id, std::uint64_t size) {
  const std::lock_guard lock(mutex_);
  auto it = running_.find(std::string(blob_id));
  if (it == running_.end()) return std::nullopt;
  std::optional<crypto::Sha256Digest> digest;
  if (it->second.offset == size) digest = it->second.hash.finish();
  running_.erase(it);
  return digest;
}

void UploadHashes::forget(std::string_view blob_id) {
  const std::lock_guard lock(mutex_);
  running_.erase(std::string(blob_id));
}

std::size_t UploadHashes::tracked() const {
  const std::lock_guard lock(mutex_);
  return running_.size();
}

}  // namespace sotto::relayd
