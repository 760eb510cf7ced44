#include "bench/relay_load/relay_handshake.h"

#include <openssl/crypto.h>

#include "lib/crypto/ed25519.h"
#include "lib/crypto/x25519.h"
#include "lib/wire/error_frame.h"
#include "lib/wire/limits.h"

namespace sotto::relay_load {

namespace asio = net::asio;

namespace {

// The client name relayd logs for these connections.
constexpr const char* kClientName = "relay_load/0.1.0";
constexpr const char* kDeviceName = "relay_load";
// The shortest wait after RATE_LIMITED, should a relay answer 0 ms.
constexpr std::chrono::milliseconds kMinRetryWait{50};

[[noreturn]] void refuse(const wire::Frame& answer, const char* request) {
  if (answer.body_case() == wire::Frame::kError) {
    throw RefusedError(answer.error().code(),
                       std::string(request) + " refused: " + std::string(wire::error_code_name(answer.error().code())) +
                           " (" + answer.error().reason() + ")");
  }
  throw RefusedError(wire::ERROR_UNSPECIFIED, std::string(request) + ": unexpected answer");
}

// A fresh device identity: the relay checks that the Ed25519 key signs the
// X25519 key (relay.proto IdentityKey); nothing else uses it in a load run.
wire::IdentityKey fresh_identity() {
  const auto signing = crypto::Ed25519KeyPair::generate();
  const auto dh = crypto::X25519KeyPair::generate();
  const auto signature = signing.sign(dh.public_key());
  wire::IdentityKey key;
  key.set_signing_key(signing.public_key().data(), signing.public_key().size());
  key.set_dh_key(dh.public_key().data(), dh.public_key().size());
  key.set_signature(signature.data(), signature.size());
  return key;
}

// Wipes the password copies a request frame holds once it has been queued.
void wipe(std::string* field) { OPENSSL_cleanse(field->data(), field->size()); }

}  // namespace

net::Awaitable<wire::HelloOk> say_hello(RelayConnection& connection) {
  wire::Frame hello;
  hello.mutable_hello()->set_protocol_version(wire::kProtocolVersion);
  hello.mutable_hello()->set_client(kClientName);
  const wire::Frame answer = co_await connection.request(hello);
  if (answer.body_case() != wire::Frame::kHelloOk) refuse(answer, "Hello");
  if (answer.hello_ok().max_frame_size() != 0) connection.set_max_frame_size(answer.hello_ok().max_frame_size());
  co_return answer.hello_ok();
}

net::Awaitable<crypto::SecretBytes> log_in(RelayConnection& connection, const std::string& username,
                                           const std::string& password, bool register_first,
                                           std::chrono::steady_clock::time_point deadline, AuthNotes& notes) {
  bool registering = register_first;
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer wait(executor);
  for (;;) {
    wire::Frame request;
    if (registering) {
      auto* r = request.mutable_register_();
      r->set_username(username);
      r->set_password(password);
      *r->mutable_identity() = fresh_identity();
      r->set_device_name(kDeviceName);
    } else {
      auto* l = request.mutable_login();
      l->set_username(username);
      l->set_password(password);
      l->set_device_name(kDeviceName);
    }
    wire::Frame answer = co_await connection.request(request);
    wipe(registering ? request.mutable_register_()->mutable_password() : request.mutable_login()->mutable_password());
    if (answer.body_case() == wire::Frame::kToken) {
      crypto::SecretBytes token(crypto::as_bytes(answer.token().token()));
      wipe(answer.mutable_token()->mutable_token());
      co_return token;
    }
    if (answer.body_case() == wire::Frame::kError && answer.request_id() != 0) {
      const auto& error = answer.error();
      if (registering && error.code() == wire::USERNAME_TAKEN) {
        notes.already_registered = true;
        registering = false;
        continue;
      }
      if (error.code() == wire::RATE_LIMITED) {
        const auto after =
            std::max<std::chrono::milliseconds>(kMinRetryWait, std::chrono::milliseconds(error.retry_after_ms()));
        if (std::chrono::steady_clock::now() + after >= deadline) refuse(answer, registering ? "Register" : "Login");
        ++notes.rate_limited_retries;
        wait.expires_after(after);
        co_await wait.async_wait(asio::use_awaitable);
        continue;
      }
    }
    refuse(answer, registering ? "Register" : "Login");
  }
}

net::Awaitable<void> resume(RelayConnection& connection, const crypto::SecretBytes& token) {
  wire::Frame request;
  request.mutable_resume()->set_token(token.data(), token.size());
  const wire::Frame answer = co_await connection.request(request);
  wipe(request.mutable_resume()->mutable_token());
  if (answer.body_case() != wire::Frame::kOk) refuse(answer, "Resume");
}

}  // namespace sotto::relay_load
