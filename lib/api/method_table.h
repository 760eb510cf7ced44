#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string_view>

namespace sotto::api {

// The one table of local API methods. JSON-RPC calls a method by `name` with
// named parameters; D-Bus calls `dbus_name` with the parameters in table order
// (D-Bus has no optional arguments: an absent optional parameter is sent as
// its default, "" / 0 / false / []). lib/api/org.sotto.Messenger1.xml must
// declare exactly these methods (a test checks both directions).
enum class ValueType {
  kString,      // JSON string, D-Bus "s"
  kInt64,       // JSON integer, D-Bus "x"
  kBool,        // JSON true/false, D-Bus "b"
  kStringList,  // JSON array of strings, D-Bus "as"
};

enum class ResultType {
  kObject,      // JSON object, D-Bus "a{sv}"
  kObjectList,  // JSON array of objects, D-Bus "aa{sv}"
};

struct ParamSpec {
  std::string_view name;
  ValueType type;
  bool required;
};

struct MethodSpec {
  std::string_view name;       // "send"
  std::string_view dbus_name;  // "Send"; empty for socket-only methods (subscribe)
  std::span<const ParamSpec> params;
  ResultType result;
  std::string_view summary;
};

std::span<const MethodSpec> method_table();
const MethodSpec* find_method(std::string_view name);

// Checks params against the method: null or absent means {}; it must be an
// object with no unknown members, every required member present, every member
// of its declared type; strings at most kMaxStringParam bytes. Returns the
// params with every absent optional member set to its default. Throws
// ApiError(kInvalidParams) naming the member and the problem.
nlohmann::json normalize_params(const MethodSpec& method, const nlohmann::json& params);

inline constexpr std::size_t kMaxStringParam = 64 * 1024;

// Events: D-Bus signals with one a{sv} argument; on the socket, after
// `subscribe`, JSON-RPC notifications whose method is the event name and whose
// params are the same object.
struct EventSpec {
  std::string_view name;  // "MessageReceived"
  std::string_view summary;
};

std::span<const EventSpec> event_table();
const EventSpec* find_event(std::string_view name);

std::string_view to_string(ValueType type);
std::string_view dbus_signature(ValueType type);
std::string_view dbus_signature(ResultType type);

}  // namespace sotto::api
