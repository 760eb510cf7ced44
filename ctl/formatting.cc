#include "ctl/formatting.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "ctl/output.h"
#include "ctl/progress_bar.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

constexpr std::string_view kWarning = "\xE2\x9A\xA0";  // ⚠
constexpr std::string_view kArrow = "\xE2\x86\x92";    // →
constexpr std::string_view kCheck = "\xE2\x9C\x93";    // ✓
constexpr std::string_view kDash = "\xE2\x80\x94";     // —
// A files table stays readable with a long name; `history` shows more of it.
constexpr std::size_t kTableNameColumns = 40;
// An error from msgd is a sentence, not a page.
constexpr std::size_t kTableErrorColumns = 60;

std::string pad(std::string_view text, std::size_t width) {
  std::string out(text);
  const std::size_t have = display_width(text);
  if (have < width) out.append(width - have, ' ');
  return out;
}

std::string yes_no(bool value) { return value ? "yes" : "no"; }

// Indents continuation lines of a multi-line text under its first line.
std::string indent_continuations(std::string_view text, std::size_t column) {
  std::string out;
  for (const char c : text) {
    out += c;
    if (c == '\n') out.append(column, ' ');
  }
  return out;
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 < row.size() ? pad(row[i], widths[i]) + "  " : row[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

const nlohmann::json& file_member(const nlohmann::json& message) {
  static const nlohmann::json kNone = nlohmann::json::object();
  if (!message.is_object()) return kNone;
  const auto it = message.find("file");
  return it != message.end() && it->is_object() ? *it : kNone;
}

// A size member that may be absent: -1 (shown as "?") when it is not a number.
std::int64_t size_member(const nlohmann::json& object) {
  if (!object.is_object()) return -1;
  const auto it = object.find("size");
  return it != object.end() && it->is_number_integer() ? int_member(object, "size") : -1;
}

std::string shown_file_name(const nlohmann::json& object, std::size_t columns) {
  const std::string name = string_member(object, "name");
  if (name.empty()) return "(no name)";
  return fit_columns(printable(name), columns);
}

// "short" id for events: the first 8 hex digits, as DeliveryChanged shows them.
std::string short_id(const nlohmann::json& object) { return printable(string_member(object, "id").substr(0, 8)); }

// A GroupChanged event: the group after the change and who made it. msgd
// does not say what changed, so the line shows the result.
std::string format_group_change(const nlohmann::json& d) {
  const std::string by = printable(string_member(d, "by"));
  const std::string status = string_member(d, "status");
  const std::string label = group_label(d);
  if (status == "removed")
    return (by.empty() ? std::string("you were removed") : by + " removed you") + " from " + label;
  if (status == "left") return "you left " + label;
  return format_group_summary(d) + (by.empty() ? "" : " (changed by " + by + ")");
}

}  // namespace

bool transfer_complete(std::string_view state) {
  return state == "uploaded" || state == "downloaded" || state == "saved";
}

std::string message_text(const nlohmann::json& message) {
  const std::string text = printable(string_member(message, "text"), true);
  if (string_member(message, "kind") != "file") return text;
  const nlohmann::json& file = file_member(message);
  std::string out =
      "[file] " + shown_file_name(file, kMaxFileNameColumns) + " (" + format_size(size_member(file)) + ")";
  if (!text.empty()) out += " " + std::string(kDash) + " " + text;
  return out;
}

std::string format_files(const nlohmann::json& files, std::string_view when_empty) {
  if (!files.is_array() || files.empty()) return std::string(when_empty) + "\n";
  std::vector<std::vector<std::string>> rows = {{"ID", "DIR", "PEER", "NAME", "SIZE", "STATE", "DONE", ""}};
  for (const auto& f : files) {
    const std::string state = string_member(f, "state");
    const std::string error = string_member(f, "error");
    rows.push_back(
        {printable(string_member(f, "id")), printable(string_member(f, "direction")),
         printable(string_member(f, "peer")), shown_file_name(f, kTableNameColumns), format_size(size_member(f)),
         printable(state),
         std::to_string(percent_done(int_member(f, "bytes"), size_member(f), transfer_complete(state))) + "%",
         error.empty() ? "" : fit_columns(printable(error), kTableErrorColumns)});
  }
  return table(rows);
}

std::string string_member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::int64_t int_member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return 0;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

bool bool_member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return false;
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::string format_timestamp(std::int64_t ms_since_epoch, TimeFormat format) {
  const std::time_t seconds = static_cast<std::time_t>(ms_since_epoch / 1000);
  std::tm local{};
  if (localtime_r(&seconds, &local) == nullptr) return "?";
  const char* pattern = format == TimeFormat::kDateMinute ? "%Y-%m-%d %H:%M"
                        : format == TimeFormat::kTime     ? "%H:%M:%S"
                                                          : "%Y-%m-%d";
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, pattern, &local);
  return n == 0 ? "?" : std::string(buffer, n);
}

