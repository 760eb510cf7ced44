#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lib/api/api_error.h"
#include "lib/api/handler.h"

namespace sotto::api {

// JSON-RPC 2.0 framing of the local API (docs/local-api.md): one JSON object
// per line, named params only, no batches. Everything encode_* returns is one
// line without its '\n' and never contains a raw newline (JSON escapes control
// characters), so a caller appends '\n' and writes it.

// Containers nested deeper than this are refused before they are built: no
// method takes more than two levels, and hostile nesting must not cost stack.
inline constexpr int kMaxJsonDepth = 64;

// ---- server side -----------------------------------------------------------

struct JsonRpcRequest {
  std::optional<nlohmann::json> id;  // a string, number or null; nullopt: a notification (never answered)
  std::string method;
  nlohmann::json params;  // an object, or null when absent
};

// A line that is not a usable request, and the id to answer it with (the
// request's id when it could be read, else null, as JSON-RPC 2.0 says).
struct JsonRpcRequestError {
  nlohmann::json id;
  ApiError error;  // kParseError, kInvalidRequest or kInvalidParams
};

using JsonRpcParse = std::variant<JsonRpcRequest, JsonRpcRequestError>;

// Never throws for any input bytes.
JsonRpcParse parse_jsonrpc_request(std::string_view line);

std::string encode_result(const nlohmann::json& id, const nlohmann::json& result);
// {"jsonrpc":"2.0","id":..,"error":{"code":C,"message":M,"data":{"name":"<Id>"}}}
std::string encode_error(const nlohmann::json& id, const ApiError& error);
// {"jsonrpc":"2.0","method":..,"params":..}: an event after subscribe.
std::string encode_notification(std::string_view method, const nlohmann::json& params);

// ---- client side -----------------------------------------------------------

// A request; params are left out when null.
std::string encode_request(const nlohmann::json& id, std::string_view method, const nlohmann::json& params);

struct JsonRpcResponse {
  nlohmann::json id;  // null when the daemon could not read the request's id
  Outcome outcome;    // the result, or the daemon's error
};

struct JsonRpcNotification {
  std::string method;     // the event name
  nlohmann::json params;  // an object ({} when absent)
};

// The line is not a JSON-RPC 2.0 response or notification.
struct JsonRpcProtocolError {
  std::string message;
};

using JsonRpcIncoming = std::variant<JsonRpcResponse, JsonRpcNotification, JsonRpcProtocolError>;

// Never throws for any input bytes. An error's name comes from data.name when
// it is one we know, else from the code; unknown ones become kInternal.
JsonRpcIncoming parse_jsonrpc_response(std::string_view line);

}  // namespace sotto::api
