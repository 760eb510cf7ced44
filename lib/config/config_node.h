#pragma once

#include <string>
#include <vector>

namespace sotto::config {

// A 1-based line and column (in bytes) inside one document.
struct Position {
  int line = 1;
  int column = 1;

  bool operator==(const Position&) const = default;
};

struct ConfigEntry;

// One value of a parsed configuration document, with where it was written.
// The tree is plain data: no anchors, aliases or tags survive parsing (they
// are refused), and every mapping key is a distinct string.
struct ConfigNode {
  enum class Kind {
    null,      // an empty value ("key:") or ~ / null
    scalar,    // text; whether it was quoted matters for numbers and booleans
    sequence,  // items
    mapping,   // entries, in file order
  };

  Kind kind = Kind::null;
  Position position;
  std::string text;     // scalars only
  bool quoted = false;  // scalars only: written in '...' or "..." or as a | > block
  std::vector<ConfigNode> items;
  std::vector<ConfigEntry> entries;
};

struct ConfigEntry {
  std::string key;
  Position key_position;
  ConfigNode value;
};

}  // namespace sotto::config
