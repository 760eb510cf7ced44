#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sotto::soak {

// What a send call told the caller. Only kAccepted is a promise (msgd has the
// message durably and will deliver it); a call cut off by kill -9 may or may
// not have been stored, and the audit finds out from the sender's history.
enum class CallOutcome {
  kAccepted,  // the call returned a message id
  kRefused,   // msgd could not be reached, or answered with an error: nothing stored
  kInDoubt,   // the connection broke (or timed out) after the request went out
};

struct TextSend {
  std::string sender;
  std::string recipient;
  std::uint64_t seq = 0;  // per sender, in call order: the order its recipients must see
  CallOutcome outcome = CallOutcome::kRefused;
  std::string id;  // msgd's message id, when accepted
};

struct FileSend {
  std::string sender;
  std::string recipient;
  std::uint64_t number = 0;
  std::filesystem::path source;  // kept unchanged until the audit compares the bytes
  std::uint64_t size = 0;
  CallOutcome outcome = CallOutcome::kRefused;
  std::string id;
};

// The text of soak message seq: the recipient's history is matched against
// the calls by this, so a message that reappears under a new id still counts
// as a duplicate.
std::string soak_text(std::uint64_t seq, std::string_view sender, std::string_view recipient);
// seq back from a text made by soak_text; nullopt for anything else.
std::optional<std::uint64_t> soak_text_seq(std::string_view text);
std::string soak_file_caption(std::uint64_t number);
std::optional<std::uint64_t> soak_file_number(std::string_view caption);

// Every call the load made, from any thread.
class SendLedger {
 public:
  void add(TextSend send);
  void add(FileSend send);
  std::vector<TextSend> texts() const;
  std::vector<FileSend> files() const;

 private:
  mutable std::mutex mutex_;
  std::vector<TextSend> texts_;
  std::vector<FileSend> files_;
};

}  // namespace sotto::soak
