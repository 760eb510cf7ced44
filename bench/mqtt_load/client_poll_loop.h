#pragma once

#include <thread>
#include <vector>

#include "bench/mqtt_load/mqtt_client.h"
#include "bench/mqtt_load/mqtt_run_state.h"

namespace sotto::mqtt_load {

// One thread that drives a set of clients with one poll(2) over their
// sockets, as relay_load's io thread drives its connections: it connects
// them, then reads, writes and publishes until state.stop is set, then sends
// each a DISCONNECT. libmosquitto's own thread per client (mosquitto_loop_start)
// is not used: 32 threads on 2 cores would measure the scheduler, and one
// loop puts the receive time stamp right after the read, on the same clock
// and thread that stamps sends.
class ClientPollLoop {
 public:
  ClientPollLoop(MqttRunState& state, std::vector<MqttClient*> clients);
  ~ClientPollLoop();  // stops (state.stop) and joins
  ClientPollLoop(const ClientPollLoop&) = delete;
  ClientPollLoop& operator=(const ClientPollLoop&) = delete;

  void start();
  void join();

 private:
  void run();
  void serve();
  void say_goodbye();

  MqttRunState& state_;
  std::vector<MqttClient*> clients_;
  std::thread thread_;
};

}  // namespace sotto::mqtt_load
