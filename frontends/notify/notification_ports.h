#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sotto::notify {

// The seams between the policy (Notifier) and the outside world: the
// notification server, msgd, and programs started for a reply. Each has one
// real implementation on D-Bus or fork/exec and a fake in the unit tests.

// What a popup says of a file message: its name and size (the sender chose
// both; the name is shown cleaned and escaped like any text).
struct FileSummary {
  std::string name;
  std::int64_t size = -1;  // -1: msgd did not say

  bool operator==(const FileSummary&) const = default;
};

// A message msgd reported (MessageReceived), as far as a popup needs it.
struct IncomingMessage {
  std::string id;
  std::string peer;    // the conversation (MarkRead and Send take it): "@<group id>" in a group
  std::string sender;  // who wrote it
  std::string text;    // the text; a file's caption ("" for none)
  std::optional<FileSummary> file = std::nullopt;  // set for a file message (kind "file")
  std::string group = {};                          // a group message's group as shown, "#ops" ("" otherwise)
};

// One call of org.freedesktop.Notifications.Notify, minus what never changes.
struct NotificationRequest {
  std::uint32_t replaces_id = 0;  // 0: a new popup
  std::string app_name;
  std::string app_icon;
  std::string summary;
  std::string body;
  std::vector<std::string> actions;  // key, label, key, label, ...
  std::string category;              // hint "category"
  std::uint8_t urgency = 1;          // hint "urgency": 0 low, 1 normal, 2 critical
  std::int32_t expire_timeout_ms = -1;

  bool operator==(const NotificationRequest&) const = default;
};

// The desktop's notification server, as far as the policy needs it.
class NotificationSink {
 public:
  // The popup's id, or nullopt when the server did not take it.
  using Posted = std::function<void(std::optional<std::uint32_t> id)>;

  virtual ~NotificationSink() = default;
  // Whether a server is known to be there (its capabilities were read).
  virtual bool available() const = 0;
  // Its capabilities ("actions", "body-markup", "inline-reply", ...).
  virtual bool has_capability(const std::string& name) const = 0;
  // Asynchronous: `posted` runs later, exactly once, unless the sink is destroyed first.
  virtual void notify(const NotificationRequest& request, Posted posted) = 0;
  // Takes a popup down (the server then reports it closed).
  virtual void close(std::uint32_t id) = 0;
};

// What the notification server tells the policy.
class NotificationEvents {
 public:
  virtual ~NotificationEvents() = default;
  virtual void on_action(std::uint32_t id, const std::string& action_key) = 0;
  virtual void on_replied(std::uint32_t id, const std::string& text) = 0;
  virtual void on_closed(std::uint32_t id) = 0;
  // The server left or was replaced: every popup id it gave is meaningless now.
  virtual void on_server_lost() = 0;
};

// msgd's methods the actions call (asynchronous; failures are logged by the implementation).
class MessengerCommands {
 public:
  virtual ~MessengerCommands() = default;
  virtual void mark_read(const std::string& peer) = 0;
  virtual void send(const std::string& peer, const std::string& text) = 0;
};

// Starts a program and does not wait for it.
class CommandLauncher {
 public:
  virtual ~CommandLauncher() = default;
  virtual void launch(const std::vector<std::string>& argv) = 0;
};

}  // namespace sotto::notify
