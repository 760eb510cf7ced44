#include "lib/store/statement_cache.h"

#include <sqlite3.h>

#include <utility>

#include "lib/store/store_error.h"

namespace sotto::store {

CachedStatement::~CachedStatement() {
  if (statement_ == nullptr) return;
  statement_->reset();
  *in_use_ = false;
}

CachedStatement::CachedStatement(CachedStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)), in_use_(std::exchange(other.in_use_, nullptr)) {}

CachedStatement StatementCache::get(std::string_view sql) {
  auto it = entries_.find(sql);
  if (it == entries_.end()) {
    // Prepare before inserting, so a statement that fails to prepare leaves no entry.
    auto entry = std::make_unique<Entry>(Entry{Statement(db_, sql), false});
    it = entries_.emplace(std::string(sql), std::move(entry)).first;
  }
  Entry& entry = *it->second;
  if (entry.in_use) {
    throw StoreError("statement cache: \"" + std::string(sql.substr(0, 160)) + "\" is already in use", SQLITE_MISUSE);
  }
  entry.in_use = true;
  return CachedStatement(&entry.statement, &entry.in_use);
}

}  // namespace sotto::store
