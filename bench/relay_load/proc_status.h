#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace sotto::relay_load {

// The resident set size of a process in KiB, from the "VmRSS:" line of
// /proc/PID/status (proc(5); the kernel prints it in kB = KiB). nullopt when
// the process is gone, the file is unreadable or has no such line.
std::optional<std::uint64_t> read_vm_rss_kib(pid_t pid);

// The same from the text of a status file.
std::optional<std::uint64_t> parse_vm_rss_kib(std::string_view status_text);

// CPU time a process has used so far, user plus system, in seconds: fields 14
// and 15 (utime, stime, in clock ticks) of /proc/PID/stat (proc(5)). CPU time
// is what a busy shared machine distorts least, so the runs report it next to
// the wall-clock rates. nullopt when the process is gone or the file is odd.
std::optional<double> read_cpu_seconds(pid_t pid);

// The same from the text of a stat file, with the kernel's ticks per second.
std::optional<double> parse_cpu_seconds(std::string_view stat_text, long ticks_per_second);

// CPU time this process has used so far (all threads), user plus system, in seconds.
double own_cpu_seconds();

}  // namespace sotto::relay_load
