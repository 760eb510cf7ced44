#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lib/config/config_error.h"
#include "lib/config/config_node.h"
#include "lib/config/document.h"
#include "lib/config/host_port.h"

namespace sotto::config {

// Where one setting's value came from: its position in the file, or nullopt
// when the key was absent and the built-in default applies.
struct ValueSource {
  std::string key_path;
  std::optional<Location> where;

  bool operator==(const ValueSource&) const = default;
};

struct StringRule {
  // Bytes, not characters. 1 KiB fits any name, URL or message we configure.
  std::size_t max_bytes = 1024;
  bool allow_empty = true;
  // Multi-line text (LF, CR and TAB allowed). Other control characters are
  // refused always: they corrupt logs and terminals.
  bool allow_newlines = false;
};

// PATH_MAX on Linux (linux/limits.h) is 4096 bytes including the final NUL.
inline constexpr std::size_t kMaxPathBytes = 4095;

struct PathRule {
  bool allow_empty = false;
  // Refuse relative paths: a daemon's working directory is nobody's choice.
  bool require_absolute = false;
};

// One accepted spelling of an enumeration and the value it stands for.
template <typename E>
struct Choice {
  std::string_view name;
  E value;
};

// Reads one YAML mapping through typed getters. Each getter takes the key, the
// default to return when the key is absent, and the bounds the value must
// meet; a present but wrong value is a ConfigError at the value's position,
// naming the key path and the problem. A MappingReader exists only inside a
// read_mapping() or mapping() callback, and when the callback returns, every
// key it did not ask for is refused as unknown (with a "did you mean" hint),
// so a typo can never be silently ignored.
//
// Types are strict: integers and booleans must be plain (unquoted) YAML
// scalars; booleans are exactly true or false (yes/no/on/off are refused as
// ambiguous between YAML 1.1 and 1.2); an empty value ("key:") is an error for
// scalars and lists and means "all defaults" for a mapping.
class MappingReader {
 public:
  MappingReader(const MappingReader&) = delete;
  MappingReader& operator=(const MappingReader&) = delete;

  // Whether the key is written in the file, with any value; a dotted path
  // reaches into nested mappings ("queue.ttl"). Asking does not read the key:
  // one that is only asked about still counts as unknown.
  bool contains(std::string_view dotted_path) const;

  bool boolean(std::string_view key, bool fallback);

  template <typename T>
  requires std::integral<T> &&(!std::same_as<T, bool>)T integer(std::string_view key, T fallback, T min, T max) {
    if constexpr (std::is_signed_v<T>) {
      return static_cast<T>(signed_integer(key, fallback, min, max));
    } else {
      return static_cast<T>(unsigned_integer(key, fallback, min, max));
    }
  }

  std::string string(std::string_view key, std::string fallback, const StringRule& rule = {});

  // A YAML list of strings (a single string is refused, not wrapped).
  std::vector<std::string> string_list(std::string_view key, std::vector<std::string> fallback,
                                       const StringRule& item_rule = {}, std::size_t max_items = 1000);

  // One of a fixed set of names, matched exactly (case matters).
  template <typename E>
  E one_of(std::string_view key, E fallback, std::initializer_list<Choice<E>> choices) {
    std::vector<std::string_view> names;
    names.reserve(choices.size());
    for (const Choice<E>& c : choices) names.push_back(c.name);
    const std::optional<std::size_t> index = choose(key, names);
    if (!index) return fallback;
    return (choices.begin() + static_cast<std::ptrdiff_t>(*index))->value;
  }

  // See duration.h for the syntax ("250ms", "10s", "5m", "2h", "30d").
  std::chrono::milliseconds duration(std::string_view key, std::chrono::milliseconds fallback,
                                     std::chrono::milliseconds min, std::chrono::milliseconds max);

  // See byte_size.h for the syntax ("512", "64KiB", "1MiB", "1GiB").
  std::uint64_t byte_size(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max);

  // See host_port.h for the syntax ("127.0.0.1:7443", "[::1]:7443").
  HostPort host_port(std::string_view key, HostPort fallback, bool allow_names);
  // Absent or "" means none.
  std::optional<HostPort> optional_host_port(std::string_view key, bool allow_names);
  // A YAML list of addresses, min_items..max_items of them, none twice.
  std::vector<HostPort> host_port_list(std::string_view key, std::vector<HostPort> fallback, bool allow_names,
                                       std::size_t min_items, std::size_t max_items);

  // A file or directory path, at most kMaxPathBytes, kept as written.
  std::filesystem::path path(std::string_view key, std::filesystem::path fallback, const PathRule& rule = {});

  // A nested mapping, read by `read` with the same rules. An absent or empty
  // mapping is read too (every getter then returns its default), so defaults
  // live in one place.
  void mapping(std::string_view key, const std::function<void(MappingReader&)>& read);

  // Where a key's value is written. A dotted path reaches into nested mappings
  // ("queue.ttl"), for checks that span sections. For an absent key, the
  // position of the nearest enclosing mapping that is written.
  Location where(std::string_view dotted_path) const;

  // Throws a ConfigError about a key at where(dotted_path): for checks across
  // settings, e.g. "queue.ttl must not exceed queue.max_ttl".
  [[noreturn]] void fail(std::string_view dotted_path, std::string problem) const;

  // This mapping's dotted path ("" at the top level).
  const std::string& path() const noexcept { return path_; }

 private:
  struct Shared;
  friend std::vector<ValueSource> read_mapping(const Document&, const std::function<void(MappingReader&)>&);

  MappingReader(Shared& shared, const ConfigNode* node, std::string path, Position position);

  // Looks the key up, marks it as read and records where its value came from.
  const ConfigEntry* take(std::string_view key);
  std::int64_t signed_integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  std::uint64_t unsigned_integer(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max);
  std::optional<std::size_t> choose(std::string_view key, const std::vector<std::string_view>& names);
  void refuse_unread_keys() const;
  // The entry a dotted path names, or the deepest written mapping on the way.
  const ConfigEntry* find_path(std::string_view dotted_path, Position& nearest) const;

  Shared& shared_;
  const ConfigNode* node_;  // a mapping, or nullptr when absent or empty
  std::string path_;
  Position position_;
  std::vector<bool> read_;          // parallel to node_->entries
  std::vector<std::string> asked_;  // every key asked for, for "did you mean"
};

// Reads the document's top level, which must be a mapping (an empty document
// counts as an empty one), through `read`, then refuses every key `read` did
// not read, at any depth. Returns where each setting read came from, in the
// order read: a program can show which values are defaults, and a test can
// prove an example file spells out every setting.
std::vector<ValueSource> read_mapping(const Document& document, const std::function<void(MappingReader&)>& read);

}  // namespace sotto::config
