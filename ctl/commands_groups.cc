// group create/add/remove/leave/list/members/rename, broadcast.

#include <CLI/CLI.hpp>

#include "ctl/commands.h"
#include "ctl/formatting.h"
#include "ctl/output.h"
#include "ctl/parser.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

CLI::Validator group_name_validator() {
  return CLI::Validator([](std::string& value) { return group_name_problem(value); }, "", "group name");
}

CLI::Validator username_validator() {
  return CLI::Validator([](std::string& value) { return username_problem(value); }, "", "username");
}

// The users as typed, joined for a sentence ("bob, carol").
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + printable(name);
  return out;
}

std::size_t member_count(const nlohmann::json& group) {
  const auto it = group.is_object() ? group.find("members") : group.end();
  return it != group.end() && it->is_array() ? it->size() : 0;
}

std::string members_now(const nlohmann::json& group) {
  const std::size_t count = member_count(group);
  return std::to_string(count) + (count == 1 ? " member" : " members") + " now";
}

// --json prints msgd's result as is; the human line is `describe(result)`.
template <typename Describe>
ExitCode print_result(Context& context, const nlohmann::json& result, Describe describe) {
  if (context.out.json()) {
    context.out.print_json(result);
  } else {
    context.out.print(describe(result));
  }
  return ExitCode::kOk;
}

}  // namespace

void add_broadcast_options(CLI::App& app, CommandArgs& args) {
  app.add_option("TEXT", args.text, "The message; '-' reads it from stdin (at most 64 KiB)")
      ->required()
      ->type_name("")
      ->check(CLI::Validator([](std::string& value) { return value == "-" ? "" : text_problem(value); }, "", "text"));
  app.add_flag("--online", args.online_only, "Only to the contacts the relay reports online now");
}

ExitCode run_broadcast(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const std::string text = args.text == "-" ? read_stdin_text(context.in) : args.text;
  const nlohmann::json result = client.call("broadcast", {{"text", text}, {"online_only", args.online_only}});
  return print_result(context, result, [&](const nlohmann::json& r) {
    const std::int64_t count = int_member(r, "count");
    std::string skipped;
    if (const auto it = r.find("skipped"); it != r.end() && it->is_array() && !it->empty()) {
      for (const auto& s : *it) {
        const std::string reason = string_member(s, "reason");
        skipped += "\nnot sent to " + printable(string_member(s, "peer")) +
                   (reason.empty() ? std::string() : ": " + printable(reason));
      }
    }
    if (count == 0 && !skipped.empty()) return "nothing sent" + skipped;
    if (count == 0)
      return std::string(args.online_only ? "no contact is online: nothing sent" : "no contacts: nothing sent");
    return "queued for " + std::to_string(count) + (count == 1 ? " contact" : " contacts") +
           (args.online_only ? " online" : "") + ", one message each" + skipped;
  });
}

void add_group_create_options(CLI::App& app, CommandArgs& args) {
  app.add_option("NAME", args.group_name, "The group's name (1-64 bytes; not starting with '@' or '#')")
      ->required()
      ->type_name("")
      ->check(group_name_validator());
  app.add_option("USER", args.members, "Users to add besides you (at most 1000)")
      ->type_name("")
      ->check(username_validator());
}

ExitCode run_group_create(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  nlohmann::json params = {{"name", args.group_name}};
  if (!args.members.empty()) params["members"] = args.members;
  const nlohmann::json group = client.call("group_create", params);
  return print_result(context, group, [](const nlohmann::json& g) { return "created " + format_group_summary(g); });
}

void add_group_members_options(CLI::App& app, CommandArgs& args) {
  options::add_group(app, args.group);
  app.add_option("USER", args.members, "Usernames (at most 1000)")
      ->required()
      ->type_name("")
      ->check(username_validator());
}

ExitCode run_group_add(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const nlohmann::json group = client.call("group_add", {{"group", args.group}, {"members", args.members}});
  return print_result(context, group, [&](const nlohmann::json& g) {
    return "added " + joined(args.members) + " to " + group_label(g) + "; " + members_now(g);
  });
}

ExitCode run_group_remove(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const nlohmann::json group = client.call("group_remove", {{"group", args.group}, {"members", args.members}});
  return print_result(context, group, [&](const nlohmann::json& g) {
    return "removed " + joined(args.members) + " from " + group_label(g) + "; " + members_now(g);
  });
}

void add_group_options(CLI::App& app, CommandArgs& args) { options::add_group(app, args.group); }

ExitCode run_group_leave(api::Client& client, Context& context) {
  const nlohmann::json group = client.call("group_leave", {{"group", context.args.group}});
  return print_result(context, group, [](const nlohmann::json& g) {
    return "left " + group_label(g) + "; its messages stay in your history";
  });
}

ExitCode run_group_list(api::Client& client, Context& context) {
  return print_result(context, client.call("group_list", nlohmann::json::object()), format_group_list);
}

ExitCode run_group_members(api::Client& client, Context& context) {
  return print_result(context, client.call("group_members", {{"group", context.args.group}}), format_group_members);
}

void add_group_rename_options(CLI::App& app, CommandArgs& args) {
  options::add_group(app, args.group);
  app.add_option("NAME", args.group_name, "The new name (1-64 bytes; not starting with '@' or '#')")
      ->required()
      ->type_name("")
      ->check(group_name_validator());
}

ExitCode run_group_rename(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const nlohmann::json group = client.call("group_rename", {{"group", args.group}, {"name", args.group_name}});
  return print_result(context, group, [&](const nlohmann::json& g) {
    return "renamed " + printable(args.group) + " to " + group_label(g);
  });
}

}  // namespace sotto::ctl
