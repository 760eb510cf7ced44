// relayd takes its TLS private key from a systemd credential
// ($CREDENTIALS_DIRECTORY/tls.key, as LoadCredentialEncrypted= provides it),
// so the key need not lie in clear in the state directory. Here the
// directory is made the way systemd hands it over; the test under systemd
// itself (systemd/relayd_sandbox_test.cc) decrypts a real encrypted one.

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "lib/net/tls_context.h"
#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

namespace fs = std::filesystem;
using TlsCredential = RelaydTest;

// A credential directory as systemd makes it: 0700, the file 0400.
fs::path make_credentials_dir(const fs::path& where, const fs::path& key) {
  fs::create_directories(where);
  fs::permissions(where, fs::perms::owner_all);
  fs::copy_file(key, where / "tls.key");
  fs::permissions(where / "tls.key", fs::perms::owner_read);
  return where;
}

// Sets an environment variable for run_relayd_command's child, and restores it.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(TlsCredential, ServesWithTheKeyFromTheCredentialAndGeneratesNoNewOne) {
  // A first start generates the pair; its fingerprint is what clients pinned.
  start_relayd();
  const std::string pinned = connect()->peer_fingerprint();
  ASSERT_EQ(relayd().terminate(), 0);
  const fs::path key = relayd().state_dir() / "tls" / "key.pem";
  const fs::path credentials = make_credentials_dir(dir_ / "credentials", key);
  // What docs/operations.md asks the operator to do: the clear key goes.
  fs::remove(key);

  relayd().set_environment("CREDENTIALS_DIRECTORY", credentials.string());
  relayd().start();
  EXPECT_TRUE(relayd().wait_for_log("event=tls_key_from_credential credential=tls.key", kWait)) << relayd().log();
  EXPECT_EQ(relayd().log().find("event=certificate_generated", relayd().log().find("tls_key_from_credential")),
            std::string::npos);
  auto client = connect();
  EXPECT_EQ(client->peer_fingerprint(), pinned);
  client->hello();
  EXPECT_EQ(client->register_user("alice", "correct horse battery", identity_).body_case(), wire::Frame::kToken);
  EXPECT_FALSE(fs::exists(key)) << "relayd wrote a key to the state directory again";
}

TEST_F(TlsCredential, AnEmptyCredentialsDirectoryLeavesTheUsualPair) {
  const fs::path empty = dir_ / "credentials";
  fs::create_directories(empty);
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "state");
  relayd().set_environment("CREDENTIALS_DIRECTORY", empty.string());
  relayd().start();
  EXPECT_TRUE(relayd().wait_for_log("event=certificate_generated", kWait));
  EXPECT_TRUE(fs::exists(relayd().state_dir() / "tls" / "key.pem"));
  EXPECT_EQ(relayd().log().find("tls_key_from_credential"), std::string::npos);
}

TEST_F(TlsCredential, AKeyThatIsNotTheCertificatesOrNoCertificateIsRefusedClearly) {
  start_relayd();
  ASSERT_EQ(relayd().terminate(), 0);
  // Another pair's key beside this relay's certificate.
  const fs::path other = dir_ / "other";
  fs::create_directories(other);
  ASSERT_TRUE(net::ensure_self_signed_certificate(other / "cert.pem", other / "key.pem", "other"));
  const fs::path credentials = make_credentials_dir(dir_ / "credentials", other / "key.pem");
  const std::vector<std::string> args{"--config",    relayd().config_path().string(),
                                      "--state-dir", relayd().state_dir().string(),
                                      "--listen",    "127.0.0.1:0"};
  {
    const ScopedEnvironment env("CREDENTIALS_DIRECTORY", credentials.string());
    const auto mismatched = run_relayd_command(args);
    EXPECT_EQ(mismatched.status, 1);
    EXPECT_NE(mismatched.output.find("cannot load private key " + (credentials / "tls.key").string()),
              std::string::npos)
        << mismatched.output;
    EXPECT_NE(mismatched.output.find("mismatch"), std::string::npos) << mismatched.output;
    // Without its certificate a credential key is refused too; nothing is generated in its place.
    fs::remove(relayd().state_dir() / "tls" / "cert.pem");
    fs::remove(relayd().state_dir() / "tls" / "key.pem");
    const auto no_certificate = run_relayd_command(args);
    EXPECT_EQ(no_certificate.status, 1);
    EXPECT_NE(no_certificate.output.find("the TLS key comes from the credential tls.key, but there is no certificate"),
              std::string::npos)
        << no_certificate.output;
  }
  EXPECT_FALSE(fs::exists(relayd().state_dir() / "tls" / "key.pem"));
  EXPECT_FALSE(fs::exists(relayd().state_dir() / "tls" / "cert.pem"));
}

}  // namespace
}  // namespace sotto::testing
