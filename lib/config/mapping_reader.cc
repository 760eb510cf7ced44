#include "lib/config/mapping_reader.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "lib/config/byte_size.h"
#include "lib/config/closest_match.h"
#include "lib/config/decimal.h"
#include "lib/config/duration.h"
#include "lib/config/utf8.h"

namespace sotto::config {

struct MappingReader::Shared {
  const Document& document;
  std::vector<ValueSource> sources;
};

namespace {

std::string describe(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::null:
      return "an empty value";
    case ConfigNode::Kind::scalar:
      return node.quoted ? "the string " + quote_for_message(node.text) : quote_for_message(node.text);
    case ConfigNode::Kind::sequence:
      return "a list";
    case ConfigNode::Kind::mapping:
      return "a mapping";
  }
  return "a value";
}

// Spellings YAML 1.1 reads as booleans and YAML 1.2 as text (yaml-cpp follows
// 1.1, PyYAML too, most 1.2 tools do not), plus the capitalised forms of
// true/false that 1.2's core schema also accepts. Refusing them all means a
// file means the same thing to every tool.
constexpr std::string_view kAmbiguousBooleans[] = {"y",   "Y",   "yes",  "Yes",  "YES",   "n",    "N",
                                                   "no",  "No",  "NO",   "on",   "On",    "ON",   "off",
                                                   "Off", "OFF", "True", "TRUE", "False", "FALSE"};

template <typename T>
std::string join_names(const std::vector<T>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += std::string(names[i]);
  }
  return out;
}

}  // namespace

MappingReader::MappingReader(Shared& shared, const ConfigNode* node, std::string path, Position position)
    : shared_(shared),
      node_(node != nullptr && node->kind == ConfigNode::Kind::mapping ? node : nullptr),
      path_(std::move(path)),
      position_(position),
      read_(node_ != nullptr ? node_->entries.size() : 0, false) {}

bool MappingReader::contains(std::string_view dotted_path) const {
  Position unused;
  return find_path(dotted_path, unused) != nullptr;
}

const ConfigEntry* MappingReader::find_path(std::string_view dotted_path, Position& nearest) const {
  const ConfigNode* node = node_;
  nearest = position_;
  while (true) {
    const std::size_t dot = dotted_path.find('.');
    const std::string_view key = dotted_path.substr(0, dot);
    const ConfigEntry* found = nullptr;
    if (node != nullptr && node->kind == ConfigNode::Kind::mapping) {
      for (const ConfigEntry& e : node->entries) {
        if (e.key == key) found = &e;
      }
    }
    if (found == nullptr || dot == std::string_view::npos) return found;
    node = &found->value;
    nearest = found->key_position;
    dotted_path.remove_prefix(dot + 1);
  }
}

const ConfigEntry* MappingReader::take(std::string_view key) {
  if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) asked_.emplace_back(key);
  const ConfigEntry* found = nullptr;
  if (node_ != nullptr) {
    for (std::size_t i = 0; i < node_->entries.size(); ++i) {
      if (node_->entries[i].key == key) {
        read_[i] = true;
        found = &node_->entries[i];
        break;  // keys are unique: the parser refuses duplicates
      }
    }
  }
  std::optional<Location> where;
  if (found != nullptr) where = shared_.document.location(found->value.position);
  shared_.sources.push_back(ValueSource{join_key_path(path_, key), std::move(where)});
  return found;
}

namespace {

// Everything a getter needs to complain about one value.
struct ValueContext {
  const Document& document;
  std::string path;
  const ConfigNode& node;

  [[noreturn]] void fail(std::string problem) const {
    throw ConfigError(document.location(node.position), path, std::move(problem));
  }
  [[noreturn]] void fail_at(const ConfigNode& at, std::string item_path, std::string problem) const {
    throw ConfigError(document.location(at.position), std::move(item_path), std::move(problem));
  }

  // The value as a scalar, or an error saying what was expected instead.
  const std::string& scalar(std::string_view expected) const { return scalar_of(node, path, expected); }

