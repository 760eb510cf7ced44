#pragma once

#include <memory>
#include <string>

struct mosquitto;

namespace sotto::mqtt_load {

struct MosquittoDeleter {
  void operator()(mosquitto* handle) const;
};

// One libmosquitto client instance; mosquitto_destroy (which also closes its
// socket) when the handle goes.
using MosquittoHandle = std::unique_ptr<mosquitto, MosquittoDeleter>;

// mosquitto_new with this client id and session flag; `owner` is what every
// callback of the instance receives as its userdata. Throws
// std::runtime_error when libmosquitto refuses (no memory, bad id).
MosquittoHandle make_mosquitto(const std::string& client_id, bool clean_session, void* owner);

// mosquitto_strerror with the number: "MOSQ_ERR 7: The connection was lost."
std::string mosquitto_error_text(int rc);

}  // namespace sotto::mqtt_load
