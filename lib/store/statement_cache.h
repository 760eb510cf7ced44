#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lib/store/statement.h"

struct sqlite3;

namespace sotto::store {

// A statement lent out by StatementCache. When it goes out of scope the
// statement is reset and its bindings cleared, so the next user starts clean
// and no read snapshot is left open. It must not outlive its Database.
class CachedStatement {
 public:
  ~CachedStatement();
  CachedStatement(CachedStatement&& other) noexcept;
  CachedStatement& operator=(CachedStatement&&) = delete;
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;

  Statement& operator*() const noexcept { return *statement_; }
  Statement* operator->() const noexcept { return statement_; }

 private:
  friend class StatementCache;
  CachedStatement(Statement* statement, bool* in_use) noexcept : statement_(statement), in_use_(in_use) {}

  Statement* statement_;
  bool* in_use_;
};

// Prepared statements keyed by their SQL text, so that a hot path prepares
// each statement once per connection instead of once per call (preparing
// parses and plans the SQL, often costing more than running it).
//
// The cache grows by one entry per distinct SQL text; the program's SQL is a
// fixed set of string constants, so it stays small. A statement can be lent
// to one user at a time: asking for it again while it is lent out (a nested
// use of the same SQL) throws StoreError rather than disturbing the first
// user's results.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) noexcept : db_(db) {}
  StatementCache(StatementCache&&) noexcept = default;
  StatementCache& operator=(StatementCache&&) noexcept = default;

  CachedStatement get(std::string_view sql);
  std::size_t size() const noexcept { return entries_.size(); }
  // Finalizes every statement (none may be lent out).
  void clear() noexcept { entries_.clear(); }

 private:
  struct Entry {
    Statement statement;
    bool in_use = false;
  };
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };

  sqlite3* db_;
  // unique_ptr keeps each Entry at a fixed address while the map rehashes,
  // because CachedStatement points into it.
  std::unordered_map<std::string, std::unique_ptr<Entry>, SqlHash, std::equal_to<>> entries_;
};

}  // namespace sotto::store
