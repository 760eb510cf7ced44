#pragma once

#include <pqxx/except>
#include <string>
#include <string_view>
#include <utility>

#include "lib/store/store_error.h"

namespace sotto::relayd::postgres_detail {

// What went wrong, for the caller's decision: reconnect, retry, or give up.
enum class FailureKind {
  ConnectionLost,  // the connection is unusable: drop it
  Retryable,       // serialization_failure or deadlock_detected: run the transaction again
  OutcomeUnknown,  // the connection broke during COMMIT
  Other,
};

// Turns a libpqxx exception into the store::StoreError every Store throws.
// The message names the operation, the SQLSTATE and the first line of the
// server's message only: PostgreSQL's DETAIL lines quote row values (a key
// that already exists), and the connection URI (which may hold a password)
// is never part of it.
[[noreturn]] void throw_store_error(std::string_view what, const std::exception& error);

// How to react to an exception from libpqxx.
FailureKind classify(const std::exception& error) noexcept;

// Runs fn and rethrows anything libpqxx throws as store::StoreError.
// StoreError (and NewerSchemaError) pass through unchanged.
template <typename Fn>
auto translate_errors(std::string_view what, Fn&& fn) -> decltype(fn()) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const store::StoreError&) {
    throw;
  } catch (const pqxx::pqxx_exception& error) {
    throw_store_error(what, error.base());
  }
}

}  // namespace sotto::relayd::postgres_detail
