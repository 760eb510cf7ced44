#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/config/document.h"
#include "lib/config/mapping_reader.h"

namespace sotto::notify {

// notify.yaml ($XDG_CONFIG_HOME/sotto/notify.yaml, or --config FILE). The
// defaults here are what an absent or empty file means, and what the
// documented example config/notify.yaml spells out.
struct NotifyConfig {
  // Popups say only "New message": no sender, no text.
  bool privacy = false;
  // Canonical usernames whose messages never pop up (they still reach the inbox).
  std::vector<std::string> muted;
  // No popups at all; msgd's inbox keeps every message.
  bool do_not_disturb = false;
  // argv run by the "reply" action when the server cannot take an inline
  // reply; every "{peer}" in it becomes the sender. Empty: no such action.
  std::vector<std::string> reply_command;
  // expire_timeout of each popup: nullopt lets the server decide, 0 means it
  // stays until dismissed.
  std::optional<std::chrono::milliseconds> timeout;

  bool operator==(const NotifyConfig&) const = default;
};

// The config and where each setting came from (a test proves that the
// example file spells out every key).
struct LoadedNotifyConfig {
  NotifyConfig config;
  std::vector<config::ValueSource> sources;
};

// Bounds on the settings, with their reasons.
// A muted list longer than anyone's contact list is a mistake or an attack.
inline constexpr std::size_t kMaxMuted = 1000;
// An argv of a terminal, a flag or two and a program is a handful of words.
inline constexpr std::size_t kMaxReplyCommandWords = 64;
// A popup kept for more than an hour is better kept until dismissed ("never").
inline constexpr std::chrono::milliseconds kMaxTimeout = std::chrono::hours(1);

// Each throws config::ConfigError ("FILE:LINE:COL: key: problem").
LoadedNotifyConfig read_notify_config(const config::Document& document);
NotifyConfig load_notify_config(const std::filesystem::path& path);
NotifyConfig parse_notify_config(std::string_view text, std::string_view name);

// $XDG_CONFIG_HOME/sotto/notify.yaml, else ~/.config/sotto/notify.yaml.
// Throws std::runtime_error when neither variable says where.
std::filesystem::path default_notify_config_path();

}  // namespace sotto::notify
