// A stand-in for libFuzzer's main() when the build is not clang -fsanitize=fuzzer:
// it feeds every file of the given corpus folders to LLVMFuzzerTestOneInput,
// then a bounded number of seeded mutations of them (bit flips, truncation,
// byte insertion, splicing). Deterministic for a given --seed, so a failure
// in CI reproduces locally with the seed it prints.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Input = std::vector<std::uint8_t>;

void run(const Input& in) { LLVMFuzzerTestOneInput(in.data(), in.size()); }

Input mutate(const std::vector<Input>& corpus, std::mt19937_64& rng) {
  Input in = corpus.empty() ? Input{} : corpus[rng() % corpus.size()];
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:  // flip a bit
        if (!in.empty()) in[rng() % in.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        break;
      case 1:  // set a byte to an interesting value
        if (!in.empty()) {
          static constexpr std::uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '\n', '"', '{', ':'};
          in[rng() % in.size()] = kInteresting[rng() % sizeof kInteresting];
        }
        break;
      case 2:  // truncate
        if (!in.empty()) in.resize(rng() % in.size());
        break;
      case 3:  // insert random bytes
      {
        const std::size_t pos = in.empty() ? 0 : rng() % (in.size() + 1);
        const std::size_t n = 1 + rng() % 16;
        for (std::size_t i = 0; i < n; ++i)
          in.insert(in.begin() + static_cast<long>(pos), static_cast<std::uint8_t>(rng()));
        break;
      }
      case 4:  // splice with another corpus entry
        if (!corpus.empty()) {
          const Input& other = corpus[rng() % corpus.size()];
          const std::size_t cut = in.empty() ? 0 : rng() % in.size();
          in.resize(cut);
          const std::size_t from = other.empty() ? 0 : rng() % other.size();
          in.insert(in.end(), other.begin() + static_cast<long>(from), other.end());
        }
        break;
      default:  // duplicate a slice
        if (in.size() > 1) {
          const std::size_t a = rng() % in.size();
          const std::size_t n = 1 + rng() % (in.size() - a);
          Input slice(in.begin() + static_cast<long>(a), in.begin() + static_cast<long>(a + n));
          in.insert(in.begin() + static_cast<long>(rng() % in.size()), slice.begin(), slice.end());
        }
        break;
    }
    if (in.size() > (1u << 20)) in.resize(1u << 20);
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 0;
  unsigned long long seed = 1;
  std::vector<Input> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--iterations=", 0) == 0) {
      iterations = std::strtol(arg.c_str() + 13, nullptr, 10);
    } else if (arg.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    } else {
      const std::filesystem::path p(arg);
      std::vector<std::filesystem::path> files;
      if (std::filesystem::is_directory(p)) {
        for (const auto& entry : std::filesystem::directory_iterator(p)) {
          if (entry.is_regular_file()) files.push_back(entry.path());
        }
      } else {
        files.push_back(p);
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
    }
  }
  std::printf("fuzz driver: %zu corpus inputs, %ld mutations, seed %llu\n", corpus.size(), iterations, seed);
  for (const Input& in : corpus) run(in);
  run(Input{});
  std::mt19937_64 rng(seed);
  for (long i = 0; i < iterations; ++i) run(mutate(corpus, rng));
  std::printf("fuzz driver: done, no crash\n");
  return 0;
}
