#include "relayd/store/postgres_error.h"

#include <sqlite3.h>

namespace sotto::relayd::postgres_detail {
namespace {

std::string first_line(std::string_view text) {
  const auto end = text.find('\n');
  return std::string(text.substr(0, end));
}

// StoreError carries an SQLite result code (lib/store/store_error.h); map
// PostgreSQL's failures onto the nearest ones so that is_busy() and
// is_constraint() mean the same for both backends.
int sqlite_code(const std::exception& error) noexcept {
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) return SQLITE_IOERR;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) return SQLITE_IOERR;
  if (dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr) return SQLITE_BUSY;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    const std::string& state = sql->sqlstate();
    if (state.rfind("23", 0) == 0) return SQLITE_CONSTRAINT;       // integrity_constraint_violation class
    if (state == "55P03" || state == "57014") return SQLITE_BUSY;  // lock_not_available, query_canceled (timeouts)
    if (state == "53100") return SQLITE_FULL;                      // disk_full
  }
  return SQLITE_ERROR;
}

}  // namespace

FailureKind classify(const std::exception& error) noexcept {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) return FailureKind::OutcomeUnknown;
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) return FailureKind::ConnectionLost;
  if (dynamic_cast<const pqxx::serialization_failure*>(&error) != nullptr) return FailureKind::Retryable;
  if (dynamic_cast<const pqxx::deadlock_detected*>(&error) != nullptr) return FailureKind::Retryable;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    // Some builds report these as a plain sql_error; the SQLSTATE decides.
    if (sql->sqlstate() == "40001" || sql->sqlstate() == "40P01") return FailureKind::Retryable;
    // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going
    // away or not back yet, and the session with it.
    if (sql->sqlstate().rfind("57P0", 0) == 0) return FailureKind::ConnectionLost;
  }
  return FailureKind::Other;
}

void throw_store_error(std::string_view what, const std::exception& error) {
  std::string text(what);
  text += ": ";
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error); sql != nullptr && !sql->sqlstate().empty()) {
    text += "SQLSTATE " + sql->sqlstate() + ": ";
  }
  if (classify(error) == FailureKind::ConnectionLost) text += "connection to PostgreSQL lost: ";
  if (classify(error) == FailureKind::OutcomeUnknown) text += "connection lost during COMMIT, outcome unknown: ";
  text += first_line(error.what());
  throw store::StoreError(text, sqlite_code(error));
}

}  // namespace sotto::relayd::postgres_detail