std::string state_mark(std::string_view direction, std::string_view state) {
  if (direction == "in") return state == "unread" ? "(new)" : "";
  if (state == "queued") return "\xE2\x80\xA6 queued";  // … queued
  if (state == "sent") return std::string(kCheck);
  if (state == "delivered") return std::string(kCheck) + std::string(kCheck);
  if (state == "read") return std::string(kCheck) + std::string(kCheck) + " read";
  if (state == "failed") return "\xE2\x9C\x97 failed";  // ✗ failed
  return printable(state);
}

std::string format_messages(const nlohmann::json& messages, std::string_view self, std::string_view when_empty) {
  if (!messages.is_array() || messages.empty()) return std::string(when_empty) + "\n";
  const std::string me = self.empty() ? "me" : printable(self);
  struct Row {
    std::string when, route, text, mark;
    bool warning;
  };
  std::vector<Row> rows;
  std::size_t route_width = 0;
  bool any_warning = false;
  for (const auto& m : messages) {
    const std::string direction = string_member(m, "direction");
    const std::string peer = printable(string_member(m, "peer"));
    std::string sender = printable(string_member(m, "sender"));
    const bool outgoing = direction == "out";
    if (sender.empty()) sender = outgoing ? me : peer;
    const std::string group = message_group_label(m);
    Row row{"[" + format_timestamp(int_member(m, "sent_at"), TimeFormat::kDateMinute) + "]",
            group.empty() ? sender + " " + std::string(kArrow) + " " + (outgoing ? peer : me) : sender + " in " + group,
            message_text(m), state_mark(direction, string_member(m, "state")), bool_member(m, "identity_warning")};
    route_width = std::max(route_width, display_width(row.route));
    any_warning = any_warning || row.warning;
    rows.push_back(std::move(row));
  }
  std::string out;
  for (const Row& row : rows) {
    const std::string head = row.when + " " + pad(row.route + ":", route_width + 1) + " ";
    std::string line = head + indent_continuations(row.text, display_width(head));
    if (!row.mark.empty()) line += " " + row.mark;
    if (row.warning) line += " " + std::string(kWarning);
    out += line + "\n";
  }
  if (any_warning) {
    out += std::string(kWarning) +
           " = sent from a changed identity key you have not verified; compare safety numbers with "
           "`msgctl fingerprint PEER`.\n";
  }
  return out;
}

std::string group_label(const nlohmann::json& group) {
  const std::string name = string_member(group, "name");
  if (!name.empty()) return "#" + printable(name);
  const std::string id = string_member(group, "id");
  return "#" + (id.empty() ? std::string("?") : printable(id.substr(0, 8)));
}

std::string message_group_label(const nlohmann::json& message) {
  const std::string peer = string_member(message, "peer");
  const auto it = message.is_object() ? message.find("group") : message.end();
  const bool has_group = it != message.end() && it->is_object();
  if (!has_group && (peer.empty() || peer.front() != '#')) return "";
  nlohmann::json group = has_group ? *it : nlohmann::json::object();
  if (string_member(group, "id").empty() && !peer.empty() && peer.front() == '#') group["id"] = peer.substr(1);
  return group_label(group);
}

