#include "daemon/store/transfer_store.h"

#include <sqlite3.h>

#include <algorithm>

#include "daemon/store/secret_column.h"
#include "lib/store/store_error.h"

namespace sotto::msgd {
namespace {

using store::StepResult;

#define SOTTO_TRANSFER_COLUMNS                                                                                      \
  "id, peer, direction, name, size, mime, caption, file_key, ciphertext_size, ciphertext_sha256, blob_id, source, " \
  "source_mtime_ns, save_to, state, bytes, error, created_at_ms"

constexpr std::array kTransferStates{TransferState::kPreparing, TransferState::kUploading,   TransferState::kUploaded,
                                     TransferState::kAvailable, TransferState::kDownloading, TransferState::kDownloaded,
                                     TransferState::kSaved,     TransferState::kFailed,      TransferState::kCancelled};

TransferState parse_transfer_state(const std::string& text) {
  for (TransferState state : kTransferStates) {
    if (text == to_string(state)) return state;
  }
  throw store::StoreError("transfers: unknown state in the file", SQLITE_CORRUPT);
}

Transfer read_transfer(const store::Statement& row) {
  Transfer t;
  t.id = row.column_text(0);
  t.peer = row.column_text(1);
  t.direction = row.column_text(2) == "in" ? Direction::kIn : Direction::kOut;
  t.name = row.column_text(3);
  t.size = static_cast<std::uint64_t>(row.column_int64(4));
  t.mime = row.column_text(5);
  t.caption = row.column_text(6);
  t.file_key = secret_column(row, 7);
  if (auto size = row.column_optional_int64(8)) t.ciphertext_size = static_cast<std::uint64_t>(*size);
  if (auto digest = row.column_optional_blob(9); digest && digest->size() == 32) {
    std::array<std::uint8_t, 32> d{};
    std::copy(digest->begin(), digest->end(), d.begin());
    t.ciphertext_sha256 = d;
  }
  t.blob_id = row.column_optional_text(10).value_or("");
  t.source = row.column_text(11);
  t.source_mtime_ns = row.column_optional_int64(12);
  t.save_to = row.column_text(13);
  t.state = parse_transfer_state(row.column_text(14));
  t.bytes = static_cast<std::uint64_t>(row.column_int64(15));
  t.error = row.column_text(16);
  t.created_at_ms = row.column_int64(17);
  return t;
}

std::vector<Transfer> read_transfers(store::Statement& select) {
  std::vector<Transfer> out;
  while (select.step() == StepResult::Row) out.push_back(read_transfer(select));
  return out;
}

}  // namespace

std::string_view to_string(TransferState state) {
  switch (state) {
    case TransferState::kPreparing:
      return "preparing";
    case TransferState::kUploading:
      return "uploading";
    case TransferState::kUploaded:
      return "uploaded";
    case TransferState::kAvailable:
      return "available";
    case TransferState::kDownloading:
      return "downloading";
    case TransferState::kDownloaded:
      return "downloaded";
    case TransferState::kSaved:
      return "saved";
    case TransferState::kFailed:
      return "failed";
    case TransferState::kCancelled:
      return "cancelled";
  }
  return "failed";
}

bool is_final(TransferState state) {
  return state == TransferState::kUploaded || state == TransferState::kAvailable ||
         state == TransferState::kDownloaded || state == TransferState::kSaved || state == TransferState::kFailed ||
         state == TransferState::kCancelled;
}

void TransferStore::insert(const Transfer& t) {
  auto insert = db_.cached("INSERT INTO transfers (" SOTTO_TRANSFER_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert->bind(1, t.id);
  insert->bind(2, t.peer);
  insert->bind(3, to_string(t.direction));
  insert->bind(4, t.name);
  insert->bind(5, static_cast<std::int64_t>(t.size));
  insert->bind(6, t.mime);
  insert->bind(7, t.caption);
  insert->bind(8, t.file_key.view());
  if (t.ciphertext_size) {
    insert->bind(9, static_cast<std::int64_t>(*t.ciphertext_size));
  } else {
    insert->bind_null(9);
  }
  if (t.ciphertext_sha256) {
    insert->bind(10, std::span<const std::uint8_t>(*t.ciphertext_sha256));
  } else {
    insert->bind_null(10);
  }
  if (t.blob_id.empty()) {
    insert->bind_null(11);
  } else {
    insert->bind(11, t.blob_id);
  }
  insert->bind(12, t.source);
  if (t.source_mtime_ns) {
    insert->bind(13, *t.source_mtime_ns);
  } else {
    insert->bind_null(13);
  }
  insert->bind(14, t.save_to);
  insert->bind(15, to_string(t.state));
  insert->bind(16, static_cast<std::int64_t>(t.bytes));
  insert->bind(17, t.error);
  insert->bind(18, t.created_at_ms);
  insert->step();
}

std::optional<Transfer> TransferStore::find(std::string_view id) {
  auto select = db_.cached("SELECT " SOTTO_TRANSFER_COLUMNS " FROM transfers WHERE id = ?");
  select->bind(1, id);
  if (select->step() != StepResult::Row) return std::nullopt;
  return read_transfer(*select);
}

std::vector<Transfer> TransferStore::list(std::string_view peer) {
  auto select = db_.cached("SELECT " SOTTO_TRANSFER_COLUMNS " FROM transfers WHERE ?1 = '' OR peer = ?1 ORDER BY seq");
  select->bind(1, peer);
  return read_transfers(*select);
}

std::vector<Transfer> TransferStore::unfinished() {
  auto select = db_.cached("SELECT " SOTTO_TRANSFER_COLUMNS
                           " FROM transfers WHERE state IN ('preparing', 'uploading', 'downloading') ORDER BY seq");
  return read_transfers(*select);
}

void TransferStore::set_state(std::string_view id, TransferState state, std::string_view error) {
  auto update = db_.cached("UPDATE transfers SET state = ?2, error = ?3 WHERE id = ?1");
  update->bind(1, id);
  update->bind(2, to_string(state));
  update->bind(3, error);
  update->step();
}

void TransferStore::set_bytes(std::string_view id, std::uint64_t bytes) {
  auto update = db_.cached("UPDATE transfers SET bytes = ?2 WHERE id = ?1");
  update->bind(1, id);
  update->bind(2, static_cast<std::int64_t>(bytes));
  update->step();
}

void TransferStore::set_hash(std::string_view id, std::uint64_t ciphertext_size,
                             const std::array<std::uint8_t, 32>& sha256, std::int64_t source_mtime_ns) {
  auto update = db_.cached(
      "UPDATE transfers SET ciphertext_size = ?2, ciphertext_sha256 = ?3, source_mtime_ns = ?4 WHERE id = ?1");
  update->bind(1, id);
  update->bind(2, static_cast<std::int64_t>(ciphertext_size));
  update->bind(3, std::span<const std::uint8_t>(sha256));
  update->bind(4, source_mtime_ns);
  update->step();
}

void TransferStore::set_blob_id(std::string_view id, std::string_view blob_id) {
  auto update = db_.cached("UPDATE transfers SET blob_id = ?2 WHERE id = ?1");
  update->bind(1, id);
  update->bind(2, blob_id);
  update->step();
}

void TransferStore::set_source(std::string_view id, std::string_view source) {
  auto update = db_.cached("UPDATE transfers SET source = ?2 WHERE id = ?1");
  update->bind(1, id);
  update->bind(2, source);
  update->step();
}

void TransferStore::set_save_to(std::string_view id, std::string_view save_to) {
  auto update = db_.cached("UPDATE transfers SET save_to = ?2 WHERE id = ?1");
  update->bind(1, id);
  update->bind(2, save_to);
  update->step();
}

#undef SOTTO_TRANSFER_COLUMNS

}  // namespace sotto::msgd
