#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

#include "lib/store/database.h"

namespace sotto::store {

// Checkpoints a WAL database on a thread of its own, so that the connections
// that write never stop to copy pages into the main file themselves.
//
// Why: SQLite's automatic checkpoint runs inside the COMMIT that crosses the
// threshold, on the committing thread, and includes two fsyncs (WAL and main
// file). For relayd's group commit that thread is the one writer every
// envelope waits for: with checkpoints every 1,000 pages it spent a good part
// of its time copying, and with rarer, larger ones each checkpoint stalled
// every envelope behind it for milliseconds (p99 at 10,000 msgs/s doubled).
//
// How: watch(connection) replaces the connection's automatic checkpoint with
// a hook (sqlite3_wal_hook) that runs after each of its commits. Once the WAL
// holds soft_pages, the hook wakes this thread, which runs a PASSIVE
// checkpoint on a connection of its own: it copies what was committed while
// writers go on appending. The WAL can only start over from its beginning
// when a write transaction begins with every frame already copied, which a
// writer that never pauses does not give this thread the chance to see; so
// once the WAL holds hard_pages, the hook checkpoints inline on the writing
// connection (what SQLite would have done), which finishes the copy and lets
// the next transaction restart the WAL. The WAL is therefore bounded by about
// hard_pages plus one transaction, and such an inline checkpoint has at most
// what came since the thread's last one left to copy (plus its two fsyncs).
//
// Durability is unchanged: a checkpoint syncs the WAL before copying and the
// main file before any frame may be overwritten (this thread's connection
// uses synchronous=FULL).
class WalCheckpointer {
 public:
  // path: the database file (in WAL mode). Both limits positive; a soft
  // limit at or above the hard one leaves all the copying to the writers.
  WalCheckpointer(const std::filesystem::path& path, int soft_pages, int hard_pages);
  // Stops the thread; the watched connections must be gone or unwatched by
  // then (unwatch), since their hooks point here.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // From now on, commits through connection are checkpointed as above. The
  // caller keeps connection alive and unwatches it before this object dies.
  void watch(Database& connection);
  // Gives connection back SQLite's automatic checkpoint at soft_pages.
  void unwatch(Database& connection);

  // Checkpoints finished by the thread, and inline at the hard limit.
  std::uint64_t background_checkpoints() const { return background_.load(std::memory_order_relaxed); }
  std::uint64_t inline_checkpoints() const { return inline_.load(std::memory_order_relaxed); }

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();

  int soft_pages_;
  int hard_pages_;
  Database connection_;  // used only by thread_

  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<int> copied_{0};  // WAL frames the last checkpoint had copied
  std::atomic<std::uint64_t> background_{0};
  std::atomic<std::uint64_t> inline_{0};

  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace sotto::store
