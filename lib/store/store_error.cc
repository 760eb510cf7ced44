#include "lib/store/store_error.h"

#include <sqlite3.h>

namespace sotto::store {

StoreError::StoreError(const std::string& message, int extended_code)
    : std::runtime_error(message), extended_code_(extended_code) {}

bool StoreError::is_busy() const noexcept { return primary_code() == SQLITE_BUSY || primary_code() == SQLITE_LOCKED; }

bool StoreError::is_constraint() const noexcept { return primary_code() == SQLITE_CONSTRAINT; }

NewerSchemaError::NewerSchemaError(int found_version, int supported_version)
    : StoreError("database schema version " + std::to_string(found_version) +
                     " is newer than this program supports (version " + std::to_string(supported_version) +
                     "); upgrade the program or restore a matching backup",
                 SQLITE_ERROR),
      found_version_(found_version),
      supported_version_(supported_version) {}

namespace detail {

void throw_sqlite_error(sqlite3* db, int rc, std::string_view what) {
  // With extended result codes on (SQLITE_OPEN_EXRESCODE), rc is already the
  // extended code; the connection's message describes the same failure.
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text(what);
  text += ": ";
  text += message != nullptr ? message : "unknown error";
  throw StoreError(text, rc);
}

}  // namespace detail
}  // namespace sotto::store
