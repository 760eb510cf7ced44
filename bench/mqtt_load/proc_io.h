#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace sotto::mqtt_load {

// Bytes a process has caused to be sent to the storage layer so far: the
// "write_bytes:" line of /proc/PID/io (proc(5)). For mosquitto that is its
// persistence snapshots, the cost that its per-change saving adds per message.
// nullopt when the process is gone or the file is unreadable (another user's
// process needs root: ptrace access mode).
std::optional<std::uint64_t> read_storage_write_bytes(pid_t pid);

// The same from the text of an io file.
std::optional<std::uint64_t> parse_storage_write_bytes(std::string_view io_text);

}  // namespace sotto::mqtt_load
