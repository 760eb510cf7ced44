#pragma once

#include <cstdint>
#include <string>

#include "bench/relay_load/message_stamp.h"

namespace sotto::mqtt_load {

// The run id as 16 lower-case hex digits, for names.
std::string run_label(const relay_load::RunId& run);

// Client i's topic: "sotto/bench/<run>/<i>". Every run has topics of its own,
// so a message queued for a session of an earlier run never reaches this one.
std::string client_topic(const std::string& run_label, std::uint32_t index);

// Client i's MQTT client id: "<run>-<i>", at most 23 characters for any index
// below 10^6, the length every MQTT 3.1.1 server must accept (section 3.1.3.1).
// A fresh id per run gives a fresh persistent session.
std::string client_id(const std::string& run_label, std::uint32_t index);

}  // namespace sotto::mqtt_load
