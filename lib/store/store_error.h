#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;

namespace sotto::store {

// The one exception type lib/store throws. It carries SQLite's own message and
// its extended result code (https://www.sqlite.org/rescode.html), so a caller
// can tell a busy database from a constraint violation or a full disk.
//
// The message names the operation and at most the SQL text. Every statement is
// prepared with placeholders, so neither the text nor SQLite's message (which
// names tables, columns and constraints) ever contains a bound value.
class StoreError : public std::runtime_error {
 public:
  StoreError(const std::string& message, int extended_code);

  int extended_code() const noexcept { return extended_code_; }
  // The primary code is the low byte of the extended one (SQLite's definition).
  int primary_code() const noexcept { return extended_code_ & 0xff; }
  // SQLITE_BUSY or SQLITE_LOCKED: another connection held a lock for longer
  // than the busy timeout. Retrying later may succeed.
  bool is_busy() const noexcept;
  bool is_constraint() const noexcept;

 private:
  int extended_code_;
};

// The database file was written by a newer version of the program (its schema
// version is above the highest migration this build knows). Opening it anyway
// could misread or corrupt data, so it is refused.
class NewerSchemaError : public StoreError {
 public:
  NewerSchemaError(int found_version, int supported_version);

  int found_version() const noexcept { return found_version_; }
  int supported_version() const noexcept { return supported_version_; }

 private:
  int found_version_;
  int supported_version_;
};

namespace detail {

// Throws StoreError("<what>: <SQLite's message>", rc). `db` may be null when
// no connection exists yet; then the generic text for `rc` is used.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view what);

}  // namespace detail
}  // namespace sotto::store
