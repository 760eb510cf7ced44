#pragma once

#include <yaml-cpp/eventhandler.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/config/config_node.h"
#include "lib/config/document.h"

namespace sotto::config::detail {

// Turns yaml-cpp's parse events into a ConfigNode tree, enforcing the rules
// parse_document promises (one document, no anchors, aliases or tags, string
// keys without duplicates, depth and size limits). Events arrive flat, so the
// tree is built with an explicit stack rather than recursion; throwing
// ConfigError from an event stops yaml-cpp's own recursion at our depth limit.
// Internal to lib/config: use parse_document.
class YamlTreeBuilder final : public YAML::EventHandler {
 public:
  // text must be exactly what yaml-cpp parses (positions index into it) and
  // outlive the builder.
  YamlTreeBuilder(std::string_view text, std::string name, const DocumentLimits& limits);

  // The document's root; a null node at 1:1 if the text held no document.
  ConfigNode take_root();

  void OnDocumentStart(const YAML::Mark& mark) override;
  void OnDocumentEnd() override;
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override;
  void OnSequenceEnd() override;
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override;
  void OnMapEnd() override;
  void OnAnchor(const YAML::Mark& mark, const std::string& anchor_name) override;

 private:
  struct OpenCollection {
    ConfigNode node;
    // Mappings only: the key whose value comes next, if its key has been seen.
    bool have_key = false;
    std::string key;
    Position key_position;
    std::unordered_map<std::string, Position> seen_keys;
  };

  void check_properties(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor);
  void count_value(const YAML::Mark& mark);
  void open(ConfigNode::Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor);
  void close(ConfigNode::Kind kind);
  void add(ConfigNode node);
  std::string path_here() const;
  bool quoted_scalar_is_closed(std::size_t offset) const;
  [[noreturn]] void fail(Position where, std::string key_path, std::string problem) const;

  std::string_view text_;
  std::string name_;
  DocumentLimits limits_;
  std::vector<OpenCollection> open_;
  std::optional<ConfigNode> root_;
  int documents_ = 0;
  std::size_t values_ = 0;
};

// yaml-cpp marks are 0-based (and -1 when unknown); ours are 1-based.
Position to_position(const YAML::Mark& mark);

}  // namespace sotto::config::detail