  const std::string& scalar_of(const ConfigNode& n, const std::string& n_path, std::string_view expected) const {
    if (n.kind == ConfigNode::Kind::scalar) return n.text;
    if (n.kind == ConfigNode::Kind::null) fail_at(n, n_path, "has no value; expected " + std::string(expected));
    fail_at(n, n_path, "expected " + std::string(expected) + ", got " + describe(n));
  }

  const std::vector<ConfigNode>& list(std::string_view expected_items) const {
    if (node.kind == ConfigNode::Kind::sequence) return node.items;
    if (node.kind == ConfigNode::Kind::null) {
      fail("has no value; expected a list of " + std::string(expected_items) + " (write [] for an empty list)");
    }
    fail("expected a list of " + std::string(expected_items) + ", got " + describe(node) +
         " (write [item, ...] or one '- item' line per item)");
  }
};

void check_string(const ValueContext& c, const ConfigNode& node, const std::string& path, const std::string& text,
                  const StringRule& rule) {
  if (const auto bad = find_unprintable(text)) {
    c.fail_at(node, path,
              decode_utf8(text, *bad) ? "contains a control character at byte " + std::to_string(*bad)
                                      : "is not valid UTF-8 at byte " + std::to_string(*bad) + " (check its escapes)");
  }
  if (!rule.allow_newlines && text.find_first_of("\t\n\r") != std::string::npos) {
    c.fail_at(node, path, "must be a single line without tabs");
  }
  if (!rule.allow_empty && text.empty()) c.fail_at(node, path, "must not be empty");
  if (text.size() > rule.max_bytes) {
    c.fail_at(
        node, path,
        "is " + std::to_string(text.size()) + " bytes long, more than the limit of " + std::to_string(rule.max_bytes));
  }
}

HostPort parse_address(const ValueContext& c, const ConfigNode& node, const std::string& path, bool allow_names) {
  const std::string& text = c.scalar_of(node, path, "HOST:PORT such as 127.0.0.1:7443");
  try {
    return parse_host_port(text, allow_names);
  } catch (const ValueSyntaxError& e) {
    c.fail_at(node, path, e.what());
  }
}

}  // namespace

bool MappingReader::boolean(std::string_view key, bool fallback) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("true or false");
  if (entry->value.quoted) {
    c.fail("expected true or false, got " + describe(entry->value) + " (write it without quotes)");
  }
  if (text == "true") return true;
  if (text == "false") return false;
  for (const std::string_view ambiguous : kAmbiguousBooleans) {
    if (text == ambiguous) {
      c.fail(quote_for_message(text) + " is ambiguous (YAML 1.1 reads it as a boolean, YAML 1.2 as text); " +
             "write true or false");
    }
  }
  c.fail("expected true or false, got " + describe(entry->value));
}

std::int64_t MappingReader::signed_integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                           std::int64_t max) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("an integer");
  const std::string range = "it must be from " + std::to_string(min) + " to " + std::to_string(max);
  if (entry->value.quoted) c.fail("expected an integer, got " + describe(entry->value) + " (write it without quotes)");
  const bool negative = !text.empty() && text.front() == '-';
  const DecimalResult parsed = parse_decimal(std::string_view(text).substr(negative ? 1 : 0));
  if (parsed.status == DecimalStatus::leading_zero) {
    c.fail(quote_for_message(text) + " has a leading zero, which YAML 1.1 reads as octal; write it without");
  }
  if (parsed.status == DecimalStatus::not_digits) c.fail("expected an integer, got " + describe(entry->value));
  // The magnitude of INT64_MIN is INT64_MAX + 1.
  constexpr auto kMaxMagnitude = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (parsed.status == DecimalStatus::too_large || parsed.value > kMaxMagnitude + (negative ? 1 : 0)) {
    c.fail(text + " is out of range; " + range);
  }
  std::int64_t value = 0;
  if (negative) {
    value = parsed.value == kMaxMagnitude + 1 ? std::numeric_limits<std::int64_t>::min()
                                              : -static_cast<std::int64_t>(parsed.value);
  } else {
    value = static_cast<std::int64_t>(parsed.value);
  }
  if (value < min || value > max) c.fail(text + " is out of range; " + range);
  return value;
}

