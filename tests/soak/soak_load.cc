#include "tests/soak/soak_load.h"

#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "lib/api/client.h"

namespace sotto::soak {
namespace {

using Clock = std::chrono::steady_clock;

// Long enough for a msgd busy with a restart's backlog; a call that takes
// longer is counted in doubt, never as accepted.
constexpr std::chrono::seconds kSoakCallTimeout{10};

// An outcome and, when accepted, the id msgd gave.
struct SoakCallResult {
  CallOutcome outcome = CallOutcome::kRefused;
  std::string id;
};

// One API call, sorted into the three outcomes. client is opened when
// needed and dropped when the connection broke.
SoakCallResult soak_classify_call(std::unique_ptr<api::Client>& client, const std::filesystem::path& socket,
                                  std::string_view method, const nlohmann::json& params) {
  if (!client) {
    try {
      client = api::connect_socket(socket, kSoakCallTimeout);
    } catch (const api::TransportError&) {
      return {CallOutcome::kRefused, {}};  // msgd is down: nothing was asked
    }
  }
  try {
    const nlohmann::json reply = client->call(method, params);
    return {CallOutcome::kAccepted, reply.at("id").get<std::string>()};
  } catch (const api::ApiError& e) {
    if (e.name() != api::ErrorName::kTimeout) return {CallOutcome::kRefused, {}};
    client.reset();  // a late answer would be skipped, but start clean
    return {CallOutcome::kInDoubt, {}};
  } catch (const api::TransportError&) {
    client.reset();
    return {CallOutcome::kInDoubt, {}};
  }
}

std::uint64_t soak_pick_file_size(std::uint64_t max_bytes, std::mt19937_64& random) {
  // A quarter of the files sit on an edge of the 64 KiB chunking (empty, one
  // byte, one chunk, one byte either side); the rest are any size.
  constexpr std::uint64_t kEdges[] = {0, 1, 65535, 65536, 65537};
  if (random() % 4 == 0) return std::min(max_bytes, kEdges[random() % std::size(kEdges)]);
  return random() % (max_bytes + 1);
}

void soak_write_random_bytes(const std::filesystem::path& path, std::uint64_t size, std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 bytes(seed);
  std::string block(1 << 20, '\0');
  for (std::uint64_t done = 0; done < size;) {
    for (std::size_t i = 0; i + 8 <= block.size(); i += 8) {
      const std::uint64_t v = bytes();
      std::memcpy(block.data() + i, &v, 8);
    }
    const std::uint64_t n = std::min<std::uint64_t>(block.size(), size - done);
    out.write(block.data(), static_cast<std::streamsize>(n));
    done += n;
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

TextLoad::TextLoad(std::vector<LoadUser> users, double messages_per_second, SendLedger& ledger)
    : users_(std::move(users)),
      interval_(std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / messages_per_second))),
      ledger_(ledger) {
  if (users_.size() < 2) throw std::invalid_argument("the load needs at least two users");
  if (!(messages_per_second > 0)) throw std::invalid_argument("the message rate must be above 0");
}

TextLoad::~TextLoad() { stop(); }

void TextLoad::start() {
  for (std::size_t i = 0; i < users_.size(); ++i) {
    threads_.emplace_back([this, i](const std::stop_token& stop) { send_loop(stop, i); });
  }
}

void TextLoad::stop() {
  for (auto& thread : threads_) thread.request_stop();
  threads_.clear();  // joins
}

void TextLoad::send_loop(const std::stop_token& stop, std::size_t index) {
  const LoadUser& self = users_[index];
  std::vector<std::string> peers;
  for (const auto& user : users_) {
    if (user.name != self.name) peers.push_back(user.name);
  }
  std::unique_ptr<api::Client> client;
  std::uint64_t seq = 0;
  auto next = Clock::now();
  while (!stop.stop_requested()) {
    const std::string& peer = peers[seq % peers.size()];
    TextSend send{self.name, peer, seq, CallOutcome::kRefused, {}};
    const SoakCallResult result =
        soak_classify_call(client, self.socket, "send", {{"peer", peer}, {"text", soak_text(seq, self.name, peer)}});
    send.outcome = result.outcome;
    send.id = result.id;
    ledger_.add(std::move(send));
    ++seq;

    // A steady rate, not a catch-up burst after msgd was down for a while.
    next += interval_;
    if (Clock::now() > next + std::chrono::seconds(1)) next = Clock::now();
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, stop, next, [] { return false; });
  }
}

FileSend send_random_file(const LoadUser& from, const std::string& to, std::uint64_t number,
                          const std::filesystem::path& dir, std::uint64_t max_bytes, std::mt19937_64& random) {
  FileSend send;
  send.sender = from.name;
  send.recipient = to;
  send.number = number;
  send.size = soak_pick_file_size(max_bytes, random);
  send.source = dir / ("soak-" + std::to_string(number) + ".bin");
  soak_write_random_bytes(send.source, send.size, random());
  std::unique_ptr<api::Client> client;
  const SoakCallResult result =
      soak_classify_call(client, from.socket, "send_file",
                         {{"peer", to}, {"path", send.source.string()}, {"caption", soak_file_caption(number)}});
  send.outcome = result.outcome;
  send.id = result.id;
  return send;
}

}  // namespace sotto::soak
