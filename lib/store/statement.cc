#include "lib/store/statement.h"

#include <sqlite3.h>

#include <utility>

#include "lib/store/store_error.h"

namespace sotto::store {
namespace {

// Error texts carry the SQL (placeholders only, never values), cut so that a
// long schema script does not flood a log line.
constexpr std::size_t kMaxSqlInMessage = 160;  // characters

std::string describe(std::string_view what, std::string_view sql) {
  std::string text(what);
  text += " \"";
  text += sql.substr(0, kMaxSqlInMessage);
  if (sql.size() > kMaxSqlInMessage) text += "...";
  text += '"';
  return text;
}

}  // namespace

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  // PERSISTENT: these statements live in a cache for the connection's
  // lifetime, and the flag tells SQLite to allocate them accordingly.
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) detail::throw_sqlite_error(db_, rc, describe("prepare", sql));
  if (raw == nullptr) throw StoreError(describe("prepare: no statement in", sql), SQLITE_MISUSE);
  // One statement per object: trailing SQL would be silently ignored, so it is refused.
  const std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    throw StoreError(describe("prepare: more than one statement in", sql), SQLITE_MISUSE);
  }
}

Statement::~Statement() = default;
Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::move(other.stmt_)) {}
Statement& Statement::operator=(Statement&& other) noexcept {
  db_ = std::exchange(other.db_, nullptr);
  stmt_ = std::move(other.stmt_);
  return *this;
}

void Statement::throw_error(int rc, std::string_view what) const {
  detail::throw_sqlite_error(db_, rc, describe(what, sql()));
}

void Statement::throw_out_of_range(int index) const {
  throw StoreError(
      describe("bind parameter " + std::to_string(index) + ": value above the 64-bit signed range in", sql()),
      SQLITE_RANGE);
}

void Statement::check_bind(int rc, int index) const {
  if (rc != SQLITE_OK) throw_error(rc, "bind parameter " + std::to_string(index) + " of");
}

void Statement::bind_int64(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_.get(), index, value), index);
}

void Statement::bind(int index, double value) { check_bind(sqlite3_bind_double(stmt_.get(), index, value), index); }

void Statement::bind(int index, std::string_view text) {
  // An empty view may have a null data pointer, which SQLite would bind as
  // NULL; an empty string must stay an empty string.
  const char* data = text.data() != nullptr ? text.data() : "";
  check_bind(sqlite3_bind_text64(stmt_.get(), index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

void Statement::bind(int index, std::span<const std::uint8_t> blob) {
  if (blob.empty()) {
    // Same reason as for text: a null pointer would bind NULL, not an empty blob.
    check_bind(sqlite3_bind_zeroblob(stmt_.get(), index, 0), index);
    return;
  }
  check_bind(sqlite3_bind_blob64(stmt_.get(), index, blob.data(), blob.size(), SQLITE_TRANSIENT), index);
}

void Statement::bind_null(int index) { check_bind(sqlite3_bind_null(stmt_.get(), index), index); }

StepResult Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return StepResult::Row;
  if (rc == SQLITE_DONE) return StepResult::Done;
  throw_error(rc, "step");
}

int Statement::column_count() const { return sqlite3_column_count(stmt_.get()); }

bool Statement::column_is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

double Statement::column_double(int column) const { return sqlite3_column_double(stmt_.get(), column); }

std::string Statement::column_text(int column) const {
  // The pointer first, then the size: that order is what SQLite documents as
  // safe when a type conversion happens.
  const auto* data = sqlite3_column_text(stmt_.get(), column);
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column));
  if (data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(data), size);
}

std::vector<std::uint8_t> Statement::column_blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_.get(), column));
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column));
  if (data == nullptr) return {};
  return std::vector<std::uint8_t>(data, data + size);
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_text(column);
}

std::optional<std::vector<std::uint8_t>> Statement::column_optional_blob(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_blob(column);
}

void Statement::reset() noexcept {
  // sqlite3_reset repeats the last step's error, which was already thrown.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string_view Statement::sql() const {
  const char* text = stmt_ ? sqlite3_sql(stmt_.get()) : nullptr;
  return text != nullptr ? std::string_view(text) : std::string_view();
}

}  // namespace sotto::store
