#include "bench/mqtt_load/mqtt_run_state.h"

#include "bench/mqtt_load/mqtt_names.h"
#include "lib/crypto/random.h"

namespace sotto::mqtt_load {

MqttRunState::MqttRunState(const MqttLoadOptions& opts)
    : options(opts),
      run(relay_load::random_run_id()),
      label(run_label(run)),
      deadline(std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                      std::chrono::duration<double>(opts.duration_limit))),
      delivered(std::make_unique<std::atomic<std::uint8_t>[]>(static_cast<std::size_t>(opts.clients) * opts.messages)) {
  topics.reserve(opts.clients);
  for (std::uint32_t i = 0; i < opts.clients; ++i) topics.push_back(client_topic(label, i));
  const auto bytes = crypto::random_bytes(opts.size - relay_load::kEnvelopeStampBytes);
  filler.assign(bytes.begin(), bytes.end());
}

}  // namespace sotto::mqtt_load
