#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "lib/store/statement.h"
#include "lib/store/statement_cache.h"

struct sqlite3;

namespace sotto::store {

struct DatabaseOptions {
  // How long a statement waits for another connection's lock before it fails
  // with SQLITE_BUSY. 5 s covers a checkpoint or a large group commit by
  // another connection; a longer wait would only hide a stuck process.
  std::chrono::milliseconds busy_timeout{5000};
  // A connection that may only read (PRAGMA query_only): a second line of
  // defence for connections meant for lookups.
  bool query_only = false;
  // Page size in bytes for a NEW file (a power of two from 512 to 65536; 0
  // keeps SQLite's default, 4096). It cannot change once the file has data.
  int page_size = 0;
  // WAL pages after which a commit also checkpoints the WAL into the main
  // file (PRAGMA wal_autocheckpoint; SQLite's default is 1000). 0 turns
  // automatic checkpoints off: then someone must call checkpoint().
  int wal_autocheckpoint_pages = 1000;
  // Page cache of this connection in KiB (PRAGMA cache_size = -N); 0 keeps
  // SQLite's default of 2000 KiB. A cache that holds the hot part of the
  // indexes saves a pread per page a statement visits.
  int cache_size_kib = 0;
  // false: synchronous=NORMAL, a commit does not wait for an fsync. Only for
  // a connection whose owner makes its commits durable itself with WalSync
  // before it reports them durable (relayd's group commit); everyone else
  // keeps the default, FULL.
  bool sync_on_commit = true;
};

// One SQLite connection, closed on destruction.
//
// Opening creates the file if needed with mode 0600 (SQLite gives its -wal and
// -shm files the database file's mode, so they are 0600 too) and sets:
//   journal_mode=WAL   readers never block the writer, and one fsync per commit;
//   synchronous=FULL   a committed transaction survives a power cut, not only a
//                      crash (https://www.sqlite.org/pragma.html#pragma_synchronous);
//                      NORMAL when DatabaseOptions::sync_on_commit is false;
//   foreign_keys=ON    SQLite leaves them off by default;
//   trusted_schema=OFF no SQL functions with side effects run from the schema;
//   a busy timeout     from DatabaseOptions.
// An existing file keeps the mode it has: that is its administrator's choice.
//
// Not thread-safe: use a connection from one thread at a time (the handle is
// opened with SQLITE_OPEN_NOMUTEX; callers serialise, e.g. with a mutex).
class Database {
 public:
  explicit Database(const std::filesystem::path& path, const DatabaseOptions& options = {});
  ~Database();
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL that has no parameters (schema scripts, PRAGMAs); it may hold
  // several statements. Anything involving a value goes through a Statement.
  void exec(std::string_view sql);

  // A new statement owned by the caller (for one-off SQL).
  Statement prepare(std::string_view sql);
  // The cached statement for this SQL text, prepared on first use (hot paths).
  CachedStatement cached(std::string_view sql) { return cache_.get(sql); }

  // Copies committed WAL pages into the main file without blocking writers
  // or readers (SQLITE_CHECKPOINT_PASSIVE). Returns the pages still in the
  // WAL after it; 0 means the WAL was checkpointed completely.
  std::int64_t checkpoint();

  std::int64_t last_insert_rowid() const;
  // Rows inserted, updated or deleted by the most recent statement (not
  // counting rows changed by triggers or foreign-key actions).
  std::int64_t changes() const;
  // True between BEGIN and COMMIT/ROLLBACK.
  bool in_transaction() const;

  const std::filesystem::path& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const noexcept;
  };

  std::filesystem::path path_;
  std::unique_ptr<sqlite3, Closer> db_;
  StatementCache cache_;  // declared after db_, so finalized before the connection closes
};

}  // namespace sotto::store
