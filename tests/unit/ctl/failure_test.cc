#include "ctl/failure.h"

#include <gtest/gtest.h>

#include "ctl/command.h"
#include "ctl/transport.h"

namespace sotto::ctl {
namespace {

TEST(CtlExitCodes, NumbersAreTheDocumentedOnes) {
  EXPECT_EQ(to_int(ExitCode::kOk), 0);
  EXPECT_EQ(to_int(ExitCode::kFailure), 1);
  EXPECT_EQ(to_int(ExitCode::kUsage), 2);
  EXPECT_EQ(to_int(ExitCode::kUnreachable), 3);
  EXPECT_EQ(to_int(ExitCode::kNotDelivered), 4);
  EXPECT_EQ(to_int(ExitCode::kInterrupted), 130);
}

TEST(CtlExitCodes, DaemonErrorsAreFailuresNamingTheError) {
  for (const api::ErrorInfo& info : api::error_table()) {
    if (info.name == api::ErrorName::kTimeout) continue;
    const Failure f = failure_from_api_error(api::ApiError(info.name, "it went wrong"), 10);
    EXPECT_EQ(f.code, ExitCode::kFailure) << info.id;
    EXPECT_EQ(f.name, info.id);
    EXPECT_EQ(f.message, "it went wrong (" + std::string(info.id) + ")");
  }
}

TEST(CtlExitCodes, TimeoutIsUnreachable) {
  Failure f = failure_from_api_error(api::ApiError(api::ErrorName::kTimeout, "msgd did not answer status"), 10);
  EXPECT_EQ(f.code, ExitCode::kUnreachable);
  EXPECT_EQ(f.message, "msgd did not answer within 10 s");
  f = failure_from_api_error(api::ApiError(api::ErrorName::kTimeout, ""), 1.5);
  EXPECT_EQ(f.message, "msgd did not answer within 1.5 s");
}

TEST(CtlExitCodes, TransportErrorSaysHowToStartMsgd) {
  const Failure f = failure_unreachable("/run/user/1000/sotto/msgd.sock");
  EXPECT_EQ(f.code, ExitCode::kUnreachable);
  EXPECT_EQ(f.message,
            "msgd is not running (no answer on /run/user/1000/sotto/msgd.sock). Start it with `msgd` or "
            "`systemctl --user start msgd`.");
}

TEST(CtlExitCodes, DaemonMessagesCannotInjectEscapes) {
  const Failure f = failure_from_api_error(api::ApiError(api::ErrorName::kInternal, "bad\x1b[2J"), 10);
  EXPECT_EQ(f.message.find('\x1b'), std::string::npos);
}

TEST(CtlTransport, Choice) {
  GlobalOptions options;
  EXPECT_EQ(choose_transport(options, false), TransportKind::kSocket);
  EXPECT_EQ(choose_transport(options, true), TransportKind::kAuto);
  options.bus = true;
  EXPECT_EQ(choose_transport(options, false), TransportKind::kBus);
  options.bus = false;
  options.socket = "/tmp/x.sock";
  EXPECT_EQ(choose_transport(options, true), TransportKind::kSocket);
}

}  // namespace
}  // namespace sotto::ctl
