#include "tests/soak/soak_audit.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <ostream>
#include <set>

namespace sotto::soak {
namespace {

using nlohmann::json;

constexpr std::size_t kSoakMaxProblems = 40;
constexpr std::size_t kSoakHistoryPage = 1000;  // the API's largest page

// The whole conversation with peer, oldest first. history returns the newest
// page; earlier ones come by naming the oldest message seen so far.
std::vector<json> soak_full_history(api::Client& client, const std::string& peer) {
  std::vector<json> pages_newest_first;
  std::string before;
  for (;;) {
    json page = client.call("history", {{"peer", peer}, {"limit", kSoakHistoryPage}, {"before", before}});
    if (page.empty()) break;
    before = page.front().at("id").get<std::string>();
    const bool last = page.size() < kSoakHistoryPage;
    pages_newest_first.push_back(std::move(page));
    if (last) break;
  }
  std::vector<json> out;
  for (auto it = pages_newest_first.rbegin(); it != pages_newest_first.rend(); ++it) {
    for (auto& m : *it) out.push_back(std::move(m));
  }
  return out;
}

// Everything one msgd shows: its history with each peer and its files.
struct SoakUserView {
  std::map<std::string, std::vector<json>> history;  // by peer, oldest first
  std::map<std::string, json> files;                 // by id
};

SoakUserView read_user_view(const SoakCluster& cluster, std::size_t index) {
  SoakUserView view;
  auto client = cluster.client(index);
  for (std::size_t peer = 0; peer < cluster.size(); ++peer) {
    if (peer != index) view.history[cluster.name(peer)] = soak_full_history(*client, cluster.name(peer));
  }
  for (auto& file : client->call("list_files", {{"peer", ""}})) {
    std::string id = file.at("id").get<std::string>();
    view.files.emplace(std::move(id), std::move(file));
  }
  return view;
}

bool soak_same_bytes(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::ifstream x(a, std::ios::binary), y(b, std::ios::binary);
  if (!x || !y) return false;
  std::string bx(1 << 20, '\0'), by(1 << 20, '\0');
  for (;;) {
    x.read(bx.data(), static_cast<std::streamsize>(bx.size()));
    y.read(by.data(), static_cast<std::streamsize>(by.size()));
    if (x.gcount() != y.gcount()) return false;
    if (std::memcmp(bx.data(), by.data(), static_cast<std::size_t>(x.gcount())) != 0) return false;
    if (!x || !y) return x.eof() && y.eof();
  }
}

bool soak_is_acked_state(const std::string& state) {
  return state == "sent" || state == "delivered" || state == "read";
}

std::string soak_message_text(const json& message) { return message.at("text").get<std::string>(); }

class SoakPairAudit {
 public:
  SoakPairAudit(AuditReport& report, const std::string& sender, const std::string& recipient)
      : report_(report), sender_(sender), recipient_(recipient) {}

  void texts(const std::vector<TextSend>& ledger, const std::vector<json>& sender_history,
             const std::vector<json>& recipient_history);
  void files(const std::vector<FileSend>& ledger, const SoakUserView& sender, const SoakUserView& recipient,
             bool compare_bytes);

 private:
  void problem(const std::string& what) {
    if (report_.problems.size() < kSoakMaxProblems)
      report_.problems.push_back(sender_ + ">" + recipient_ + ": " + what);
  }

