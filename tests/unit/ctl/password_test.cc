#include "ctl/password.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "ctl/command.h"

namespace sotto::ctl {
namespace {

TEST(CtlPassword, OneLineFromStdin) {
  std::istringstream in("hunter2\nsecond line\n");
  EXPECT_EQ(read_password_line(in), "hunter2");
  std::istringstream crlf("pw\r\n");
  EXPECT_EQ(read_password_line(crlf), "pw");
  std::istringstream no_newline("pw");
  EXPECT_EQ(read_password_line(no_newline), "pw");
  std::istringstream spaces(" a b \n");
  EXPECT_EQ(read_password_line(spaces), " a b ");
}

TEST(CtlPassword, MissingEmptyOrHugeIsAUsageError) {
  std::istringstream empty("");
  EXPECT_THROW(read_password_line(empty), UsageError);
  std::istringstream blank("\n");
  EXPECT_THROW(read_password_line(blank), UsageError);
  std::istringstream huge(std::string(1 << 20, 'p'));
  EXPECT_THROW(read_password_line(huge), UsageError);
  std::istringstream binary("\xff\xfe\n");
  EXPECT_THROW(read_password_line(binary), UsageError);
}

TEST(CtlPassword, WipeClearsTheBytes) {
  std::string secret = "hunter2";
  const char* data = secret.data();
  wipe(secret);
  EXPECT_TRUE(secret.empty());
  EXPECT_EQ(std::string(data, 7), std::string(7, '\0'));  // small-string buffer, still ours
}

TEST(CtlPassword, NoControllingTerminalMeansNoPrompt) {
  // The test runner may have a terminal; a child without one must get nullopt.
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    _exit(prompt_on_terminal("Password: ").has_value() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace sotto::ctl
