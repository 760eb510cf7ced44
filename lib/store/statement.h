#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sotto::store {

enum class StepResult { Row, Done };

// One prepared SQL statement, finalized on destruction. Values reach SQLite
// only through bind(): SQL text is never assembled from values.
//
// Parameter indexes are 1-based and column indexes 0-based, as in SQLite's C
// API. Bound text and blobs are copied by SQLite (SQLITE_TRANSIENT), so the
// caller's buffers may die right after bind(). Errors throw StoreError.
//
// Not thread-safe: a Statement belongs to its connection, which one thread at
// a time may use.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <std::integral T>
  void bind(int index, T value) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (value > static_cast<T>(std::numeric_limits<std::int64_t>::max())) throw_out_of_range(index);
    }
    bind_int64(index, static_cast<std::int64_t>(value));
  }
  void bind(int index, double value);
  void bind(int index, std::string_view text);
  void bind(int index, std::span<const std::uint8_t> blob);
  void bind(int index, std::nullptr_t) { bind_null(index); }
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind_null(index);
    }
  }
  void bind_int64(int index, std::int64_t value);
  void bind_null(int index);

  // Row: a result row is ready for the column getters. Done: the statement
  // has finished (call reset() before running it again).
  StepResult step();

  int column_count() const;
  bool column_is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::vector<std::uint8_t> column_blob(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<std::string> column_optional_text(int column) const;
  std::optional<std::vector<std::uint8_t>> column_optional_blob(int column) const;

  // Rewinds the statement and clears every binding so that it can run again
  // (a statement left mid-result would keep a read snapshot open and stop WAL
  // checkpoints from finishing).
  void reset() noexcept;

  std::string_view sql() const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };

  [[noreturn]] void throw_error(int rc, std::string_view what) const;
  [[noreturn]] void throw_out_of_range(int index) const;
  void check_bind(int rc, int index) const;

  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

}  // namespace sotto::store
