#include "ctl/app.h"

#include <ostream>
#include <variant>

#include "ctl/failure.h"
#include "ctl/output.h"
#include "ctl/parser.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

// with_hint: the command line itself was wrong, so point at --help; a usage
// error found while running (stdin, the terminal) explains itself.
int usage_failure(Environment& env, bool json, const std::string& message, bool with_hint) {
  Output output(env.out, env.err, json);
  report_failure(output, failure_usage(message));
  if (with_hint) env.err << "Run 'msgctl --help' (or 'msgctl COMMAND --help') for usage.\n";
  return to_int(ExitCode::kUsage);
}

}  // namespace

int run_msgctl(const std::vector<std::string>& argv, Environment& env) {
  ParseResult parsed = parse_command_line(argv);
  if (const auto* info = std::get_if<InfoRequest>(&parsed)) {
    env.out << info->text << std::flush;
    return to_int(ExitCode::kOk);
  }
  if (const auto* failure = std::get_if<ParseFailure>(&parsed))
    return usage_failure(env, failure->json, failure->message, true);
  const Invocation& invocation = std::get<Invocation>(parsed);

  Output output(env.out, env.err, invocation.global.json);
  std::unique_ptr<Transport> transport;
  try {
    transport = open_transport(invocation.global, env.connectors);
  } catch (const api::TransportError& e) {
    report_failure(output, Failure{ExitCode::kUnreachable, "Unreachable",
                                   "cannot find msgd's socket (" + printable(e.what()) + "); use --socket PATH"});
    return to_int(ExitCode::kUnreachable);
  }
  Transport* transport_ptr = transport.get();
  Context context{invocation.global, invocation.args, output, env.in, env.stdin_is_terminal, env.prompt_password};
  context.reconnect = [transport_ptr] { transport_ptr->reset(); };
  context.stdout_is_terminal = env.stdout_is_terminal;
  if (env.terminal_columns) context.terminal_columns = env.terminal_columns;
  try {
    return to_int(invocation.command->run(*transport, context));
  } catch (const api::ApiError& e) {
    const Failure failure = failure_from_api_error(e, invocation.global.timeout_seconds);
    report_failure(output, failure);
    return to_int(failure.code);
  } catch (const api::TransportError&) {
    report_failure(output, failure_unreachable(transport->target()));
    return to_int(ExitCode::kUnreachable);
  } catch (const UsageError& e) {
    return usage_failure(env, invocation.global.json, e.what(), false);
  } catch (const LocalError& e) {
    report_failure(output, failure_local(e.what()));
    return to_int(ExitCode::kFailure);
  } catch (const std::exception& e) {
    report_failure(output, failure_local(printable(e.what())));
    return to_int(ExitCode::kFailure);
  }
}

}  // namespace sotto::ctl
