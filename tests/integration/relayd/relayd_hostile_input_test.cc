// Malformed frames, protocol abuse and connection caps: each gets a clear
// Error and a closed connection, and the relay keeps serving everyone else.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using HostileInputTest = RelaydTest;

std::string length_prefix(std::uint32_t n) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(n >> 24);
  out[1] = static_cast<char>(n >> 16);
  out[2] = static_cast<char>(n >> 8);
  out[3] = static_cast<char>(n);
  return out;
}

// Sends bytes, expects an Error frame with the given code and request_id
// (docs/protocol.md section 6: the offending request's, or 0 when the bytes
// hold no request the server could read), then a close.
void expect_error_and_close(RelayTestClient& c, const std::string& bytes, wire::ErrorCode code,
                            std::uint64_t request_id) {
  c.send_raw(bytes);
  auto f = c.read_frame(kWait);
  // An authenticated connection may get a PrekeyStatus push first.
  while (f && f->request_id() == 0 &&
         (f->body_case() == wire::Frame::kPrekeyStatus || f->body_case() == wire::Frame::kDeliver)) {
    f = c.read_frame(kWait);
  }
  ASSERT_TRUE(f.has_value()) << "no Error frame";
  ASSERT_EQ(f->body_case(), wire::Frame::kError);
  EXPECT_EQ(f->error().code(), code) << f->error().reason();
  EXPECT_EQ(f->request_id(), request_id) << f->error().reason();
  EXPECT_FALSE(f->error().reason().empty());
  EXPECT_TRUE(c.wait_closed(kWait));
}

// A field number no version of relay.proto has used, so any Frame or body
// message that carries it holds a field this version does not know.
constexpr std::uint32_t kUnknownField = 99;

// The bytes of an empty length-delimited field kUnknownField: tag
// (99 << 3) | 2 = 794 as a varint (9a 06), then length 0.
std::string unknown_empty_field() { return std::string("\x9a\x06\x00", 3); }
static_assert(((kUnknownField << 3) | 2) == 0x9a - 0x80 + (0x06 << 7));

// A bystander that must keep working through every attack.
void expect_still_serving(RelayTestClient& bystander) {
  wire::Frame ping;
  ping.mutable_ping();
  EXPECT_EQ(bystander.request(ping).body_case(), wire::Frame::kPong);
}

TEST_F(HostileInputTest, OversizedFrameIsRefusedBeforeItsBodyArrives) {
  start_relayd();
  auto bystander = connect_as("bystander");
  auto c = connect();
  expect_error_and_close(*c, length_prefix((1u << 20) + 1), wire::FRAME_TOO_LARGE, 0);
  auto d = connect();
  expect_error_and_close(*d, length_prefix(0xffffffffu), wire::FRAME_TOO_LARGE, 0);
  expect_still_serving(*bystander);
}

TEST_F(HostileInputTest, GarbageIsABadFrame) {
  start_relayd();
  auto bystander = connect_as("bystander");
  auto c = connect();
  expect_error_and_close(*c, length_prefix(8) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8), wire::BAD_FRAME, 0);
  expect_still_serving(*bystander);
}

TEST_F(HostileInputTest, FrameWithoutABodyIsABadFrame) {
  start_relayd();
  auto c = connect();
  expect_error_and_close(*c, length_prefix(0), wire::BAD_FRAME, 0);
}

// A frame that parses as protobuf, with a request_id, but whose body is a
// field this version does not know: the decoder cannot tell it from a frame
// with no body, so it is a BAD_FRAME of the byte stream, answered with
// request_id 0 (not the 7 it carries), and the connection closes.
TEST_F(HostileInputTest, UnknownBodyFieldIsABadFrameAnsweredWithRequestIdZero) {
  start_relayd();
  auto bystander = connect_as("bystander");
  auto c = connect();
  c->hello();
  const std::string frame = std::string("\x08\x07", 2) + unknown_empty_field();  // request_id 7, field 99
  expect_error_and_close(*c, length_prefix(static_cast<std::uint32_t>(frame.size())) + frame, wire::BAD_FRAME, 0);
  // The same once authenticated.
  auto d = connect_as("dora");
  expect_error_and_close(*d, length_prefix(static_cast<std::uint32_t>(frame.size())) + frame, wire::BAD_FRAME, 0);
  expect_still_serving(*bystander);
}

