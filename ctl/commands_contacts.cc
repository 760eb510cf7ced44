// online, contacts, fingerprint, trust, relay forget.

#include <CLI/CLI.hpp>

#include "ctl/commands.h"
#include "ctl/formatting.h"
#include "ctl/output.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

ExitCode print(Context& context, const nlohmann::json& result, std::string (*format)(const nlohmann::json&)) {
  if (context.out.json()) {
    context.out.print_json(result);
  } else {
    context.out.print(format(result));
  }
  return ExitCode::kOk;
}

std::string format_trusted(const nlohmann::json& contact) {
  return printable(string_member(contact, "username")) + " is now " + printable(string_member(contact, "trust")) +
         " (fingerprint " + printable(string_member(contact, "fingerprint")) + ")";
}

std::string format_forgotten(const nlohmann::json& result) {
  const std::string fingerprint = printable(string_member(result, "forgotten"));
  const std::string relay = printable(string_member(result, "relay"));
  if (fingerprint.empty()) return "no certificate was pinned for relay " + relay;
  return "forgot the pinned certificate " + fingerprint + " of relay " + relay +
         "\nthe next connection pins the certificate the relay presents then";
}

}  // namespace

void add_online_options(CLI::App& app, CommandArgs& args) {
  app.add_option("PEER", args.peers, "Usernames to ask about (default: every contact)")
      ->type_name("")
      ->check(CLI::Validator([](std::string& value) { return name_problem(value); }, "", "name"));
}

ExitCode run_online(api::Client& client, Context& context) {
  nlohmann::json params = nlohmann::json::object();
  if (!context.args.peers.empty()) params["peers"] = context.args.peers;
  return print(context, client.call("online", params), format_online);
}

ExitCode run_contacts(api::Client& client, Context& context) {
  return print(context, client.call("contacts", nlohmann::json::object()), format_contacts);
}

ExitCode run_fingerprint(api::Client& client, Context& context) {
  return print(context, client.call("fingerprint", {{"peer", context.args.peer}}), format_fingerprint);
}

ExitCode run_trust(api::Client& client, Context& context) {
  return print(context, client.call("verify", {{"peer", context.args.peer}}), format_trusted);
}

ExitCode run_relay_forget(api::Client& client, Context& context) {
  return print(context, client.call("relay_forget", nlohmann::json::object()), format_forgotten);
}

}  // namespace sotto::ctl
