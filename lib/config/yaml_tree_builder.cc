#include "lib/config/yaml_tree_builder.h"

#include <yaml-cpp/mark.h>

#include <utility>

#include "lib/config/config_error.h"

namespace sotto::config::detail {

namespace {

// yaml-cpp's "non-specific" tags: "?" for plain scalars and collections, "!"
// for quoted and block scalars. Anything else was written by the user.
bool is_non_specific_tag(const std::string& tag) { return tag.empty() || tag == "?" || tag == "!"; }

std::string kind_name(ConfigNode::Kind kind) {
  switch (kind) {
    case ConfigNode::Kind::null:
      return "an empty value";
    case ConfigNode::Kind::scalar:
      return "a value";
    case ConfigNode::Kind::sequence:
      return "a list";
    case ConfigNode::Kind::mapping:
      return "a mapping";
  }
  return "a value";
}

}  // namespace

Position to_position(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return Position{1, 1};
  return Position{mark.line + 1, mark.column + 1};
}

YamlTreeBuilder::YamlTreeBuilder(std::string_view text, std::string name, const DocumentLimits& limits)
    : text_(text), name_(std::move(name)), limits_(limits) {}

ConfigNode YamlTreeBuilder::take_root() {
  if (!root_) return ConfigNode{};
  return std::move(*root_);
}

void YamlTreeBuilder::fail(Position where, std::string key_path, std::string problem) const {
  throw ConfigError(Location{name_, where.line, where.column}, std::move(key_path), std::move(problem));
}

std::string YamlTreeBuilder::path_here() const {
  std::string path;
  for (const OpenCollection& c : open_) {
    if (c.node.kind == ConfigNode::Kind::sequence) {
      path = index_key_path(path, c.node.items.size());
    } else if (c.have_key) {
      path = join_key_path(path, c.key);
    }
  }
  return path;
}

void YamlTreeBuilder::OnDocumentStart(const YAML::Mark& mark) {
  ++documents_;
  if (documents_ > 1) {
    fail(to_position(mark), "",
         "a second YAML document starts here; a configuration file holds exactly one (check for '---' or for "
         "text that is not indented under its key)");
  }
}

void YamlTreeBuilder::OnDocumentEnd() {}

void YamlTreeBuilder::OnAnchor(const YAML::Mark& mark, const std::string& /*anchor_name*/) {
  fail(to_position(mark), path_here(),
       "anchors (&name) and aliases (*name) are not supported in configuration files; write each value out");
}

void YamlTreeBuilder::OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) {
  fail(to_position(mark), path_here(),
       "anchors (&name) and aliases (*name) are not supported in configuration files; write each value out");
}

void YamlTreeBuilder::check_properties(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
  if (anchor != YAML::NullAnchor) {
    fail(to_position(mark), path_here(),
         "anchors (&name) and aliases (*name) are not supported in configuration files; write each value out");
  }
  if (!is_non_specific_tag(tag)) {
    fail(to_position(mark), path_here(),
         "tags such as " + quote_for_message(tag) + " are not supported; write the value without a tag");
  }
}

void YamlTreeBuilder::count_value(const YAML::Mark& mark) {
  ++values_;
  if (values_ > limits_.max_values) {
    fail(to_position(mark), path_here(),
         "the document holds more than " + std::to_string(limits_.max_values) +
             " values, more than a configuration needs");
  }
}

void YamlTreeBuilder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  check_properties(mark, "", anchor);
  count_value(mark);
  if (!open_.empty() && open_.back().node.kind == ConfigNode::Kind::mapping && !open_.back().have_key) {
    fail(to_position(mark), path_here(), "a key is missing before ':'");
  }
  ConfigNode node;
  node.kind = ConfigNode::Kind::null;
  node.position = to_position(mark);
  add(std::move(node));
}

bool YamlTreeBuilder::quoted_scalar_is_closed(std::size_t offset) const {
  const char quote = text_[offset];
  for (std::size_t i = offset + 1; i < text_.size(); ++i) {
    const char c = text_[i];
    if (quote == '"') {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is, does not close the string
      } else if (c == '"') {
        return true;
      }
    } else if (c == '\'') {
      if (i + 1 < text_.size() && text_[i + 1] == '\'') {
        ++i;  // '' is an escaped quote inside '...'
      } else {
        return true;
      }
    }
  }
  return false;
}

