#pragma once

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sotto::api {

// The errors of the local API. Each has one name, used as the D-Bus error
// "org.sotto.Messenger1.Error.<id>" and as data.name of a JSON-RPC error
// object, and one JSON-RPC code, so both transports report the same thing.
enum class ErrorName {
  kParseError,          // the line is not JSON (JSON-RPC only)
  kInvalidRequest,      // JSON, but not a JSON-RPC 2.0 request; or the line is too long
  kUnknownMethod,       // no such method
  kInvalidParams,       // a parameter is missing, unknown or of the wrong type
  kInternal,            // msgd failed; the message says how
  kNotLoggedIn,         // register or login first
  kAlreadyRegistered,   // this msgd already holds an account
  kUsernameTaken,       // the relay has that username
  kBadCredentials,      // wrong username or password
  kRegistrationClosed,  // the relay does not take registrations (or the invite is wrong)
  kUnknownPeer,         // the relay has no such user
  kIdentityUntrusted,   // the peer's identity key changed: compare safety numbers, then trust
  kRelayUnavailable,    // the relay cannot be reached now (queued work still goes out later)
  kNotFound,            // no such message or contact
  kRateLimited,         // the relay asked us to slow down
  kRelayPinMismatch,    // the relay's certificate is not the pinned one
  kTimeout,             // the call did not finish in time
};

struct ErrorInfo {
  ErrorName name;
  std::string_view id;  // "InvalidParams"
  int jsonrpc_code;     // -32602
};

std::span<const ErrorInfo> error_table();
const ErrorInfo& error_info(ErrorName name);
std::string dbus_error_name(ErrorName name);  // "org.sotto.Messenger1.Error.InvalidParams"
std::optional<ErrorName> error_from_id(std::string_view id);
std::optional<ErrorName> error_from_dbus_name(std::string_view dbus_name);

class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorName name, const std::string& message) : std::runtime_error(message), name_(name) {}
  ErrorName name() const { return name_; }
  std::string_view id() const { return error_info(name_).id; }

 private:
  ErrorName name_;
};

}  // namespace sotto::api
