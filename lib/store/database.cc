#include "lib/store/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <utility>

#include "lib/store/store_error.h"

namespace sotto::store {
namespace {

// Creates the database file with mode 0600 unless it exists. SQLite would
// create it 0644 (less the umask); the relay's and the daemon's databases hold
// metadata that only their owner may read. SQLite then creates -wal and -shm
// with the main file's mode.
void create_private_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) return;
    const int error = errno;
    throw StoreError("cannot create database file " + path.string() + ": " + std::strerror(error), SQLITE_CANTOPEN);
  }
  // The umask may have removed bits; 0600 is what we want regardless of it.
  const int chmod_rc = ::fchmod(fd, S_IRUSR | S_IWUSR);
  const int error = errno;
  ::close(fd);
  if (chmod_rc != 0) {
    throw StoreError("cannot set mode 0600 on " + path.string() + ": " + std::strerror(error), SQLITE_CANTOPEN);
  }
}

// SQLite keeps memory statistics by default, behind one process-wide mutex
// taken on every allocation: in a profile of relayd under load that lock and
// unlock were 6 % of all CPU. Nothing here reads the statistics. The setting
// must come before SQLite initialises itself, so it runs before the first
// open; if the process initialised SQLite already, it stays as it was.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

std::string query_text(sqlite3* db, std::string_view sql) {
  Statement statement(db, sql);
  if (statement.step() != StepResult::Row) return {};
  return statement.column_text(0);
}

}  // namespace

void Database::Closer::operator()(sqlite3* db) const noexcept {
  // close_v2 defers the close until every statement is finalized, so a
  // statement that somehow outlives us cannot turn into a use-after-free.
  sqlite3_close_v2(db);
}

Database::Database(const std::filesystem::path& path, const DatabaseOptions& options) : path_(path), cache_(nullptr) {
  configure_sqlite_once();
  create_private_file(path);

  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) detail::throw_sqlite_error(raw, rc, "open " + path.string());
  sqlite3_extended_result_codes(raw, 1);

  const auto timeout_ms = options.busy_timeout.count();
  sqlite3_busy_timeout(raw, timeout_ms > std::numeric_limits<int>::max() ? std::numeric_limits<int>::max()
                                                                         : static_cast<int>(timeout_ms));

  if (options.page_size != 0) {
    // Must precede journal_mode=WAL, which writes the first page. SQLite
    // ignores it for a file that already has pages, as documented.
    exec("PRAGMA page_size = " + std::to_string(options.page_size));
  }
  // journal_mode answers with the mode now in effect; anything but "wal"
  // (e.g. on a file system without shared memory) would silently lose the
  // durability and concurrency this store promises, so it is an error.
  const std::string mode = query_text(raw, "PRAGMA journal_mode=WAL");
  if (mode != "wal") {
    throw StoreError("open " + path.string() + ": journal_mode is '" + mode + "', WAL is required", SQLITE_CANTOPEN);
  }
  exec(options.sync_on_commit ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
  exec("PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;");
  // Integers from the options, not input: PRAGMA arguments cannot be bound.
  exec("PRAGMA wal_autocheckpoint = " + std::to_string(std::max(options.wal_autocheckpoint_pages, 0)));
  if (options.cache_size_kib > 0) exec("PRAGMA cache_size = -" + std::to_string(options.cache_size_kib));
  if (options.query_only) exec("PRAGMA query_only=ON;");
  cache_ = StatementCache(raw);
}

Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

void Database::exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a terminating NUL
  char* error = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = "exec \"" + text.substr(0, 160) + (text.size() > 160 ? "...\": " : "\": ");
    message += error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw StoreError(message, sqlite3_extended_errcode(db_.get()));
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(db_.get(), sql); }

std::int64_t Database::checkpoint() {
  int wal_pages = 0;
  int checkpointed = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &checkpointed);
  if (rc != SQLITE_OK) detail::throw_sqlite_error(db_.get(), rc, "checkpoint " + path_.string());
  return wal_pages - checkpointed;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }

std::int64_t Database::changes() const { return sqlite3_changes64(db_.get()); }

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

}  // namespace sotto::store