// Frames that arrive before a broken one are still answered, in order; then
// comes the Error for the broken one.
TEST_F(HostileInputTest, FramesBeforeABadFrameAreAnsweredFirst) {
  start_relayd();
  auto c = connect();
  c->hello();
  wire::Frame ping;
  ping.set_request_id(8);
  ping.mutable_ping();
  const std::string bad = std::string("\x08\x09", 2) + unknown_empty_field();  // request_id 9, field 99
  c->send_raw(wire::encode_frame(ping) + length_prefix(static_cast<std::uint32_t>(bad.size())) + bad);
  auto pong = c->read_frame(kWait);
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->body_case(), wire::Frame::kPong);
  EXPECT_EQ(pong->request_id(), 8U);
  auto error = c->read_frame(kWait);
  ASSERT_TRUE(error.has_value());
  ASSERT_EQ(error->body_case(), wire::Frame::kError);
  EXPECT_EQ(error->error().code(), wire::BAD_FRAME);
  EXPECT_EQ(error->request_id(), 0U);
  EXPECT_TRUE(c->wait_closed(kWait));
}

// An unknown field inside a known body is not an unknown body: it is ignored.
TEST_F(HostileInputTest, UnknownFieldInsideAKnownBodyIsIgnored) {
  start_relayd();
  auto c = connect();
  c->hello();
  // Frame{request_id: 3, ping: {field 99: ""}}: ping is field 70, tag b2 04.
  const std::string ping = std::string("\x08\x03\xb2\x04\x03", 5) + unknown_empty_field();
  c->send_raw(length_prefix(static_cast<std::uint32_t>(ping.size())) + ping);
  auto pong = c->read_frame(kWait);
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(pong->body_case(), wire::Frame::kPong);
  EXPECT_EQ(pong->request_id(), 3U);
  EXPECT_FALSE(c->wait_closed(std::chrono::milliseconds(300)));
}

// request_id 0 is reserved for pushes; a request carrying it is refused in
// every state, and the Error (which echoes it) carries 0 too.
TEST_F(HostileInputTest, RequestIdZeroIsAProtocolViolation) {
  start_relayd();
  wire::Frame f;
  f.set_request_id(0);
  f.mutable_ping();
  auto greeted = connect();
  greeted->hello();
  expect_error_and_close(*greeted, wire::encode_frame(f), wire::PROTOCOL_VIOLATION, 0);
  auto alice = connect_as("alice");
  expect_error_and_close(*alice, wire::encode_frame(f), wire::PROTOCOL_VIOLATION, 0);
}

// Failed Logins and Resumes count together, per connection: the fifth is
// answered and the connection closes (the rate limiters bound the rest).
TEST_F(HostileInputTest, FifthFailedAuthenticationOnAConnectionClosesIt) {
  start_relayd();
  auto c = connect();
  c->hello();
  const std::string bad_token(32, 'x');
  auto expect_refused_and_open = [](RelayTestClient& client, const wire::Frame& reply, wire::ErrorCode code) {
    ASSERT_EQ(reply.body_case(), wire::Frame::kError);
    EXPECT_EQ(reply.error().code(), code) << reply.error().reason();
    expect_still_serving(client);
  };
  expect_refused_and_open(*c, c->login("nobody", "wrong password"), wire::BAD_CREDENTIALS);
  expect_refused_and_open(*c, c->resume(bad_token), wire::UNAUTHENTICATED);
  expect_refused_and_open(*c, c->login("nobody", "wrong password"), wire::BAD_CREDENTIALS);
  expect_refused_and_open(*c, c->resume(bad_token), wire::UNAUTHENTICATED);
  wire::Frame resume;
  resume.set_request_id(40);
  resume.mutable_resume()->set_token(bad_token);
  expect_error_and_close(*c, wire::encode_frame(resume), wire::UNAUTHENTICATED, 40);
  // A new connection starts counting afresh.
  auto d = connect();
  d->hello();
  expect_refused_and_open(*d, d->resume(bad_token), wire::UNAUTHENTICATED);
}

