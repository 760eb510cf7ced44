// send, history, inbox, read, export.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <istream>
#include <thread>

#include "ctl/commands.h"
#include "ctl/export_file.h"
#include "ctl/failure.h"
#include "ctl/formatting.h"
#include "ctl/output.h"
#include "ctl/parser.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

std::string read_stdin_text(std::istream& in) {
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    // One newline more than the limit is allowed: it is stripped below.
    if (text.size() > kMaxArgumentBytes + 1) {
      throw UsageError("the text on stdin is longer than 64 KiB (" + std::to_string(kMaxArgumentBytes) + " bytes)");
    }
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (const std::string problem = text_problem(text); !problem.empty()) {
    throw UsageError("the text on stdin " + problem);
  }
  return text;
}

namespace {

// A group message is "sent" once the relay holds it for every member: groups
// have no delivery or read receipts (docs/local-api.md), so that is final.
bool settled(std::string_view state, bool to_group) {
  return state == "delivered" || state == "read" || state == "failed" || (to_group && state == "sent");
}

// Whether any message needs our own name to be shown (incoming ones).
bool has_incoming(const nlohmann::json& messages) {
  return messages.is_array() && std::any_of(messages.begin(), messages.end(),
                                            [](const auto& m) { return string_member(m, "direction") == "in"; });
}

ExitCode print_messages(api::Client& client, Context& context, const nlohmann::json& messages,
                        std::string_view when_empty) {
  if (context.out.json()) {
    context.out.print_json(messages);
    return ExitCode::kOk;
  }
  std::string self;
  if (has_incoming(messages)) self = string_member(client.call("status", nlohmann::json::object()), "username");
  context.out.print(format_messages(messages, self, when_empty));
  return ExitCode::kOk;
}

CLI::Validator message_id_validator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return options::id_problem(value).empty() ? "" : "must be a message id (32 hex digits)";
      },
      "", "message id");
}

}  // namespace

void add_peer_option(CLI::App& app, CommandArgs& args) {
  app.add_option("PEER", args.peer, "The other person's username")
      ->required()
      ->type_name("")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            if (!value.empty() && value.front() == '@') return "names a group; this command takes a person's username";
            return name_problem(value);
          },
          "", "name"));
}

void add_conversation_option(CLI::App& app, CommandArgs& args) {
  app.add_option("PEER", args.peer, "The other person's username, or @GROUP (a group's name or id after '@')")
      ->required()
      ->type_name("")
      ->check(CLI::Validator([](std::string& value) { return conversation_problem(value); }, "", "name"));
}

void add_send_options(CLI::App& app, CommandArgs& args) {
  add_conversation_option(app, args);
  app.add_option("TEXT", args.text, "The message; '-' reads it from stdin (at most 64 KiB)")
      ->required()
      ->type_name("")
      ->check(CLI::Validator([](std::string& value) { return value == "-" ? "" : text_problem(value); }, "", "text"));
  auto* wait = app.add_flag("--wait", args.wait, "Wait until the message is delivered (exit 4 if it is not in time)");
  app.add_option("--wait-timeout", args.wait_timeout_seconds, "Seconds --wait waits (default 30)")
      ->type_name("SECONDS")
      ->check(CLI::Validator(options::seconds_problem, "", "seconds"))
      ->needs(wait);
}