std::string format_group_list(const nlohmann::json& groups) {
  if (!groups.is_array() || groups.empty())
    return "no groups yet; create one with: msgctl group create NAME [USER...]\n";
  std::vector<std::vector<std::string>> rows = {{"NAME", "MEMBERS", "ROLE", "STATUS", "ID"}};
  for (const auto& g : groups) {
    const std::string status = string_member(g, "status");
    const auto members = g.is_object() ? g.find("members") : g.end();
    const std::size_t count = members != g.end() && members->is_array() ? members->size() : 0;
    rows.push_back({group_label(g).substr(1), std::to_string(count),
                    status != "member"        ? "-"
                    : bool_member(g, "admin") ? "admin"
                                              : "member",
                    printable(status), printable(string_member(g, "id"))});
  }
  return table(rows);
}

std::string format_group_members(const nlohmann::json& members) {
  if (!members.is_array() || members.empty()) return "no members\n";
  std::vector<std::vector<std::string>> rows = {{"USERNAME", "ROLE", "TRUST", ""}};
  for (const auto& m : members) {
    const std::string trust = string_member(m, "trust");
    rows.push_back({printable(string_member(m, "username")), bool_member(m, "admin") ? "admin" : "member",
                    printable(trust), trust == "untrusted" ? std::string(kWarning) + " identity changed" : ""});
  }
  return table(rows);
}

std::string format_group_summary(const nlohmann::json& group) {
  std::string out = group_label(group) + " (id " + printable(string_member(group, "id")) + ")";
  const auto members = group.is_object() ? group.find("members") : group.end();
  if (members == group.end() || !members->is_array()) return out;
  const auto admins = group.find("admins");
  const auto is_admin = [&](const std::string& name) {
    return admins != group.end() && admins->is_array() &&
           std::any_of(admins->begin(), admins->end(), [&](const auto& a) { return a.is_string() && a == name; });
  };
  out += ": " + std::to_string(members->size()) + (members->size() == 1 ? " member" : " members");
  std::string names;
  std::size_t listed = 0;
  for (const auto& m : *members) {
    if (!m.is_string()) continue;
    if (listed == kMaxListedMembers) {
      names += ", and " + std::to_string(members->size() - listed) + " more";
      break;
    }
    const std::string name = m.get<std::string>();
    names += (listed == 0 ? "" : ", ") + printable(name) + (is_admin(name) ? " (admin)" : "");
    ++listed;
  }
  if (!names.empty()) out += ": " + names;
  return out;
}

std::string format_status(const nlohmann::json& status) {
  const std::string user = printable(string_member(status, "username"));
  const std::string relay_fp = printable(string_member(status, "relay_fingerprint"));
  const std::vector<std::vector<std::string>> rows = {
      {"username:", user.empty() ? "(none: register or log in)" : user},
      {"logged in:", yes_no(bool_member(status, "logged_in"))},
      {"connected:", yes_no(bool_member(status, "connected"))},
      {"relay:", printable(string_member(status, "relay"))},
      {"relay fingerprint:", relay_fp.empty() ? "(not pinned yet)" : relay_fp},
      {"outbox:", std::to_string(int_member(status, "outbox")) + " queued"},
      {"unread:", std::to_string(int_member(status, "unread"))},
      {"identity:", printable(string_member(status, "identity_fingerprint"))},
  };
  return table(rows);
}

std::string format_contacts(const nlohmann::json& contacts) {
  if (!contacts.is_array() || contacts.empty()) return "no contacts yet\n";
  std::vector<std::vector<std::string>> rows = {{"USERNAME", "TRUST", "FINGERPRINT", "FIRST SEEN", ""}};
  for (const auto& c : contacts) {
    const std::int64_t first_seen = int_member(c, "first_seen");
    rows.push_back({printable(string_member(c, "username")), printable(string_member(c, "trust")),
                    printable(string_member(c, "fingerprint")),
                    first_seen > 0 ? format_timestamp(first_seen, TimeFormat::kDate) : "-",
                    bool_member(c, "identity_changed") ? std::string(kWarning) + " identity changed" : ""});
  }
  return table(rows);
}

std::string format_online(const nlohmann::json& online) {
  if (!online.is_array() || online.empty()) return "no contacts to ask about\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& entry : online) {
    rows.push_back({printable(string_member(entry, "username")), bool_member(entry, "online") ? "online" : "offline"});
  }
  return table(rows);
}

