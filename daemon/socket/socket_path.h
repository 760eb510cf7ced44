#pragma once

#include <filesystem>

namespace sotto::msgd {

// Makes dir ready to hold msgd's socket: creates it (and missing parents) with
// mode 0700, or checks that the existing directory is owned by the effective
// uid and not writable by group or others (anyone who can write there could
// swap the socket for their own). Throws std::runtime_error saying why not.
void prepare_socket_directory(const std::filesystem::path& dir);

// Frees path for bind(): nothing there is fine; a socket nobody listens on
// (left by a crashed msgd) is removed. Throws std::runtime_error when a live
// server answers on it ("another msgd is serving PATH") or when path is
// something other than a socket (it is not ours to delete).
void clear_stale_socket(const std::filesystem::path& path);

}  // namespace sotto::msgd
