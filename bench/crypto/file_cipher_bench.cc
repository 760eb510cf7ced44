// File encryption throughput at the format's 64 KiB chunks. Target: at least
// 1 GB/s per core in a Release build (docs/crypto-content.md has the figures).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <functional>

#include "lib/crypto/file_cipher.h"
#include "lib/crypto/random.h"
#include "lib/crypto/sha256.h"

namespace sotto::crypto {
namespace {

constexpr std::size_t kFileSize = 8 * 1024 * 1024;

// Feeds the input in writes of state.range(0) bytes, as a reader would.
void feed(ByteView input, std::size_t write_size, const std::function<void(ByteView)>& update) {
  for (std::size_t at = 0; at < input.size(); at += write_size) {
    update(input.subspan(at, std::min(write_size, input.size() - at)));
  }
}

void BM_FileEncrypt(benchmark::State& state) {
  const Bytes plaintext = random_bytes(kFileSize);
  const SecretBytes key = generate_file_key();
  const auto write_size = static_cast<std::size_t>(state.range(0));
  std::size_t produced = 0;
  const ChunkSink sink = [&produced](ByteView chunk) {
    benchmark::DoNotOptimize(chunk.data());
    produced += chunk.size();
  };
  for (auto _ : state) {
    FileEncryptor encryptor(key);
    feed(plaintext, write_size, [&](ByteView piece) { encryptor.update(piece, sink); });
    encryptor.finish(sink);
  }
  benchmark::DoNotOptimize(produced);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kFileSize));
}
BENCHMARK(BM_FileEncrypt)->Arg(4096)->Arg(64 * 1024)->Arg(1024 * 1024)->Unit(benchmark::kMillisecond);

void BM_FileDecrypt(benchmark::State& state) {
  const SecretBytes key = generate_file_key();
  const Bytes ciphertext = encrypt_file(random_bytes(kFileSize), key);
  const auto write_size = static_cast<std::size_t>(state.range(0));
  std::size_t produced = 0;
  const ChunkSink sink = [&produced](ByteView plaintext) {
    benchmark::DoNotOptimize(plaintext.data());
    produced += plaintext.size();
  };
  for (auto _ : state) {
    FileDecryptor decryptor(key);
    feed(ciphertext, write_size, [&](ByteView piece) { decryptor.update(piece, sink); });
    decryptor.finish(sink);
  }
  benchmark::DoNotOptimize(produced);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kFileSize));
}
BENCHMARK(BM_FileDecrypt)->Arg(4096)->Arg(64 * 1024)->Arg(1024 * 1024)->Unit(benchmark::kMillisecond);

// Encryption plus SHA-256 of the ciphertext (what encrypt_stream does for the
// relay's blob check), to show what hashing on the way costs.
void BM_FileEncryptAndHashCiphertext(benchmark::State& state) {
  const Bytes plaintext = random_bytes(kFileSize);
  const SecretBytes key = generate_file_key();
  Sha256 hash;
  const ChunkSink sink = [&hash](ByteView chunk) { hash.update(chunk); };
  for (auto _ : state) {
    FileEncryptor encryptor(key);
    encryptor.update(plaintext, sink);
    encryptor.finish(sink);
    benchmark::DoNotOptimize(hash.finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kFileSize));
}
BENCHMARK(BM_FileEncryptAndHashCiphertext)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sotto::crypto