std::uint64_t MappingReader::unsigned_integer(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                                              std::uint64_t max) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("an integer");
  const std::string range = "it must be from " + std::to_string(min) + " to " + std::to_string(max);
  if (entry->value.quoted) c.fail("expected an integer, got " + describe(entry->value) + " (write it without quotes)");
  if (!text.empty() && text.front() == '-') {
    if (parse_decimal(std::string_view(text).substr(1)).status == DecimalStatus::not_digits) {
      c.fail("expected an integer, got " + describe(entry->value));
    }
    c.fail(text + " is out of range; " + range);
  }
  const DecimalResult parsed = parse_decimal(text);
  if (parsed.status == DecimalStatus::leading_zero) {
    c.fail(quote_for_message(text) + " has a leading zero, which YAML 1.1 reads as octal; write it without");
  }
  if (parsed.status == DecimalStatus::not_digits) c.fail("expected an integer, got " + describe(entry->value));
  if (parsed.status == DecimalStatus::too_large || parsed.value < min || parsed.value > max) {
    c.fail(text + " is out of range; " + range);
  }
  return parsed.value;
}

std::string MappingReader::string(std::string_view key, std::string fallback, const StringRule& rule) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("a string");
  check_string(c, entry->value, c.path, text, rule);
  return text;
}

std::vector<std::string> MappingReader::string_list(std::string_view key, std::vector<std::string> fallback,
                                                    const StringRule& item_rule, std::size_t max_items) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::vector<ConfigNode>& items = c.list("strings");
  if (items.size() > max_items) {
    c.fail("has " + std::to_string(items.size()) + " items, more than the limit of " + std::to_string(max_items));
  }
  std::vector<std::string> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = index_key_path(c.path, i);
    const std::string& text = c.scalar_of(items[i], item_path, "a string");
    check_string(c, items[i], item_path, text, item_rule);
    out.push_back(text);
  }
  return out;
}

std::optional<std::size_t> MappingReader::choose(std::string_view key, const std::vector<std::string_view>& names) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return std::nullopt;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("one of " + join_names(names));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return i;
  }
  std::string problem = "expected one of " + join_names(names) + ", got " + describe(entry->value);
  const std::vector<std::string> candidates(names.begin(), names.end());
  if (const auto hint = closest_match(text, candidates)) problem += " (did you mean " + *hint + "?)";
  c.fail(std::move(problem));
}

std::chrono::milliseconds MappingReader::duration(std::string_view key, std::chrono::milliseconds fallback,
                                                  std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("a duration such as 250ms, 10s, 5m, 2h or 30d");
  std::chrono::milliseconds value{};
  try {
    value = parse_duration(text);
  } catch (const ValueSyntaxError& e) {
    c.fail(e.what());
  }
  if (value < min || value > max) {
    c.fail(text + " is out of range; it must be from " + format_duration(min) + " to " + format_duration(max));
  }
  return value;
}

std::uint64_t MappingReader::byte_size(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                                       std::uint64_t max) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("a size such as 512, 64KiB, 1MiB or 1GiB");
  std::uint64_t value = 0;
  try {
    value = parse_byte_size(text);
  } catch (const ValueSyntaxError& e) {
    c.fail(e.what());
  }
  if (value < min || value > max) {
    c.fail(text + " is out of range; it must be from " + format_byte_size(min) + " to " + format_byte_size(max));
  }
  return value;
}

HostPort MappingReader::host_port(std::string_view key, HostPort fallback, bool allow_names) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  return parse_address(c, entry->value, c.path, allow_names);
}

std::optional<HostPort> MappingReader::optional_host_port(std::string_view key, bool allow_names) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return std::nullopt;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  if (c.scalar("HOST:PORT such as 127.0.0.1:9100, or \"\" for none").empty()) return std::nullopt;
  return parse_address(c, entry->value, c.path, allow_names);
}

