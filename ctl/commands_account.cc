// register, login, logout, status.

#include <CLI/CLI.hpp>

#include "ctl/commands.h"
#include "ctl/formatting.h"
#include "ctl/output.h"
#include "ctl/parser.h"
#include "ctl/password.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

void add_password_stdin(CLI::App& app, CommandArgs& args) {
  app.add_flag("--password-stdin", args.password_stdin,
               "Read the password from the first line of stdin instead of asking on the terminal");
}

// The password leaves msgctl's memory as soon as msgd has it.
nlohmann::json call_with_password(api::Client& client, std::string_view method, nlohmann::json params,
                                  std::string password) {
  WipeOnExit wipe_password(password);
  params["password"] = password;
  struct WipeParam {
    nlohmann::json& params;
    ~WipeParam() { wipe(params["password"].get_ref<std::string&>()); }
  } wipe_param{params};
  return client.call(method, params);
}

ExitCode print_account(Context& context, const nlohmann::json& account, std::string_view done) {
  if (context.out.json()) {
    context.out.print_json(account);
  } else {
    context.out.print(std::string(done) + " " + printable(string_member(account, "username")) +
                      "\nidentity fingerprint: " + printable(string_member(account, "identity_fingerprint")));
  }
  return ExitCode::kOk;
}

}  // namespace

void add_no_options(CLI::App&, CommandArgs&) {}

void add_register_options(CLI::App& app, CommandArgs& args) {
  options::add_name(app, "USER", args.user, "The username to register");
  app.add_option("--invite", args.invite, "The invite code, when the relay registers by invitation")
      ->type_name("CODE")
      ->check(CLI::Validator([](std::string& value) { return name_problem(value); }, "", "invite"));
  add_password_stdin(app, args);
}

ExitCode run_register(api::Client& client, Context& context) {
  std::string password = obtain_password(context, /*confirm=*/true);
  nlohmann::json params = {{"username", context.args.user}};
  if (!context.args.invite.empty()) params["invite"] = context.args.invite;
  const nlohmann::json account = call_with_password(client, "register", std::move(params), std::move(password));
  return print_account(context, account, "registered");
}

void add_login_options(CLI::App& app, CommandArgs& args) {
  options::add_name(app, "USER", args.user, "The username to log in as");
  add_password_stdin(app, args);
}

ExitCode run_login(api::Client& client, Context& context) {
  std::string password = obtain_password(context, /*confirm=*/false);
  const nlohmann::json account =
      call_with_password(client, "login", {{"username", context.args.user}}, std::move(password));
  return print_account(context, account, "logged in as");
}

ExitCode run_logout(api::Client& client, Context& context) {
  const nlohmann::json result = client.call("logout", nlohmann::json::object());
  if (context.out.json()) {
    context.out.print_json(result);
  } else {
    context.out.print("logged out");
  }
  return ExitCode::kOk;
}

ExitCode run_status(api::Client& client, Context& context) {
  const nlohmann::json status = client.call("status", nlohmann::json::object());
  if (context.out.json()) {
    context.out.print_json(status);
  } else {
    context.out.print(format_status(status));
  }
  return ExitCode::kOk;
}

}  // namespace sotto::ctl
