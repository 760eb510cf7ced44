#include "lib/api/api_error.h"

#include <array>

namespace sotto::api {
namespace {

constexpr std::string_view kDbusPrefix = "org.sotto.Messenger1.Error.";

// Codes -32700..-32603 are JSON-RPC 2.0's own; the rest sit in its
// "server error" range -32000..-32099.
constexpr std::array<ErrorInfo, 17> kErrors{{
    {ErrorName::kParseError, "ParseError", -32700},
    {ErrorName::kInvalidRequest, "InvalidRequest", -32600},
    {ErrorName::kUnknownMethod, "UnknownMethod", -32601},
    {ErrorName::kInvalidParams, "InvalidParams", -32602},
    {ErrorName::kInternal, "Internal", -32603},
    {ErrorName::kNotLoggedIn, "NotLoggedIn", -32001},
    {ErrorName::kAlreadyRegistered, "AlreadyRegistered", -32002},
    {ErrorName::kUsernameTaken, "UsernameTaken", -32003},
    {ErrorName::kBadCredentials, "BadCredentials", -32004},
    {ErrorName::kRegistrationClosed, "RegistrationClosed", -32005},
    {ErrorName::kUnknownPeer, "UnknownPeer", -32006},
    {ErrorName::kIdentityUntrusted, "IdentityUntrusted", -32007},
    {ErrorName::kRelayUnavailable, "RelayUnavailable", -32008},
    {ErrorName::kNotFound, "NotFound", -32009},
    {ErrorName::kRateLimited, "RateLimited", -32010},
    {ErrorName::kRelayPinMismatch, "RelayPinMismatch", -32011},
    {ErrorName::kTimeout, "Timeout", -32012},
}};

}  // namespace

std::span<const ErrorInfo> error_table() { return kErrors; }

const ErrorInfo& error_info(ErrorName name) {
  for (const auto& e : kErrors) {
    if (e.name == name) return e;
  }
  return kErrors[4];  // Internal; unreachable while the table covers the enum (tested)
}

std::string dbus_error_name(ErrorName name) { return std::string(kDbusPrefix) + std::string(error_info(name).id); }

std::optional<ErrorName> error_from_id(std::string_view id) {
  for (const auto& e : kErrors) {
    if (e.id == id) return e.name;
  }
  return std::nullopt;
}

std::optional<ErrorName> error_from_dbus_name(std::string_view dbus_name) {
  if (!dbus_name.starts_with(kDbusPrefix)) return std::nullopt;
  return error_from_id(dbus_name.substr(kDbusPrefix.size()));
}

}  // namespace sotto::api