std::vector<HostPort> MappingReader::host_port_list(std::string_view key, std::vector<HostPort> fallback,
                                                    bool allow_names, std::size_t min_items, std::size_t max_items) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::vector<ConfigNode>& items = c.list("HOST:PORT addresses");
  if (items.size() < min_items || items.size() > max_items) {
    c.fail("has " + std::to_string(items.size()) + " items; it must have " + std::to_string(min_items) + " to " +
           std::to_string(max_items));
  }
  std::vector<HostPort> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = index_key_path(c.path, i);
    HostPort address = parse_address(c, items[i], item_path, allow_names);
    const auto same = std::find(out.begin(), out.end(), address);
    if (same != out.end()) {
      const Position first = items[static_cast<std::size_t>(same - out.begin())].position;
      c.fail_at(items[i], item_path,
                to_string(address) + " is listed twice; it first appears at line " + std::to_string(first.line) +
                    ", column " + std::to_string(first.column));
    }
    out.push_back(std::move(address));
  }
  return out;
}

std::filesystem::path MappingReader::path(std::string_view key, std::filesystem::path fallback, const PathRule& rule) {
  const ConfigEntry* entry = take(key);
  if (entry == nullptr) return fallback;
  const ValueContext c{shared_.document, join_key_path(path_, key), entry->value};
  const std::string& text = c.scalar("a path");
  check_string(c, entry->value, c.path, text, StringRule{kMaxPathBytes, rule.allow_empty, false});
  if (rule.require_absolute && !text.empty() && text.front() != '/') {
    c.fail("must be an absolute path (starting with '/'), got " + describe(entry->value));
  }
  return std::filesystem::path(text);
}

void MappingReader::mapping(std::string_view key, const std::function<void(MappingReader&)>& read) {
  if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) asked_.emplace_back(key);
  const ConfigEntry* entry = nullptr;
  if (node_ != nullptr) {
    for (std::size_t i = 0; i < node_->entries.size(); ++i) {
      if (node_->entries[i].key == key) {
        read_[i] = true;
        entry = &node_->entries[i];
        break;
      }
    }
  }
  const std::string child_path = join_key_path(path_, key);
  if (entry != nullptr && entry->value.kind != ConfigNode::Kind::mapping &&
      entry->value.kind != ConfigNode::Kind::null) {
    throw ConfigError(shared_.document.location(entry->value.position), child_path,
                      "expected a mapping of keys to values, got " + describe(entry->value));
  }
  MappingReader child(shared_, entry != nullptr ? &entry->value : nullptr, child_path,
                      entry != nullptr ? entry->key_position : position_);
  read(child);
  child.refuse_unread_keys();
}

Location MappingReader::where(std::string_view dotted_path) const {
  Position nearest;
  const ConfigEntry* found = find_path(dotted_path, nearest);
  return shared_.document.location(found != nullptr ? found->value.position : nearest);
}

void MappingReader::fail(std::string_view dotted_path, std::string problem) const {
  std::string full_path = path_;
  for (std::string_view rest = dotted_path;;) {
    const std::size_t dot = rest.find('.');
    full_path = join_key_path(full_path, rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  throw ConfigError(where(dotted_path), std::move(full_path), std::move(problem));
}

void MappingReader::refuse_unread_keys() const {
  if (node_ == nullptr) return;
  for (std::size_t i = 0; i < node_->entries.size(); ++i) {
    if (read_[i]) continue;
    const ConfigEntry& entry = node_->entries[i];
    std::string problem = "unknown key";
    if (const auto hint = closest_match(entry.key, asked_)) {
      problem += " (did you mean " + *hint + "?)";
    } else if (!asked_.empty()) {
      problem += "; the keys here are " + join_names(asked_);
    }
    throw ConfigError(shared_.document.location(entry.key_position), join_key_path(path_, entry.key),
                      std::move(problem));
  }
}

std::vector<ValueSource> read_mapping(const Document& document, const std::function<void(MappingReader&)>& read) {
  const ConfigNode& root = document.root();
  if (root.kind != ConfigNode::Kind::mapping && root.kind != ConfigNode::Kind::null) {
    throw ConfigError(document.location(root.position), "",
                      "the top level must be a mapping of keys to values, got " + describe(root));
  }
  MappingReader::Shared shared{document, {}};
  MappingReader top(shared, &root, "", root.kind == ConfigNode::Kind::null ? Position{1, 1} : root.position);
  read(top);
  top.refuse_unread_keys();
  return std::move(shared.sources);
}

}  // namespace sotto::config
