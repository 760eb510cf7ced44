#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/notify/notification_ports.h"
#include "frontends/notify/notify_config.h"

namespace sotto::notify {

// What every popup carries (the desktop's icon theme has this icon name in
// the freedesktop naming spec; category and urgency per the notification spec).
inline constexpr std::string_view kAppName = "Sotto";
inline constexpr std::string_view kAppIcon = "mail-message-new";
inline constexpr std::string_view kCategory = "im.received";
inline constexpr std::uint8_t kUrgencyNormal = 1;

// Action keys. "default" is what a click on the popup runs; "inline-reply" is
// the key servers with the "inline-reply" capability turn into a text field
// (they answer with NotificationReplied); "reply" is ours, for reply_command.
inline constexpr std::string_view kDefaultAction = "default";
inline constexpr std::string_view kInlineReplyAction = "inline-reply";
inline constexpr std::string_view kReplyAction = "reply";

// The policy: which message pops up, and how. One popup per conversation:
// while it is shown, further messages replace it (replaces_id) with the latest
// text and a count; when the server reports it closed, or the server goes
// away, it is forgotten. Muted peers and do-not-disturb show nothing (msgd's
// inbox still holds the messages). Actions are offered only when the server
// has the "actions" capability: "default" marks the conversation read; a
// reply goes back to msgd's Send (inline reply) or starts reply_command.
//
// Single-threaded: everything runs on msg-notify's one loop.
class Notifier final : public NotificationEvents {
 public:
  // All references must outlive the Notifier.
  Notifier(const NotifyConfig& config, NotificationSink& sink, MessengerCommands& messenger, CommandLauncher& launcher);
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void on_message(const IncomingMessage& message);

  void on_action(std::uint32_t id, const std::string& action_key) override;
  void on_replied(std::uint32_t id, const std::string& text) override;
  void on_closed(std::uint32_t id) override;
  void on_server_lost() override;

  // The popup shown for a conversation (0: none yet, or its Notify is still
  // unanswered) and how many messages it counts (0: none shown).
  std::uint32_t popup_id(const std::string& peer) const;
  int popup_count(const std::string& peer) const;

  // The actions a popup offers with this server and config.
  std::vector<std::string> actions() const;
  // reply_command with every "{peer}" replaced.
  static std::vector<std::string> reply_argv(const std::vector<std::string>& command, const std::string& peer);

 private:
  struct Popup {
    std::uint32_t id = 0;
    int count = 0;
    std::string sender;
    std::string group;                       // "#ops" for a group conversation
    std::string latest_text;                 // empty in privacy mode: what is not shown is not kept
    std::optional<FileSummary> latest_file;  // the latest message is a file (never kept in privacy mode)
    bool in_flight = false;                  // a Notify is unanswered
    bool stale = false;                      // changed since that Notify was sent
    std::uint64_t generation = 0;
  };

  void post(const std::string& peer, Popup& popup);
  void on_posted(const std::string& peer, std::uint64_t generation, std::optional<std::uint32_t> id);
  NotificationRequest request_for(const Popup& popup) const;
  // The conversation a popup id belongs to, if it is one of ours.
  const std::string* peer_of(std::uint32_t id) const;
  bool is_muted(const IncomingMessage& message) const;

  const NotifyConfig& config_;
  NotificationSink& sink_;
  MessengerCommands& messenger_;
  CommandLauncher& launcher_;
  std::map<std::string, Popup> popups_;  // by peer
  std::map<std::uint32_t, std::string> peers_by_id_;
  // Each Popup gets a new generation, so a late answer to a Notify sent for
  // a popup since forgotten (closed, server gone) is recognised and ignored.
  std::uint64_t next_generation_ = 1;
};

}  // namespace sotto::notify
