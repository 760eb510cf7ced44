#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "lib/api/handler.h"

namespace sotto::msgd {

// Fans each event out to every transport (D-Bus signals, socket
// subscribers). Lives on msgd's I/O thread like everything it calls.
class EventHub : public api::EventSink {
 public:
  void add(api::EventSink* sink) { sinks_.push_back(sink); }
  void remove(api::EventSink* sink) { std::erase(sinks_, sink); }
  void publish(std::string_view event, const nlohmann::json& data) override {
    for (api::EventSink* sink : sinks_) sink->publish(event, data);
  }

 private:
  std::vector<api::EventSink*> sinks_;
};

}  // namespace sotto::msgd
