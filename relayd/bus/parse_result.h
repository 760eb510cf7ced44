#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace sotto::relayd {

// The outcome of parsing text that came from a configuration file or from
// another node: either the value or the reason it was refused. Shaped like
// wire::UsernameResult so callers read both the same way. Reasons never repeat
// the refused bytes (they may be hostile, or hold a password) beyond what the
// reason itself needs to say.
template <typename T>
class ParseResult {
 public:
  static ParseResult accepted(T value) { return ParseResult(std::move(value), {}); }
  static ParseResult rejected(std::string reason) { return ParseResult(std::nullopt, std::move(reason)); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // The parsed value. Throws std::logic_error when the input was refused.
  const T& value() const {
    if (!value_) throw std::logic_error("ParseResult::value() on refused input: " + error_);
    return *value_;
  }
  // Why the input was refused; empty when it was accepted.
  const std::string& error() const { return error_; }

 private:
  ParseResult(std::optional<T> value, std::string error) : value_(std::move(value)), error_(std::move(error)) {}

  std::optional<T> value_;
  std::string error_;
};

}  // namespace sotto::relayd
