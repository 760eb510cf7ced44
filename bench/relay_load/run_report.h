#pragma once

#include "bench/relay_load/idle_run.h"
#include "bench/relay_load/load_options.h"
#include "bench/relay_load/report.h"
#include "bench/relay_load/throughput_run.h"

namespace sotto::relay_load {

// The figures of each mode, in the order a reader wants them: what was run,
// what it achieved, what it cost relayd, what went wrong, and the verdict.
Report throughput_report(const LoadOptions& options, const ThroughputResult& result);
Report idle_report(const LoadOptions& options, const IdleResult& result);

}  // namespace sotto::relay_load
