#include "frontends/notify/notify_config.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "lib/config/config_error.h"
#include "lib/config/duration.h"
#include "lib/wire/username.h"

namespace sotto::notify {
namespace {

constexpr std::string_view kServerDecides = "server";
constexpr std::string_view kNeverExpires = "never";

// MappingReader checks the list as a whole; a bad name is reported at its own
// item, so the position comes from the document itself.
config::Location item_location(const config::Document& document, std::string_view key, std::size_t index) {
  const config::ConfigNode& root = document.root();
  for (const config::ConfigEntry& entry : root.entries) {
    if (entry.key != key) continue;
    if (index < entry.value.items.size()) return document.location(entry.value.items[index].position);
    return document.location(entry.value.position);
  }
  return document.location(root.position);
}

std::vector<std::string> read_muted(const config::Document& document, config::MappingReader& top) {
  const std::vector<std::string> written =
      top.string_list("muted", {}, {.max_bytes = 256, .allow_empty = false}, kMaxMuted);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < written.size(); ++i) {
    const wire::UsernameResult name = wire::canonical_username(written[i]);
    if (!name)
      throw config::ConfigError(item_location(document, "muted", i), config::index_key_path("muted", i), name.error());
    // A name listed twice (perhaps in two spellings) is muted once.
    if (std::find(names.begin(), names.end(), name.value()) == names.end()) names.push_back(name.value());
  }
  return names;
}

std::optional<std::chrono::milliseconds> read_timeout(config::MappingReader& top) {
  const std::string text = top.string("timeout", std::string(kServerDecides), {.max_bytes = 32, .allow_empty = false});
  if (text == kServerDecides) return std::nullopt;
  if (text == kNeverExpires) return std::chrono::milliseconds(0);
  std::chrono::milliseconds value{};
  try {
    value = config::parse_duration(text);
  } catch (const config::ValueSyntaxError& e) {
    top.fail("timeout", std::string(e.what()) + "; or write 'server' or 'never'");
  }
  if (value < std::chrono::seconds(1) || value > kMaxTimeout) {
    top.fail("timeout", "must be between 1s and " + config::format_duration(kMaxTimeout) +
                            " (or 'server', or 'never' to keep popups until dismissed)");
  }
  return value;
}

void read_settings(const config::Document& document, config::MappingReader& top, NotifyConfig& c) {
  c.privacy = top.boolean("privacy", c.privacy);
  c.muted = read_muted(document, top);
  c.do_not_disturb = top.boolean("do_not_disturb", c.do_not_disturb);
  c.reply_command = top.string_list("reply_command", c.reply_command, {.max_bytes = 1024, .allow_empty = false},
                                    kMaxReplyCommandWords);
  c.timeout = read_timeout(top);
}

}  // namespace

LoadedNotifyConfig read_notify_config(const config::Document& document) {
  LoadedNotifyConfig loaded;
  loaded.sources =
      config::read_mapping(document, [&](config::MappingReader& top) { read_settings(document, top, loaded.config); });
  return loaded;
}

NotifyConfig load_notify_config(const std::filesystem::path& path) {
  return read_notify_config(config::load_document(path)).config;
}

NotifyConfig parse_notify_config(std::string_view text, std::string_view name) {
  return read_notify_config(config::parse_document(text, name)).config;
}

std::filesystem::path default_notify_config_path() {
  if (const char* value = std::getenv("XDG_CONFIG_HOME"); value != nullptr && value[0] == '/') {
    return std::filesystem::path(value) / "sotto" / "notify.yaml";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    return std::filesystem::path(home) / ".config" / "sotto" / "notify.yaml";
  }
  throw std::runtime_error("XDG_CONFIG_HOME is not set (and no HOME to fall back on); give --config FILE");
}

}  // namespace sotto::notify
