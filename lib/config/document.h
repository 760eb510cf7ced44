#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "lib/config/config_error.h"
#include "lib/config/config_node.h"

namespace sotto::config {

// Bounds on what a configuration document may be, so that a hostile or broken
// file is refused quickly and with a clear message rather than exhausting
// memory or the stack.
struct DocumentLimits {
  // A hand-written configuration is a few KiB; 1 MiB leaves room for long
  // lists while keeping a runaway file (a log, a core dump) out.
  std::size_t max_bytes = std::size_t{1} << 20;
  // Lists and mappings inside each other. Our schemas go 3 deep; yaml-cpp 0.7
  // itself stops at 500 levels of recursion (DepthGuard in its parser), and
  // stopping far earlier keeps the stack shallow in every thread.
  int max_depth = 64;
  // Keys and values (scalars, lists, mappings, nulls) in the whole document,
  // to cap the tree's memory (about 150 bytes each) at some 15 MiB for any
  // input; a 1 MiB flow list of one-digit items would otherwise make 500,000.
  std::size_t max_values = 100'000;
};

// A parsed configuration file: its display name and its tree. Parsing checks
// only what YAML and the limits demand; what the keys mean is for
// MappingReader (mapping_reader.h).
class Document {
 public:
  Document(std::string name, ConfigNode root);

  // The name used in messages: the path as given, or the caller's label.
  const std::string& name() const noexcept { return name_; }
  const ConfigNode& root() const noexcept { return root_; }
  Location location(Position position) const { return Location{name_, position.line, position.column}; }

 private:
  std::string name_;
  ConfigNode root_;
};

// Parses YAML text. Refused, each with a ConfigError at the offending spot:
// text above limits.max_bytes (at 1:1), bytes that are not UTF-8 or are
// control characters, YAML syntax errors, more than one document, anchors and
// aliases (no "billion laughs"), explicit tags (!!str), keys that are not
// plain text, duplicate keys, nesting deeper than limits.max_depth, more than
// limits.max_values values, and quoted strings left open at the end of the
// file (which yaml-cpp 0.7 would silently close). A UTF-8 byte order mark at
// the start is skipped. Empty text, or only comments, gives a null root.
Document parse_document(std::string_view text, std::string_view name, const DocumentLimits& limits = {});

// Reads and parses a file; the name in messages is `path` as given. Reading
// stops one byte past limits.max_bytes, so a huge file or a device is refused
// without being read whole. I/O failures are ConfigErrors at 1:1 naming the
// system's reason.
Document load_document(const std::filesystem::path& path, const DocumentLimits& limits = {});

}  // namespace sotto::config
