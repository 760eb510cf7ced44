// Double Ratchet and X3DH costs. The target for encrypt+decrypt of a 256-byte
// message on an existing chain is under 10 us (docs/crypto.md).
#include <benchmark/benchmark.h>

#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/identity.h"
#include "lib/crypto/prekey.h"
#include "lib/crypto/x3dh.h"

namespace sotto::crypto {
namespace {

constexpr std::size_t kMessageSize = 256;

struct Parties {
  IdentityKeyPair alice = IdentityKeyPair::generate();
  IdentityKeyPair bob = IdentityKeyPair::generate();
  SignedPrekeyPair spk = SignedPrekeyPair::generate(1, bob);
  OneTimePrekeyPair opk = OneTimePrekeyPair::generate(2);
  PrekeyBundle bundle{"bob", bob.public_key(), spk.public_prekey(), opk.public_prekey()};
};

struct Sessions {
  RatchetSession alice;
  RatchetSession bob;
};

Sessions talking_sessions() {
  const Parties p;
  const X3dhInitiation init = x3dh_initiate(p.alice, "alice", p.bundle);
  const X3dhResponse resp =
      x3dh_respond(p.bob, "bob", p.spk, &p.opk, p.alice.public_key(), "alice", init.ephemeral_public);
  Sessions s{RatchetSession::initiate(init.shared_secret, init.associated_data, p.spk.public_prekey().public_key),
             RatchetSession::respond(resp.shared_secret, resp.associated_data, p.spk.key_pair())};
  const Bytes hello(16, 1);
  s.bob.decrypt(s.alice.encrypt(hello));
  s.alice.decrypt(s.bob.encrypt(hello));
  return s;
}

void BM_RatchetEncryptDecryptOnExistingChain(benchmark::State& state) {
  Sessions s = talking_sessions();
  const Bytes plaintext(kMessageSize, 0x61);
  for (auto _ : state) {
    Bytes message = s.alice.encrypt(plaintext);
    Bytes out = s.bob.decrypt(message);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kMessageSize));
}
BENCHMARK(BM_RatchetEncryptDecryptOnExistingChain);

// Alternating directions: every decryption is a DH ratchet step (two X25519
// agreements and a key generation on the receiving side).
void BM_RatchetEncryptDecryptWithDhStepEachMessage(benchmark::State& state) {
  Sessions s = talking_sessions();
  const Bytes plaintext(kMessageSize, 0x62);
  bool alice_sends = true;
  for (auto _ : state) {
    RatchetSession& from = alice_sends ? s.alice : s.bob;
    RatchetSession& to = alice_sends ? s.bob : s.alice;
    Bytes out = to.decrypt(from.encrypt(plaintext));
    benchmark::DoNotOptimize(out.data());
    alice_sends = !alice_sends;
  }
}
BENCHMARK(BM_RatchetEncryptDecryptWithDhStepEachMessage);

void BM_X3dhInitiate(benchmark::State& state) {
  const Parties p;
  for (auto _ : state) {
    X3dhInitiation init = x3dh_initiate(p.alice, "alice", p.bundle);
    benchmark::DoNotOptimize(init.shared_secret.data());
  }
}
BENCHMARK(BM_X3dhInitiate);

void BM_X3dhRespond(benchmark::State& state) {
  const Parties p;
  const X3dhInitiation init = x3dh_initiate(p.alice, "alice", p.bundle);
  for (auto _ : state) {
    X3dhResponse resp = x3dh_respond(p.bob, "bob", p.spk, &p.opk, p.alice.public_key(), "alice", init.ephemeral_public);
    benchmark::DoNotOptimize(resp.shared_secret.data());
  }
}
BENCHMARK(BM_X3dhRespond);

}  // namespace
}  // namespace sotto::crypto
