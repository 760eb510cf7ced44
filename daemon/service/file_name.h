#pragma once

// File names that come from another user, and where msgd writes files.

#include <filesystem>
#include <string>
#include <string_view>

namespace sotto::msgd {

inline constexpr std::size_t kMaxSafeNameBytes = 200;

// A peer's file name made safe to create in a folder of ours: the result is
// one path component (never "", "." or "..", no '/', no NUL) of well-formed
// UTF-8 without control characters (C0, DEL, C1, and the bidirectional
// overrides that make a name read differently from what it is), without a
// leading dot (no hidden files) or '-' (no option look-alikes), at most
// kMaxSafeNameBytes bytes (cut at a character boundary, keeping a short
// extension). Bytes that are not UTF-8, and noncharacters (U+FFFE, U+FFFF,
// ...), become U+FFFD; separators and controls become '_'. Whatever is left
// when nothing usable remains is "file".
std::string safe_file_name(std::string_view untrusted);

// "application/pdf" for "x.pdf" and the like, from a small table of common
// extensions; "application/octet-stream" otherwise. Only a hint for the
// receiver: nothing is executed or opened by type.
std::string guess_mime_type(std::string_view name);

// Gives the finished temporary file `temp` its name without ever replacing
// an existing file: `dir/name`, else `dir/name (1).ext`, `dir/name (2).ext`,
// ... (link(2) fails on an existing name, so two writers cannot both win),
// then removes `temp`. temp must be on the same file system as dir. Returns
// the path now used. Throws std::system_error.
std::filesystem::path publish_without_overwrite(const std::filesystem::path& temp, const std::filesystem::path& dir,
                                                std::string_view name);

// The candidate for attempt n: "name" (0), "name (1).ext", ... The extension
// is what follows the last dot that is not the first character.
std::string numbered_name(std::string_view name, unsigned n);

}  // namespace sotto::msgd
