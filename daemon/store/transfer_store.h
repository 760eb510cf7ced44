#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/message_store.h"
#include "lib/crypto/secret_bytes.h"
#include "lib/store/database.h"

namespace sotto::msgd {

// Out: kPreparing (encrypting once to learn the blob's SHA-256) -> kUploading
// -> kUploaded (the blob is complete; the message carrying its key goes
// through the outbox). In: kAvailable -> kDownloading -> kDownloaded (in
// msgd's files folder) -> kSaved (written where SaveFile asked). Either way
// kFailed or kCancelled end it.
enum class TransferState {
  kPreparing,
  kUploading,
  kUploaded,
  kAvailable,
  kDownloading,
  kDownloaded,
  kSaved,
  kFailed,
  kCancelled
};

std::string_view to_string(TransferState state);
// True for the states in which nothing more happens by itself.
bool is_final(TransferState state);

struct Transfer {
  std::string id;  // the file message's id
  std::string peer;
  Direction direction = Direction::kOut;
  std::string name;  // made safe for a received file
  std::uint64_t size = 0;
  std::string mime;
  std::string caption;
  crypto::SecretBytes file_key;
  std::optional<std::uint64_t> ciphertext_size;
  std::optional<std::array<std::uint8_t, 32>> ciphertext_sha256;
  std::string blob_id;  // "" until the relay named it (out)
  std::string source;   // out: the file sent; in: where the verified file is ("" until then)
  std::optional<std::int64_t> source_mtime_ns;
  std::string save_to;  // in: SaveFile's output ("" for none)
  TransferState state = TransferState::kPreparing;
  std::uint64_t bytes = 0;  // plaintext bytes done
  std::string error;
  std::int64_t created_at_ms = 0;
};

// The transfers table (state_schema.cc, version 2). Never begins a
// transaction. Throws store::StoreError.
class TransferStore {
 public:
  explicit TransferStore(store::Database& db) : db_(db) {}

  // Throws store::StoreError (a constraint error) if the id exists.
  void insert(const Transfer& transfer);
  std::optional<Transfer> find(std::string_view id);
  // Every transfer, oldest first; only the peer's when peer is not empty.
  std::vector<Transfer> list(std::string_view peer);
  // The transfers that are not final, oldest first (resumed after a restart).
  std::vector<Transfer> unfinished();

  void set_state(std::string_view id, TransferState state, std::string_view error = {});
  void set_bytes(std::string_view id, std::uint64_t bytes);
  void set_hash(std::string_view id, std::uint64_t ciphertext_size, const std::array<std::uint8_t, 32>& sha256,
                std::int64_t source_mtime_ns);
  void set_blob_id(std::string_view id, std::string_view blob_id);
  void set_source(std::string_view id, std::string_view source);
  void set_save_to(std::string_view id, std::string_view save_to);

 private:
  store::Database& db_;
};

}  // namespace sotto::msgd
