#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string_view>
#include <variant>

#include "lib/api/api_error.h"
#include "lib/api/method_table.h"

namespace sotto::api {

// A method's outcome: its result (an object, or an array of objects, as the
// table says) or an error.
using Outcome = std::variant<nlohmann::json, ApiError>;
using Completion = std::function<void(Outcome)>;

// What msgd implements once and both adaptors call. call() runs on msgd's one
// I/O thread and must return quickly; done is called exactly once, on that
// thread, now or later (after relay round trips). params are already
// normalized by normalize_params.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void call(const MethodSpec& method, nlohmann::json params, Completion done) = 0;
};

// Events go to every sink (the D-Bus adaptor emits a signal; the socket server
// writes a notification to each subscribed connection). Called on the I/O thread.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void publish(std::string_view event, const nlohmann::json& data) = 0;
};

}  // namespace sotto::api