  AuditReport& report_;
  std::string sender_;
  std::string recipient_;
};

void SoakPairAudit::texts(const std::vector<TextSend>& ledger, const std::vector<json>& sender_history,
                          const std::vector<json>& recipient_history) {
  PairCounts counts;
  counts.sender = sender_;
  counts.recipient = recipient_;

  std::map<std::uint64_t, const json*> sent;  // the sender's copy, by seq
  for (const auto& m : sender_history) {
    if (m.at("direction") != "out" || m.at("kind") != "text") continue;
    if (const auto seq = soak_text_seq(soak_message_text(m))) sent[*seq] = &m;
  }
  // The recipient's copies in the order its history shows them.
  std::vector<std::uint64_t> received_order;
  std::map<std::uint64_t, std::uint64_t> received_count;
  for (const auto& m : recipient_history) {
    if (m.at("direction") != "in" || m.at("kind") != "text") continue;
    const auto seq = soak_text_seq(soak_message_text(m));
    if (!seq) {
      ++counts.phantom;
      problem("a message the soak never sent: \"" + soak_message_text(m).substr(0, 60) + "\"");
      continue;
    }
    received_order.push_back(*seq);
    ++received_count[*seq];
  }

  std::set<std::uint64_t> called;
  for (const TextSend& call : ledger) {
    ++counts.calls;
    called.insert(call.seq);
    const auto mine = sent.find(call.seq);
    const bool at_sender = mine != sent.end();
    const std::uint64_t copies = received_count.contains(call.seq) ? received_count[call.seq] : 0;
    const std::string what = "seq " + std::to_string(call.seq);
    bool stored = false;
    switch (call.outcome) {
      case CallOutcome::kRefused:
        ++counts.refused;
        if (at_sender) {
          ++counts.phantom;
          problem(what + ": the send call failed, yet msgd stored it");
        }
        break;
      case CallOutcome::kInDoubt:
        ++counts.in_doubt;
        stored = at_sender;
        if (stored) ++counts.in_doubt_stored;
        break;
      case CallOutcome::kAccepted:
        stored = true;
        if (!at_sender) {
          ++counts.accepted;
          ++counts.lost;
          problem(what + " (id " + call.id + "): accepted, then gone from the sender's own history");
          continue;
        }
        if (mine->second->at("id") != call.id) {
          problem(what + ": the sender's history has it under id " + mine->second->at("id").get<std::string>() +
                  ", the call returned " + call.id);
        }
        break;
    }
    if (!stored) {
      if (copies > 0) {
        counts.phantom += copies;
        problem(what + ": received, though the sender's msgd never stored it");
      }
      continue;
    }
    ++counts.accepted;
    const std::string state = mine->second->at("state").get<std::string>();
    const std::string id = mine->second->at("id").get<std::string>();
    if (soak_is_acked_state(state)) {
      ++counts.acked;
    } else if (state == "queued") {
      report_.settled = false;
    }
    if (copies == 0) {
      ++counts.lost;
      if (state != "failed") report_.settled = false;
      problem(what + " (id " + id + ", sender's state " + state + "): not in the recipient's history");
      continue;
    }
    ++counts.delivered;
    if (copies > 1) {
      counts.duplicates += copies - 1;
      problem(what + " (id " + id + "): " + std::to_string(copies) + " copies in the recipient's history");
    }
  }

  // Per-sender order: the load sends to one recipient in increasing seq, one
  // call after another, so the recipient's history must show them that way.
  std::set<std::uint64_t> seen;
  std::uint64_t highest = 0;
  bool any = false;
  for (const std::uint64_t seq : received_order) {
    if (!seen.insert(seq).second) continue;  // a duplicate, counted above
    if (!called.contains(seq)) {
      ++counts.phantom;
      problem("seq " + std::to_string(seq) + ": received, never sent by the load");
    }
    if (any && seq < highest) {
      ++counts.out_of_order;
      problem("seq " + std::to_string(seq) + " shown after seq " + std::to_string(highest));
    }
    if (!any || seq > highest) highest = seq;
    any = true;
  }
  report_.pairs.push_back(counts);
}

void SoakPairAudit::files(const std::vector<FileSend>& ledger, const SoakUserView& sender,
                          const SoakUserView& recipient, bool compare_bytes) {
  FileCounts& counts = report_.files;
  // The recipient's file messages from this sender, by id and by number.
  std::map<std::string, std::uint64_t> messages_by_id;
  std::map<std::uint64_t, std::uint64_t> messages_by_number;
  for (const auto& m : recipient.history.at(sender_)) {
    if (m.at("direction") != "in" || m.at("kind") != "file") continue;
    ++messages_by_id[m.at("id").get<std::string>()];
    if (const auto number = soak_file_number(soak_message_text(m))) ++messages_by_number[*number];
  }
  std::map<std::string, std::string> sender_message_state;
  for (const auto& m : sender.history.at(recipient_)) {
    if (m.at("direction") == "out" && m.at("kind") == "file") {
      sender_message_state[m.at("id").get<std::string>()] = m.at("state").get<std::string>();
    }
  }

  std::set<std::string> known_ids;
  for (const FileSend& call : ledger) {
    ++counts.calls;
    const std::string what = "file " + std::to_string(call.number) + " (" + std::to_string(call.size) + " bytes)";
    // The sender's transfer: by id when the call returned, else by the path.
    const json* out = nullptr;
    if (!call.id.empty()) {
      if (auto it = sender.files.find(call.id); it != sender.files.end()) out = &it->second;
    } else {
      for (const auto& [id, file] : sender.files) {
        if (file.at("direction") == "out" && file.at("path") == call.source.string()) out = &file;
      }
    }
    if (call.outcome == CallOutcome::kRefused) {
      ++counts.refused;
      if (out != nullptr) {
        ++counts.phantom;
        problem(what + ": the send_file call failed, yet msgd has the transfer");
      }
      continue;
    }
    if (call.outcome == CallOutcome::kInDoubt) {
      ++counts.in_doubt;
      if (out == nullptr) continue;
    }
    ++counts.accepted;
    if (out == nullptr) {
      ++counts.lost;
      problem(what + " (id " + call.id + "): accepted, then gone from the sender's transfers");
      continue;
    }
    const std::string id = out->at("id").get<std::string>();
    known_ids.insert(id);
    const std::string sent_state = out->at("state").get<std::string>();
    if (sent_state == "uploaded") {
      ++counts.uploaded;
    } else if (sent_state == "failed" || sent_state == "cancelled") {
      ++counts.failed;
      problem(what + " (id " + id + "): the sender's transfer ended " + sent_state + ": " +
              out->at("error").get<std::string>());
      continue;
    } else {
      report_.settled = false;
    }
    if (const auto state = sender_message_state.find(id);
        state != sender_message_state.end() && soak_is_acked_state(state->second)) {
      ++counts.acked;
    }

    const auto copies = messages_by_id.contains(id) ? messages_by_id[id] : 0;
    const auto by_number = messages_by_number.contains(call.number) ? messages_by_number[call.number] : 0;
    if (copies > 1 || by_number > 1) {
      counts.duplicates += std::max(copies, by_number) - 1;
      problem(what + " (id " + id + "): " + std::to_string(std::max(copies, by_number)) +
              " file messages in the recipient's history");
    }
    const auto in = recipient.files.find(id);
    if (in == recipient.files.end() || copies == 0) {
      ++counts.lost;
      report_.settled = false;
      problem(what + " (id " + id + ", sender's transfer " + sent_state + "): the recipient has no such file");
      continue;
    }
    const std::string received_state = in->second.at("state").get<std::string>();
    if (received_state == "downloaded" || received_state == "saved") {
      ++counts.downloaded;
      if (!compare_bytes) continue;
      if (soak_same_bytes(call.source, in->second.at("path").get<std::string>())) {
        ++counts.identical;
      } else {
        ++counts.corrupt;
        problem(what + " (id " + id + "): the received bytes differ from the file sent");
      }
    } else if (received_state == "failed" || received_state == "cancelled") {
      ++counts.failed;
      problem(what + " (id " + id + "): the recipient's transfer ended " + received_state + ": " +
              in->second.at("error").get<std::string>());
    } else {
      report_.settled = false;
    }
  }
  for (const auto& [id, count] : messages_by_id) {
    if (!known_ids.contains(id)) {
      counts.phantom += count;
      problem("file message " + id + ": received, never sent by the load");
    }
  }
}

}  // namespace

PairCounts AuditReport::total() const {
  PairCounts sum;
  sum.sender = "total";
  for (const PairCounts& p : pairs) {
    sum.calls += p.calls;
    sum.refused += p.refused;
    sum.in_doubt += p.in_doubt;
    sum.in_doubt_stored += p.in_doubt_stored;
    sum.accepted += p.accepted;
    sum.acked += p.acked;
    sum.delivered += p.delivered;
    sum.duplicates += p.duplicates;
    sum.lost += p.lost;
    sum.out_of_order += p.out_of_order;
    sum.phantom += p.phantom;
  }
  return sum;
}

bool AuditReport::passed() const {
  const PairCounts sum = total();
  // A run that got nothing through proves nothing.
  if (sum.accepted == 0 || sum.delivered == 0) return false;
  return settled && sum.lost == 0 && sum.duplicates == 0 && sum.out_of_order == 0 && sum.phantom == 0 &&
         files.corrupt == 0 && files.failed == 0 && files.lost == 0 && files.duplicates == 0 && files.phantom == 0 &&
         files.identical == files.downloaded;
}

AuditReport audit_cluster(const SoakCluster& cluster, const SendLedger& ledger, bool compare_bytes) {
  std::vector<SoakUserView> views;
  for (std::size_t i = 0; i < cluster.size(); ++i) views.push_back(read_user_view(cluster, i));
  const std::vector<TextSend> texts = ledger.texts();
  const std::vector<FileSend> files = ledger.files();

  AuditReport report;
  for (std::size_t s = 0; s < cluster.size(); ++s) {
    for (std::size_t r = 0; r < cluster.size(); ++r) {
      if (s == r) continue;
      const std::string& sender = cluster.name(s);
      const std::string& recipient = cluster.name(r);
      std::vector<TextSend> pair_texts;
      for (const auto& t : texts) {
        if (t.sender == sender && t.recipient == recipient) pair_texts.push_back(t);
      }
      std::vector<FileSend> pair_files;
      for (const auto& f : files) {
        if (f.sender == sender && f.recipient == recipient) pair_files.push_back(f);
      }
      SoakPairAudit pair(report, sender, recipient);
      pair.texts(pair_texts, views[s].history.at(recipient), views[r].history.at(sender));
      pair.files(pair_files, views[s], views[r], compare_bytes);
    }
  }
  return report;
}

void print_audit(std::ostream& out, const AuditReport& report) {
  char line[256];
  std::snprintf(line, sizeof line, "%-16s %7s %7s %8s %8s %7s %9s %10s %5s %12s %7s\n", "text messages", "calls",
                "refused", "in doubt", "accepted", "acked", "delivered", "duplicates", "lost", "out of order",
                "phantom");
  out << line;
  auto row = [&](const PairCounts& p) {
    const std::string name = p.sender == "total" ? "total" : p.sender + " -> " + p.recipient;
    std::snprintf(line, sizeof line, "%-16s %7llu %7llu %8llu %8llu %7llu %9llu %10llu %5llu %12llu %7llu\n",
                  name.c_str(), static_cast<unsigned long long>(p.calls), static_cast<unsigned long long>(p.refused),
                  static_cast<unsigned long long>(p.in_doubt), static_cast<unsigned long long>(p.accepted),
                  static_cast<unsigned long long>(p.acked), static_cast<unsigned long long>(p.delivered),
                  static_cast<unsigned long long>(p.duplicates), static_cast<unsigned long long>(p.lost),
                  static_cast<unsigned long long>(p.out_of_order), static_cast<unsigned long long>(p.phantom));
    out << line;
  };
  for (const PairCounts& p : report.pairs) row(p);
  const PairCounts sum = report.total();
  row(sum);
  out << "(in doubt: the call was cut off by a kill; " << sum.in_doubt_stored
      << " of them had been stored and are counted as accepted)\n";
  const FileCounts& f = report.files;
  out << "files: calls " << f.calls << ", refused " << f.refused << ", in doubt " << f.in_doubt << ", accepted "
      << f.accepted << ", uploaded " << f.uploaded << ", acked " << f.acked << ", downloaded " << f.downloaded
      << ", byte-identical " << f.identical << ", corrupt " << f.corrupt << ", failed " << f.failed << ", lost "
      << f.lost << ", duplicates " << f.duplicates << ", phantom " << f.phantom << "\n";
  if (!report.settled) out << "NOT SETTLED: some accepted messages or files were still on their way\n";
  for (const std::string& p : report.problems) out << "problem: " << p << "\n";
}

}  // namespace sotto::soak
