#include "lib/api/jsonrpc.h"

#include <string>
#include <utility>

namespace sotto::api {
namespace {

using nlohmann::json;

constexpr std::string_view kVersion = "2.0";

struct TooDeep {};

// Parses one line with the depth limit. Throws json::exception for text that
// is not JSON (including numbers too large for a double) and TooDeep.
json parse_limited(std::string_view line) {
  const json::parser_callback_t limit_depth = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      throw TooDeep{};
    }
    return true;
  };
  return json::parse(line.begin(), line.end(), limit_depth, /*allow_exceptions=*/true, /*ignore_comments=*/false);
}

// Never quotes the input back: a broken line may hold a password.
std::string describe_parse_failure(const json::exception& e) {
  if (const auto* parse = dynamic_cast<const json::parse_error*>(&e); parse != nullptr) {
    return "the line is not JSON (error at byte " + std::to_string(parse->byte) + ")";
  }
  return "the line is not JSON (a number is out of range)";
}

std::string dump_line(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

bool valid_id(const json& id) { return id.is_string() || id.is_number() || id.is_null(); }

JsonRpcRequestError request_error(json id, ErrorName name, const std::string& message) {
  return JsonRpcRequestError{std::move(id), ApiError(name, message)};
}

ErrorName error_name_from(const json& error) {
  if (const auto data = error.find("data"); data != error.end() && data->is_object()) {
    if (const auto name = data->find("name"); name != data->end() && name->is_string()) {
      if (const auto known = error_from_id(name->get_ref<const std::string&>())) return *known;
    }
  }
  const auto code = error.at("code").get<std::int64_t>();
  for (const auto& info : error_table()) {
    if (info.jsonrpc_code == code) return info.name;
  }
  return ErrorName::kInternal;
}

JsonRpcIncoming parse_notification(json& message) {
  if (message.contains("id")) return JsonRpcProtocolError{"a message has both a method and an id"};
  const json& method = message["method"];
  if (!method.is_string()) return JsonRpcProtocolError{"a notification's method is not a string"};
  JsonRpcNotification out{method.get<std::string>(), json::object()};
  if (const auto params = message.find("params"); params != message.end() && !params->is_null()) {
    if (!params->is_object()) return JsonRpcProtocolError{"a notification's params are not an object"};
    out.params = std::move(*params);
  }
  return out;
}

JsonRpcIncoming parse_response(json& message) {
  const auto id = message.find("id");
  if (id == message.end() || !valid_id(*id)) return JsonRpcProtocolError{"a response has no valid id"};
  const auto result = message.find("result");
  const auto error = message.find("error");
  if ((result == message.end()) == (error == message.end())) {
    return JsonRpcProtocolError{"a response must have exactly one of result and error"};
  }
  if (result != message.end()) return JsonRpcResponse{std::move(*id), Outcome(std::move(*result))};
  if (!error->is_object()) return JsonRpcProtocolError{"a response's error is not an object"};
  const auto code = error->find("code");
  const auto text = error->find("message");
  if (code == error->end() || !code->is_number_integer() || text == error->end() || !text->is_string()) {
    return JsonRpcProtocolError{"a response's error needs an integer code and a string message"};
  }
  if (code->is_number_unsigned() && code->get<std::uint64_t>() > INT64_MAX) {
    return JsonRpcProtocolError{"a response's error code is out of range"};
  }
  return JsonRpcResponse{std::move(*id), Outcome(ApiError(error_name_from(*error), text->get<std::string>()))};
}

}  // namespace

JsonRpcParse parse_jsonrpc_request(std::string_view line) {
  json request;
  try {
    request = parse_limited(line);
  } catch (const TooDeep&) {
    return request_error(nullptr, ErrorName::kInvalidRequest,
                         "the request nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  } catch (const json::exception& e) {
    return request_error(nullptr, ErrorName::kParseError, describe_parse_failure(e));
  }
  if (request.is_array()) return request_error(nullptr, ErrorName::kInvalidRequest, "batches are not supported");
  if (!request.is_object())
    return request_error(nullptr, ErrorName::kInvalidRequest, "a request must be a JSON object");

  JsonRpcRequest out;
  json answer_id = nullptr;
  if (const auto id = request.find("id"); id != request.end()) {
    if (!valid_id(*id)) {
      return request_error(nullptr, ErrorName::kInvalidRequest, "id must be a string, a number or null");
    }
    out.id = *id;
    answer_id = *id;
  }
  for (const auto& [key, value] : request.items()) {
    if (key != "jsonrpc" && key != "id" && key != "method" && key != "params") {
      return request_error(answer_id, ErrorName::kInvalidRequest, "unknown member '" + key + "' in the request");
    }
  }
  if (const auto version = request.find("jsonrpc");
      version == request.end() || !version->is_string() || version->get_ref<const std::string&>() != kVersion) {
    return request_error(answer_id, ErrorName::kInvalidRequest, "jsonrpc must be \"2.0\"");
  }
  const auto method = request.find("method");
  if (method == request.end()) return request_error(answer_id, ErrorName::kInvalidRequest, "method is missing");
  if (!method->is_string()) return request_error(answer_id, ErrorName::kInvalidRequest, "method must be a string");
  out.method = method->get<std::string>();
  if (const auto params = request.find("params"); params != request.end() && !params->is_null()) {
    if (params->is_array()) {
      return request_error(answer_id, ErrorName::kInvalidParams,
                           "params must be an object of named parameters (positional params are not supported)");
    }
    if (!params->is_object()) return request_error(answer_id, ErrorName::kInvalidRequest, "params must be an object");
    out.params = std::move(*params);
  }
  return out;
}

std::string encode_result(const json& id, const json& result) {
  return dump_line(json{{"jsonrpc", kVersion}, {"id", id}, {"result", result}});
}

std::string encode_error(const json& id, const ApiError& error) {
  const ErrorInfo& info = error_info(error.name());
  return dump_line(
      json{{"jsonrpc", kVersion},
           {"id", id},
           {"error", {{"code", info.jsonrpc_code}, {"message", error.what()}, {"data", {{"name", info.id}}}}}});
}

std::string encode_notification(std::string_view method, const json& params) {
  return dump_line(json{{"jsonrpc", kVersion}, {"method", method}, {"params", params}});
}

std::string encode_request(const json& id, std::string_view method, const json& params) {
  json request{{"jsonrpc", kVersion}, {"id", id}, {"method", method}};
  if (!params.is_null()) request["params"] = params;
  return dump_line(request);
}

JsonRpcIncoming parse_jsonrpc_response(std::string_view line) {
  json message;
  try {
    message = parse_limited(line);
  } catch (const TooDeep&) {
    return JsonRpcProtocolError{"msgd sent a message nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
  } catch (const json::exception& e) {
    return JsonRpcProtocolError{"msgd sent something that is not JSON: " + describe_parse_failure(e)};
  }
  if (!message.is_object()) return JsonRpcProtocolError{"msgd sent a message that is not a JSON object"};
  if (const auto version = message.find("jsonrpc");
      version == message.end() || !version->is_string() || version->get_ref<const std::string&>() != kVersion) {
    return JsonRpcProtocolError{"msgd sent a message without jsonrpc \"2.0\""};
  }
  if (message.contains("method")) return parse_notification(message);
  return parse_response(message);
}

}  // namespace sotto::api
