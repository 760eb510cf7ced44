#include "bench/mqtt_load/mosquitto_library.h"

#include <mosquitto.h>

#include <stdexcept>
#include <string>

namespace sotto::mqtt_load {

MosquittoLibrary::MosquittoLibrary() {
  const int rc = mosquitto_lib_init();
  if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("mosquitto_lib_init: ") + mosquitto_strerror(rc));
}

MosquittoLibrary::~MosquittoLibrary() { mosquitto_lib_cleanup(); }

const char* MosquittoLibrary::version() {
  static const std::string text = [] {
    int major = 0, minor = 0, revision = 0;
    mosquitto_lib_version(&major, &minor, &revision);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
  }();
  return text.c_str();
}

}  // namespace sotto::mqtt_load
