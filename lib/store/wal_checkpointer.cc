#include "lib/store/wal_checkpointer.h"

#include <sqlite3.h>

#include <stdexcept>

namespace sotto::store {

WalCheckpointer::WalCheckpointer(const std::filesystem::path& path, int soft_pages, int hard_pages)
    : soft_pages_(soft_pages), hard_pages_(hard_pages), connection_(path) {
  if (soft_pages <= 0 || hard_pages <= 0) {
    throw std::invalid_argument("WalCheckpointer: the page limits must be positive");
  }
  thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::watch(Database& connection) { sqlite3_wal_hook(connection.handle(), &on_commit, this); }

void WalCheckpointer::unwatch(Database& connection) { sqlite3_wal_autocheckpoint(connection.handle(), soft_pages_); }

int WalCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto& me = *static_cast<WalCheckpointer*>(self);
  if (wal_pages >= me.hard_pages_) {
    // SQLITE_BUSY (the thread is checkpointing) is fine: the thread's copy
    // serves as well, and the next commit tries again.
    if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK) {
      me.inline_.fetch_add(1, std::memory_order_relaxed);
    }
    return SQLITE_OK;
  }
  // wal_pages counts every frame since the WAL last started over, copied or
  // not: ask for a checkpoint when soft_pages have come since the last one,
  // not after every commit once the WAL is that long (each checkpoint costs
  // two fsyncs). A WAL shorter than what was copied has started over.
  int copied = me.copied_.load(std::memory_order_relaxed);
  if (wal_pages < copied) {
    copied = 0;
    me.copied_.store(0, std::memory_order_relaxed);
  }
  if (wal_pages - copied >= me.soft_pages_) {
    bool wake = false;
    {
      std::lock_guard lock(me.mutex_);
      wake = !me.requested_;
      me.requested_ = true;
    }
    if (wake) me.wake_.notify_one();
  }
  return SQLITE_OK;  // the commit has happened whatever the checkpoint did
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || requested_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    int wal_pages = 0;
    int copied = 0;
    if (sqlite3_wal_checkpoint_v2(connection_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied) ==
        SQLITE_OK) {
      copied_.store(copied, std::memory_order_relaxed);
      background_.fetch_add(1, std::memory_order_relaxed);
    }
    // Otherwise busy (an inline checkpoint holds the lock) or an I/O error:
    // nothing committed depends on a checkpoint, the next commit past the
    // soft limit asks again, and the hard limit stays the writers' backstop.
    lock.lock();
  }
}

}  // namespace sotto::store
