#include "daemon/service/file_name.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "lib/config/utf8.h"

namespace sotto::msgd {
namespace {

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Characters that would let a name hide what it is or break a terminal:
// controls, and the bidirectional embeddings, overrides and isolates
// ("invoice\u202Efdp.exe" reads as "invoiceexe.pdf").
bool is_hidden_control(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0xFEFF;
}

// Unicode's noncharacters (U+FDD0..U+FDEF and the last two code points of
// every plane, U+FFFE and U+FFFF among them): well-formed UTF-8, but reserved
// for a program's internal use and not meant to be exchanged, so
// config::find_unprintable does not count U+FFFE and U+FFFF as printable.
bool is_noncharacter(char32_t cp) { return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE; }

// The byte length of the longest prefix of text, at most max bytes, that ends
// on a character boundary (text is well-formed UTF-8 here).
std::size_t utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

std::size_t extension_start(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return name.size();
  return dot;
}

}  // namespace

std::string safe_file_name(std::string_view untrusted) {
  std::string clean;
  std::size_t i = 0;
  while (i < untrusted.size() && clean.size() < 65536) {
    const auto ch = config::decode_utf8(untrusted, i);
    if (!ch || is_noncharacter(ch->code_point)) {
      append_utf8(clean, 0xFFFD);
      i += ch ? ch->length : 1;
      continue;
    }
    i += ch->length;
    if (ch->code_point == '/' || ch->code_point == '\\' || is_hidden_control(ch->code_point)) {
      clean += '_';
    } else {
      append_utf8(clean, ch->code_point);
    }
  }
  // No hidden files, no names that read as options, no trailing spaces or dots.
  const auto first = clean.find_first_not_of(".- _");
  clean = first == std::string::npos ? std::string() : clean.substr(first);
  while (!clean.empty() && (clean.back() == ' ' || clean.back() == '.')) clean.pop_back();
  if (clean.empty() || clean.find_first_not_of('_') == std::string::npos) return "file";
  if (clean.size() > kMaxSafeNameBytes) {
    const std::size_t ext = extension_start(clean);
    const std::string_view extension =
        clean.size() - ext <= 16 ? std::string_view(clean).substr(ext) : std::string_view();
    const std::size_t stem = utf8_prefix(clean, kMaxSafeNameBytes - extension.size());
    clean = clean.substr(0, stem) + std::string(extension);
  }
  return clean;
}

std::string guess_mime_type(std::string_view name) {
  struct Entry {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr std::array kTypes{
      Entry{"pdf", "application/pdf"},
      Entry{"txt", "text/plain"},
      Entry{"md", "text/markdown"},
      Entry{"csv", "text/csv"},
      Entry{"html", "text/html"},
      Entry{"json", "application/json"},
      Entry{"png", "image/png"},
      Entry{"jpg", "image/jpeg"},
      Entry{"jpeg", "image/jpeg"},
      Entry{"gif", "image/gif"},
      Entry{"webp", "image/webp"},
      Entry{"svg", "image/svg+xml"},
      Entry{"mp3", "audio/mpeg"},
      Entry{"ogg", "audio/ogg"},
      Entry{"opus", "audio/opus"},
      Entry{"mp4", "video/mp4"},
      Entry{"webm", "video/webm"},
      Entry{"zip", "application/zip"},
      Entry{"gz", "application/gzip"},
      Entry{"tar", "application/x-tar"},
      Entry{"xz", "application/x-xz"},
      Entry{"odt", "application/vnd.oasis.opendocument.text"},
      Entry{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
  };
  const std::size_t ext = extension_start(name);
  if (ext >= name.size()) return "application/octet-stream";
  std::string lower;
  for (char c : name.substr(ext + 1)) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const auto& entry : kTypes) {
    if (entry.extension == lower) return std::string(entry.type);
  }
  return "application/octet-stream";
}

std::string numbered_name(std::string_view name, unsigned n) {
  if (n == 0) return std::string(name);
  const std::size_t ext = extension_start(name);
  return std::string(name.substr(0, ext)) + " (" + std::to_string(n) + ")" + std::string(name.substr(ext));
}

std::filesystem::path publish_without_overwrite(const std::filesystem::path& temp, const std::filesystem::path& dir,
                                                std::string_view name) {
  constexpr unsigned kMaxAttempts = 10000;
  for (unsigned n = 0; n < kMaxAttempts; ++n) {
    const std::filesystem::path candidate = dir / numbered_name(name, n);
    if (::link(temp.c_str(), candidate.c_str()) == 0) {
      ::unlink(temp.c_str());
      return candidate;
    }
    if (errno != EEXIST) throw std::system_error(errno, std::generic_category(), "creating " + candidate.string());
  }
  throw std::system_error(EEXIST, std::generic_category(),
                          "no free name for " + std::string(name) + " in " + dir.string());
}

}  // namespace sotto::msgd
