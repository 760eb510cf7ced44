#pragma once

#include "bench/mqtt_load/mqtt_load_options.h"
#include "bench/mqtt_load/mqtt_run.h"
#include "bench/relay_load/report.h"

namespace sotto::mqtt_load {

// The figures of a run in relay_load's order (what was run, what it achieved,
// what it cost the broker, what went wrong, the verdict) and, where a figure
// means the same, under relay_load's JSON key, so that the two tools' output
// can be laid side by side.
relay_load::Report mqtt_report(const MqttLoadOptions& options, const MqttResult& result);

}  // namespace sotto::mqtt_load
