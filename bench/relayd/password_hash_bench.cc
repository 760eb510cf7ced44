// One Argon2id hash and one verification at the default (OWASP minimum)
// parameters. Each is one core busy for the whole run, so 1000 / (ms per
// verify) bounds logins per second per core of the blocking pool.
#include <benchmark/benchmark.h>

#include <string>

#include "relayd/auth/password_hasher.h"

namespace sotto::relayd {
namespace {

void BM_HashPassword(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(hash_password("correct horse battery staple"));
}
BENCHMARK(BM_HashPassword)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_VerifyPassword(benchmark::State& state) {
  const std::string encoded = hash_password("correct horse battery staple");
  for (auto _ : state) {
    const bool ok = verify_password("correct horse battery staple", encoded);
    if (!ok) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_VerifyPassword)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_VerifyAgainstDummy(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(verify_against_dummy("correct horse battery staple"));
}
BENCHMARK(BM_VerifyAgainstDummy)->Unit(benchmark::kMillisecond)->UseRealTime();

// The refusal path for a hostile encoded string: parsing only.
void BM_RefuseAbsurdEncodedString(benchmark::State& state) {
  const std::string encoded =
      "$argon2id$v=19$m=4294967295,t=4294967295,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  for (auto _ : state) benchmark::DoNotOptimize(verify_password("pw", encoded));
}
BENCHMARK(BM_RefuseAbsurdEncodedString);

}  // namespace
}  // namespace sotto::relayd
