// Feeds arbitrary bytes to parse_jsonrpc_request, as a hostile local client
// can. It must never throw; a refusal must carry one of the request errors and
// an id JSON-RPC allows, and its error line must read back as that error; an
// accepted request, encoded again and parsed again, must be the same request,
// and an answer to it must read back with the same id and result.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/api/jsonrpc.h"

namespace sotto::api {
namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool one_line(const std::string& s) { return s.find('\n') == std::string::npos && s.find('\r') == std::string::npos; }

bool allowed_id(const nlohmann::json& id) { return id.is_null() || id.is_string() || id.is_number(); }

void check_refusal(const JsonRpcRequestError& bad) {
  const ErrorName name = bad.error.name();
  check(name == ErrorName::kParseError || name == ErrorName::kInvalidRequest || name == ErrorName::kInvalidParams);
  check(allowed_id(bad.id));
  const std::string line = encode_error(bad.id, bad.error);
  check(one_line(line));
  const JsonRpcIncoming back = parse_jsonrpc_response(line);
  const auto* response = std::get_if<JsonRpcResponse>(&back);
  check(response != nullptr && response->id == bad.id);
  const auto* error = std::get_if<ApiError>(&response->outcome);
  check(error != nullptr && error->name() == name);
}

void check_round_trip(const JsonRpcRequest& request) {
  check(request.params.is_null() || request.params.is_object());
  check(!request.id || allowed_id(*request.id));
  const std::string line = request.id ? encode_request(*request.id, request.method, request.params)
                                      : encode_notification(request.method, request.params);
  check(one_line(line));
  const JsonRpcParse again = parse_jsonrpc_request(line);
  const auto* same = std::get_if<JsonRpcRequest>(&again);
  check(same != nullptr);
  check(same->method == request.method);
  check(same->params == request.params);
  check(same->id.has_value() == request.id.has_value());
  if (request.id) check(*same->id == *request.id);

  const nlohmann::json id = request.id.value_or(nullptr);
  const std::string answer = encode_result(id, request.params);
  check(one_line(answer));
  const JsonRpcIncoming back = parse_jsonrpc_response(answer);
  const auto* response = std::get_if<JsonRpcResponse>(&back);
  check(response != nullptr && response->id == id);
  const auto* result = std::get_if<nlohmann::json>(&response->outcome);
  check(result != nullptr && *result == request.params);
}

}  // namespace
}  // namespace sotto::api

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  try {
    const sotto::api::JsonRpcParse parsed = sotto::api::parse_jsonrpc_request(line);
    if (const auto* bad = std::get_if<sotto::api::JsonRpcRequestError>(&parsed)) {
      sotto::api::check_refusal(*bad);
    } else {
      sotto::api::check_round_trip(std::get<sotto::api::JsonRpcRequest>(parsed));
    }
  } catch (...) {
    std::abort();  // nothing in here may throw, whatever the bytes
  }
  return 0;
}
