#include "lib/store/wal_sync.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "lib/store/store_error.h"

namespace sotto::store {

WalSync::WalSync(const std::filesystem::path& database) : path_(database.string() + "-wal") { open(); }

WalSync::~WalSync() { ::close(fd_); }

void WalSync::open() {
  // Read-only: this descriptor only ever syncs, and Linux allows fdatasync on it.
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw StoreError("open " + path_.string() + " for syncing: " + std::strerror(errno), SQLITE_CANTOPEN);
  }
}

void WalSync::sync() {
  // SQLite deletes the -wal file only when the last connection to the
  // database closes, and the owner of this object keeps its connections
  // open. If the file was removed anyway (by hand), the database will not
  // be recovered from what was written to it, so no sync can make those
  // writes durable: say so rather than sync an orphan.
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_nlink == 0) {
    throw StoreError(path_.string() + " was removed while the database was open", SQLITE_IOERR_FSYNC);
  }
  if (::fdatasync(fd_) != 0) {
    throw StoreError("fdatasync " + path_.string() + ": " + std::strerror(errno), SQLITE_IOERR_FSYNC);
  }
}

}  // namespace sotto::store