TEST_F(HostileInputTest, TruncatedFrameWaitsThenTheDeadlineClosesIt) {
  start_relayd("limits:\n  auth_timeout: 1s\n");
  auto bystander = connect_as("bystander");
  auto c = connect();
  c->send_raw(length_prefix(100) + "only a part");
  auto f = c->read_frame(std::chrono::seconds(4));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->error().code(), wire::TIMEOUT);
  EXPECT_TRUE(c->wait_closed(kWait));
  expect_still_serving(*bystander);
}

TEST_F(HostileInputTest, RequestBeforeHelloIsAProtocolViolation) {
  start_relayd();
  auto c = connect();
  wire::Frame f;
  f.set_request_id(1);
  f.mutable_ping();
  expect_error_and_close(*c, wire::encode_frame(f), wire::PROTOCOL_VIOLATION, 1);
}

TEST_F(HostileInputTest, RequestBeforeAuthenticationIsAProtocolViolation) {
  start_relayd();
  auto c = connect();
  c->hello();
  wire::Frame f;
  f.set_request_id(5);
  f.mutable_send()->set_message_id(test_message_id(1));
  f.mutable_send()->add_recipients("bob");
  f.mutable_send()->set_envelope("x");
  expect_error_and_close(*c, wire::encode_frame(f), wire::PROTOCOL_VIOLATION, 5);
}

TEST_F(HostileInputTest, ServerOnlyBodiesFromAClientAreRefused) {
  start_relayd();
  auto c = connect();
  c->hello();
  wire::Frame f;
  f.set_request_id(2);
  f.mutable_deliver()->set_sender("alice");
  expect_error_and_close(*c, wire::encode_frame(f), wire::PROTOCOL_VIOLATION, 2);
}

TEST_F(HostileInputTest, WrongProtocolVersionIsRefused) {
  start_relayd();
  auto c = connect();
  wire::Frame f;
  f.set_request_id(1);
  f.mutable_hello()->set_protocol_version(99);
  expect_error_and_close(*c, wire::encode_frame(f), wire::UNSUPPORTED_VERSION, 1);
}

TEST_F(HostileInputTest, IdleUnauthenticatedConnectionIsClosedAtTheDeadline) {
  start_relayd("limits:\n  auth_timeout: 1s\n");
  auto c = connect();
  c->hello();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->wait_closed(std::chrono::seconds(5)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(HostileInputTest, ConnectionThatNeverStartsTlsIsClosedAtTheDeadline) {
  start_relayd("limits:\n  auth_timeout: 1s\n");
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(relayd().port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[16];
  EXPECT_EQ(::recv(fd, buf, sizeof buf, 0), 0) << "expected the relay to close the silent connection";
  ::close(fd);
}

TEST_F(HostileInputTest, PerAddressCapRefusesExtraUnauthenticatedConnections) {
  start_relayd("limits:\n  max_unauthenticated_per_address: 3\n");
  std::vector<std::unique_ptr<RelayTestClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(connect());
  RelayTestClient extra(relayd().port());
  EXPECT_FALSE(extra.handshake_ok() && !extra.wait_closed(std::chrono::seconds(2)));
  held.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto later = connect();
  later->hello();  // slots were released
}

TEST_F(HostileInputTest, Tls12ClientIsRefused) {
  start_relayd();
  RelayTestClient old(relayd().port(), {.max_tls_version = TLS1_2_VERSION, .timeout = std::chrono::seconds(5)});
  EXPECT_FALSE(old.handshake_ok());
  EXPECT_FALSE(old.handshake_error().empty());
}

TEST_F(HostileInputTest, InvalidFieldsGetAnErrorAndTheConnectionStaysUsable) {
  start_relayd();
  connect_as("bob");
  auto alice = connect_as("alice");
  const auto reply = alice->send_envelope("short-id", {"bob"}, "x");
  ASSERT_EQ(reply.body_case(), wire::Frame::kError);
  EXPECT_EQ(reply.error().code(), wire::INVALID_ARGUMENT);
  EXPECT_NE(reply.error().reason().find("message_id"), std::string::npos) << reply.error().reason();
  EXPECT_EQ(alice->send_envelope(test_message_id(1), {"bob"}, "x").body_case(), wire::Frame::kSendAck);
}

}  // namespace
}  // namespace sotto::testing
