#pragma once

#include <cstdint>
#include <string>

namespace sotto::api {

// A file size as people read it, in decimal units as file managers show
// them: "999 B", "1.5 kB", "2.1 MB", "215 MB", "4.7 GB" (three significant
// figures at most; 999,500 bytes is "1.0 MB", never "1000 kB"). "?" for a
// negative size (unknown). One rule for msgctl, msg-notify and msg-tui, so a
// file reads the same size everywhere.
std::string size_text(std::int64_t bytes);

}  // namespace sotto::api