ExitCode run_send(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const std::string text = args.text == "-" ? read_stdin_text(context.in) : args.text;
  // "@ops" is a group: msgd resolves the name (or id) with or without the '@'.
  const bool to_group = is_group_reference(args.peer);
  const nlohmann::json sent = to_group ? client.call("group_send", {{"group", args.peer}, {"text", text}})
                                       : client.call("send", {{"peer", args.peer}, {"text", text}});
  const std::string id = string_member(sent, "id");
  std::string state = string_member(sent, "state");
  if (!args.wait) {
    if (context.out.json()) {
      context.out.print_json(sent);
    } else {
      context.out.print("message " + printable(id) + " to " + printable(args.peer) + ": " + printable(state));
    }
    return ExitCode::kOk;
  }

  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(args.wait_timeout_seconds * 1000.0));
  auto interval = std::chrono::milliseconds(100);
  nlohmann::json message = sent;
  while (!settled(state, to_group)) {
    const auto now = Clock::now();
    if (now >= deadline || context.stop_requested()) {
      report_failure(context.out, Failure{ExitCode::kNotDelivered, "NotDelivered",
                                          "not delivered within " + format_seconds(args.wait_timeout_seconds) +
                                              " s (still " + printable(state) + "; it will be delivered later)"});
      return ExitCode::kNotDelivered;
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(interval, deadline - now));
    interval = std::min(interval * 2, std::chrono::milliseconds(1000));
    message = client.call("get_message", {{"id", id}});
    state = string_member(message, "state");
  }
  if (state == "failed") throw LocalError("message " + printable(id) + " to " + printable(args.peer) + " failed");
  if (context.out.json()) {
    context.out.print_json(message);
  } else {
    const std::string done = to_group ? "sent to " : state == "read" ? "read by " : "delivered to ";
    context.out.print(done + printable(args.peer) + " " + state_mark("out", state));
  }
  return ExitCode::kOk;
}

void add_history_options(CLI::App& app, CommandArgs& args) {
  add_conversation_option(app, args);
  app.add_option("--limit", args.limit, "At most N messages (default 50, at most 1000)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
  app.add_option("--before", args.before, "Only messages older than the message with this id")
      ->type_name("ID")
      ->check(message_id_validator());
}

ExitCode run_history(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  nlohmann::json params = {{"peer", args.peer}};
  if (args.limit > 0) params["limit"] = args.limit;
  if (!args.before.empty()) params["before"] = args.before;
  const nlohmann::json messages = client.call("history", params);
  return print_messages(client, context, messages, "no messages with " + printable(args.peer) + " yet");
}

ExitCode run_inbox(api::Client& client, Context& context) {
  return print_messages(client, context, client.call("inbox", nlohmann::json::object()), "no unread messages");
}

ExitCode run_read(api::Client& client, Context& context) {
  const nlohmann::json result = client.call("mark_read", {{"peer", context.args.peer}});
  if (context.out.json()) {
    context.out.print_json(result);
  } else {
    const std::int64_t marked = int_member(result, "marked");
    context.out.print("marked " + std::to_string(marked) + (marked == 1 ? " message" : " messages") + " from " +
                      printable(context.args.peer) + " as read");
  }
  return ExitCode::kOk;
}

void add_export_options(CLI::App& app, CommandArgs& args) {
  add_conversation_option(app, args);
  app.add_option("--format", args.format, "txt (readable) or json")
      ->required()
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"txt", "json"}));
  auto* output = app.add_option("--output", args.output_file, "Write to FILE (created 0600) instead of stdout")
                     ->type_name("FILE")
                     ->check(CLI::Validator([](std::string& v) { return v.empty() ? "is empty" : ""; }, "", "file"));
  app.add_flag("--force", args.force, "Replace FILE if it exists")->needs(output);
}

ExitCode run_export(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const nlohmann::json params = {{"peer", args.peer}, {"format", args.format}};
  if (args.output_file.empty()) {
    const nlohmann::json result = client.call("export", params);
    if (context.out.json()) {
      context.out.print_json(result);
    } else {
      context.out.out() << string_member(result, "content") << std::flush;
    }
    return ExitCode::kOk;
  }
  ExportFile file(args.output_file, args.force);
  const nlohmann::json result = client.call("export", params);
  const std::string content = string_member(result, "content");
  file.write(content);
  file.commit();
  if (context.out.json()) {
    context.out.print_json(
        {{"peer", args.peer}, {"format", args.format}, {"file", args.output_file}, {"bytes", content.size()}});
  } else {
    context.out.print("exported the conversation with " + printable(args.peer) + " to " + printable(args.output_file) +
                      " (" + std::to_string(content.size()) + " bytes)");
  }
  return ExitCode::kOk;
}

}  // namespace sotto::ctl
