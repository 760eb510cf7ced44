#pragma once

#include <filesystem>

#include "lib/store/database.h"

namespace sotto::msgd {

// msgd's one SQLite file, <data_dir>/state.db, opened and migrated to the
// current schema. The stores (AccountStore, KeyStore, ...) are views on db();
// they never begin transactions, so a caller can make several of their calls
// one commit with a store::Transaction on db().
class StateDatabase {
 public:
  static constexpr const char* kFileName = "state.db";

  // data_dir must exist, be a directory owned by this user and be closed to
  // group and others (mode & 077 == 0): it holds the private keys. Throws
  // std::runtime_error otherwise, store::StoreError if SQLite fails, and
  // store::NewerSchemaError for a file written by a newer msgd.
  explicit StateDatabase(const std::filesystem::path& data_dir);

  store::Database& db() noexcept { return db_; }

 private:
  store::Database db_;
};

}  // namespace sotto::msgd
