#pragma once

#include <filesystem>

namespace sotto::store {

// Makes the commits of a connection opened with DatabaseOptions::sync_on_commit
// = false durable on demand: one fdatasync(2) of the database's -wal file.
//
// Why this is enough: in WAL mode a commit appends its pages and a commit
// frame to the -wal file; once those bytes are on stable storage the
// transaction survives a power cut (SQLite replays valid WAL frames at
// recovery). fdatasync works on the file, not on the descriptor, so a
// descriptor of our own covers what SQLite's connection wrote through its own,
// and every write that returned before the call. That lets a group commit
// write batch N+1 while batch N's sync is in flight (relayd's CommitQueue).
// A checkpoint made with synchronous=NORMAL syncs the WAL and the database
// file itself before the WAL is reused, so frames overwritten later are
// already durable in the main file.
//
// sync() may be called from any thread, also while a connection writes.
class WalSync {
 public:
  // database: the database file; its -wal file must exist (it does once a
  // connection in WAL mode has opened the database).
  explicit WalSync(const std::filesystem::path& database);
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // Returns once everything written to the -wal file before the call is on
  // stable storage. Throws StoreError if the kernel reports a failure, or
  // the file was removed while open: then those writes may be lost and the
  // caller must not report them durable.
  void sync();

 private:
  void open();

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace sotto::store
