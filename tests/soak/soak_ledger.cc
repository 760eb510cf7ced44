#include "tests/soak/soak_ledger.h"

#include <charconv>

namespace sotto::soak {
namespace {

constexpr std::string_view kSoakTextPrefix = "soak ";
constexpr std::string_view kSoakFilePrefix = "soak-file ";

// The decimal number that follows prefix, up to a space or the end.
std::optional<std::uint64_t> soak_number_after(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  if (end != text.data() + text.size() && *end != ' ') return std::nullopt;
  return value;
}

}  // namespace

std::string soak_text(std::uint64_t seq, std::string_view sender, std::string_view recipient) {
  return std::string(kSoakTextPrefix) + std::to_string(seq) + " " + std::string(sender) + ">" + std::string(recipient);
}

std::optional<std::uint64_t> soak_text_seq(std::string_view text) { return soak_number_after(text, kSoakTextPrefix); }

std::string soak_file_caption(std::uint64_t number) { return std::string(kSoakFilePrefix) + std::to_string(number); }

std::optional<std::uint64_t> soak_file_number(std::string_view caption) {
  return soak_number_after(caption, kSoakFilePrefix);
}

void SendLedger::add(TextSend send) {
  std::lock_guard lock(mutex_);
  texts_.push_back(std::move(send));
}

void SendLedger::add(FileSend send) {
  std::lock_guard lock(mutex_);
  files_.push_back(std::move(send));
}

std::vector<TextSend> SendLedger::texts() const {
  std::lock_guard lock(mutex_);
  return texts_;
}

std::vector<FileSend> SendLedger::files() const {
  std::lock_guard lock(mutex_);
  return files_;
}

}  // namespace sotto::soak
