#pragma once

namespace sotto::mqtt_load {

// libmosquitto's process-wide set-up (mosquitto_lib_init: OpenSSL and the
// random source) for as long as this object lives; mosquitto_lib_cleanup when
// it goes. Create one, before any client, and keep it until every client is
// destroyed. Throws std::runtime_error when the library cannot start.
class MosquittoLibrary {
 public:
  MosquittoLibrary();
  ~MosquittoLibrary();
  MosquittoLibrary(const MosquittoLibrary&) = delete;
  MosquittoLibrary& operator=(const MosquittoLibrary&) = delete;

  // "2.0.11": the version of the library actually loaded, for the report.
  static const char* version();
};

}  // namespace sotto::mqtt_load
