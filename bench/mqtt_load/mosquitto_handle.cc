#include "bench/mqtt_load/mosquitto_handle.h"

#include <mosquitto.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sotto::mqtt_load {

void MosquittoDeleter::operator()(mosquitto* handle) const { mosquitto_destroy(handle); }

MosquittoHandle make_mosquitto(const std::string& client_id, bool clean_session, void* owner) {
  errno = 0;
  MosquittoHandle handle(mosquitto_new(client_id.c_str(), clean_session, owner));
  if (!handle) {
    // mosquitto_new(3): ENOMEM or EINVAL in errno.
    throw std::runtime_error("mosquitto_new(" + client_id + "): " + std::strerror(errno));
  }
  return handle;
}

std::string mosquitto_error_text(int rc) {
  std::string text = "MOSQ_ERR " + std::to_string(rc) + ": " + mosquitto_strerror(rc);
  // MOSQ_ERR_ERRNO: the reason is in errno (mosquitto.h).
  if (rc == MOSQ_ERR_ERRNO) text += std::string(" (") + std::strerror(errno) + ")";
  return text;
}

}  // namespace sotto::mqtt_load
