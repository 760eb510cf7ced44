#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "tests/support/temp_dir.h"
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "lib/store/database.h"

namespace sotto::msgd::testing {

using TempDir = sotto::testing::TempDir;

// A well-formed message id (32 lowercase hex digits) that encodes n.
inline std::string message_id(unsigned long long n) {
  char text[33];
  std::snprintf(text, sizeof text, "%032llx", n);
  return text;
}

// Flips one byte of the BLOB in `column` of the row of `table` whose
// `key_column` is `key` (for the tests of damaged files). SQL text is built
// from the test's own constants only.
inline void flip_blob_byte(store::Database& db, const std::string& table, const std::string& column,
                           const std::string& key_column, std::int64_t key, std::size_t offset) {
  auto select = db.prepare("SELECT " + column + " FROM " + table + " WHERE " + key_column + " = ?");
  select.bind(1, key);
  if (select.step() != store::StepResult::Row) throw std::runtime_error("flip_blob_byte: no such row");
  std::vector<std::uint8_t> blob = select.column_blob(0);
  if (offset >= blob.size()) throw std::runtime_error("flip_blob_byte: offset past the blob");
  blob[offset] ^= 0x01;
  auto update = db.prepare("UPDATE " + table + " SET " + column + " = ? WHERE " + key_column + " = ?");
  update.bind(1, std::span<const std::uint8_t>(blob));
  update.bind(2, key);
  update.step();
  if (db.changes() != 1) throw std::runtime_error("flip_blob_byte: nothing updated");
}

}  // namespace sotto::msgd::testing
