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
constexpr auto kWait = std::chrono::seconds(5);

std::string length_prefix(std::uint32_t n) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(n >> 24);
  out[1] = static_cast<char>(n >> 16);
  out[2] = static_cast<char>(n >> 8);
  out[3] = static_cast<char>(n);
  return out;
}

// Sends bytes, expects an Error frame with the given code, then a close.
void expect_error_and_close(RelayTestClient& c, const std::string& bytes, wire::ErrorCode code) {
  c.send_raw(bytes);
  auto f = c.read_frame(kWait);
  ASSERT_TRUE(f.has_value()) << "no Error frame";
  ASSERT_EQ(f->body_case(), wire::Frame::kError);
  EXPECT_EQ(f->error().code(), code) << f->error().reason();
  EXPECT_FALSE(f->error().reason().empty());
  EXPECT_TRUE(c.wait_closed(kWait));
}

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
  expect_error_and_close(*c, length_prefix((1u << 20) + 1), wire::FRAME_TOO_LARGE);
  auto d = connect();
  expect_error_and_close(*d, length_prefix(0xffffffffu), wire::FRAME_TOO_LARGE);
  expect_still_serving(*bystander);
}

TEST_F(HostileInputTest, GarbageIsABadFrame) {
  start_relayd();
  auto bystander = connect_as("bystander");
  auto c = connect();
  expect_error_and_close(*c, length_prefix(8) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8), wire::BAD_FRAME);
  expect_still_serving(*bystander);
}

TEST_F(HostileInputTest, FrameWithoutABodyIsABadFrame) {
  start_relayd();
  auto c = connect();
  expect_error_and_close(*c, length_prefix(0), wire::BAD_FRAME);
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
  expect_error_and_close(*c, wire::encode_frame(f), wire::PROTOCOL_VIOLATION);
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
  expect_error_and_close(*c, wire::encode_frame(f), wire::PROTOCOL_VIOLATION);
}

TEST_F(HostileInputTest, ServerOnlyBodiesFromAClientAreRefused) {
  start_relayd();
  auto c = connect();
  c->hello();
  wire::Frame f;
  f.set_request_id(2);
  f.mutable_deliver()->set_sender("alice");
  c->send_raw(wire::encode_frame(f));
  auto reply = c->read_frame(kWait);
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->body_case(), wire::Frame::kError);
  EXPECT_TRUE(c->wait_closed(kWait));
}

TEST_F(HostileInputTest, WrongProtocolVersionIsRefused) {
  start_relayd();
  auto c = connect();
  wire::Frame f;
  f.set_request_id(1);
  f.mutable_hello()->set_protocol_version(99);
  expect_error_and_close(*c, wire::encode_frame(f), wire::UNSUPPORTED_VERSION);
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