std::string format_fingerprint(const nlohmann::json& safety_number) {
  const std::string peer = printable(string_member(safety_number, "peer"));
  const std::string trust = string_member(safety_number, "trust");
  std::string out;
  if (trust == "untrusted") {
    out += std::string(kWarning) + " WARNING: " + peer +
           "'s identity key changed and is not verified. Messages may come from someone else until you have "
           "compared this number.\n\n";
  }
  out += "Safety number with " + peer + ":\n\n";
  std::istringstream lines(printable(string_member(safety_number, "lines"), true));
  for (std::string line; std::getline(lines, line);) out += "    " + line + "\n";
  out += "\nCompare it with " + peer +
         " in person or over a channel you already trust (a call, not this messenger); they see the same "
         "number.\n";
  if (trust == "verified") {
    out += "You have verified " + peer + ".\n";
  } else {
    out += "If the numbers match, run: msgctl trust " + peer + "\n";
  }
  return out;
}

std::string format_event(const api::EventMessage& event, std::time_t now) {
  const nlohmann::json& d = event.data;
  std::int64_t when_ms = static_cast<std::int64_t>(now) * 1000;
  if (event.name == "MessageReceived" && int_member(d, "received_at") > 0) when_ms = int_member(d, "received_at");
  const std::string stamp = "[" + format_timestamp(when_ms, TimeFormat::kTime) + "] ";
  if (event.name == "MessageReceived") {
    const std::string group = message_group_label(d);
    const std::string head =
        stamp + printable(string_member(d, "sender")) + (group.empty() ? "" : " in " + group) + ": ";
    std::string line = head + indent_continuations(message_text(d), display_width(head));
    if (bool_member(d, "identity_warning")) {
      line += " " + std::string(kWarning) + " (from a changed, unverified identity key)";
    }
    return line;
  }
  if (event.name == "DeliveryChanged") {
    const std::string id = printable(string_member(d, "id"));
    const std::string state = string_member(d, "state");
    return stamp + "message " + id.substr(0, 8) + " to " + printable(string_member(d, "peer")) + ": " +
           printable(state) + (state == "delivered" || state == "read" ? " " + state_mark("out", state) : "");
  }
  if (event.name == "ConnectionChanged") {
    const std::string relay = printable(string_member(d, "relay"));
    if (bool_member(d, "connected")) return stamp + "connected to relay " + relay;
    const std::string reason = printable(string_member(d, "reason"));
    return stamp + "disconnected from relay " + relay + (reason.empty() ? "" : " (" + reason + ")");
  }
  if (event.name == "TransferProgress" || event.name == "FileReceived") {
    const bool incoming = string_member(d, "direction") == "in";
    const std::string state = string_member(d, "state");
    std::string line = stamp + "file " + short_id(d) + " " + shown_file_name(d, kMaxFileNameColumns) +
                       (incoming ? " from " : " to ") + printable(string_member(d, "peer")) + ": " + printable(state);
    const std::int64_t size = size_member(d);
    if (state == "uploading" || state == "downloading" || state == "preparing") {
      line += " " + std::to_string(percent_done(int_member(d, "bytes"), size, false)) + "% (" +
              format_size(int_member(d, "bytes")) + " of " + format_size(size) + ")";
    } else {
      line += " (" + format_size(size) + ")";
    }
    const std::string path = string_member(d, "path");
    if (incoming && !path.empty()) line += " " + std::string(kArrow) + " " + printable(path);
    if (state == "available" && incoming) line += "; msgctl save " + printable(string_member(d, "id"));
    const std::string error = string_member(d, "error");
    if (!error.empty()) line += ": " + printable(error);
    return line;
  }
  if (event.name == "GroupChanged") return stamp + format_group_change(d);
  if (event.name == "IdentityChanged") {
    const std::string peer = printable(string_member(d, "peer"));
    return stamp + std::string(kWarning) + " " + peer + "'s identity key changed (now " +
           printable(string_member(d, "fingerprint")) + "); compare safety numbers: msgctl fingerprint " + peer;
  }
  return stamp + printable(event.name) + " " +
         printable(d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string event_json_line(const api::EventMessage& event) {
  return R"({"event":)" + json_line(event.name) + R"(,"data":)" + json_line(event.data) + "}";
}

}  // namespace sotto::ctl