void YamlTreeBuilder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                               const std::string& value) {
  check_properties(mark, tag, anchor);
  count_value(mark);
  ConfigNode node;
  node.kind = ConfigNode::Kind::scalar;
  node.position = to_position(mark);
  node.text = value;
  node.quoted = tag == "!";
  if (node.quoted && mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text_.size()) {
    const auto offset = static_cast<std::size_t>(mark.pos);
    // yaml-cpp 0.7 ends a quoted scalar silently at the end of the input when
    // the last line ends with a newline, so `a: "x` followed by other keys
    // would swallow them all into one string.
    if ((text_[offset] == '"' || text_[offset] == '\'') && !quoted_scalar_is_closed(offset)) {
      fail(node.position, path_here(),
           "this quoted string is never closed (missing " + std::string(1, text_[offset]) + ")");
    }
  }
  add(std::move(node));
}

void YamlTreeBuilder::open(ConfigNode::Kind kind, const YAML::Mark& mark, const std::string& tag,
                           YAML::anchor_t anchor) {
  check_properties(mark, tag, anchor);
  count_value(mark);
  if (!open_.empty() && open_.back().node.kind == ConfigNode::Kind::mapping && !open_.back().have_key) {
    fail(to_position(mark), path_here(), "a key must be plain text, not " + kind_name(kind));
  }
  if (open_.size() >= static_cast<std::size_t>(limits_.max_depth)) {
    fail(to_position(mark), path_here(),
         "lists and mappings are nested more than " + std::to_string(limits_.max_depth) + " levels deep");
  }
  OpenCollection collection;
  collection.node.kind = kind;
  collection.node.position = to_position(mark);
  open_.push_back(std::move(collection));
}

void YamlTreeBuilder::close(ConfigNode::Kind kind) {
  // yaml-cpp always pairs start and end events; guard anyway so a surprise is
  // an error rather than undefined behaviour.
  if (open_.empty() || open_.back().node.kind != kind) {
    fail(Position{1, 1}, "", "internal error: unbalanced YAML events");
  }
  ConfigNode node = std::move(open_.back().node);
  open_.pop_back();
  add(std::move(node));
}

void YamlTreeBuilder::OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                                      YAML::EmitterStyle::value /*style*/) {
  open(ConfigNode::Kind::sequence, mark, tag, anchor);
}

void YamlTreeBuilder::OnSequenceEnd() { close(ConfigNode::Kind::sequence); }

void YamlTreeBuilder::OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                                 YAML::EmitterStyle::value /*style*/) {
  open(ConfigNode::Kind::mapping, mark, tag, anchor);
}

void YamlTreeBuilder::OnMapEnd() { close(ConfigNode::Kind::mapping); }

void YamlTreeBuilder::add(ConfigNode node) {
  if (open_.empty()) {
    root_ = std::move(node);
    return;
  }
  OpenCollection& parent = open_.back();
  if (parent.node.kind == ConfigNode::Kind::sequence) {
    parent.node.items.push_back(std::move(node));
    return;
  }
  if (!parent.have_key) {
    // Only scalars reach here: open() refuses collections as keys and OnNull
    // refuses empty keys.
    const std::string path = join_key_path(path_here(), node.text);
    const auto [it, inserted] = parent.seen_keys.emplace(node.text, node.position);
    if (!inserted) {
      fail(node.position, path,
           "duplicate key; it was first written at line " + std::to_string(it->second.line) + ", column " +
               std::to_string(it->second.column));
    }
    parent.have_key = true;
    parent.key = std::move(node.text);
    parent.key_position = node.position;
    return;
  }
  // An empty value ("key:" and nothing) gets its key's position: yaml-cpp
  // reports the token after it, often on the next line.
  if (node.kind == ConfigNode::Kind::null) node.position = parent.key_position;
  parent.node.entries.push_back(ConfigEntry{std::move(parent.key), parent.key_position, std::move(node)});
  parent.have_key = false;
  parent.key.clear();
}

}  // namespace sotto::config::detail
