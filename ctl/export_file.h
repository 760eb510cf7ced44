#pragma once

#include <filesystem>
#include <string_view>

namespace sotto::ctl {

// The file `msgctl export --output FILE` writes: created 0600 (a conversation
// is private), never replacing an existing file unless `force`. Created
// before msgd is asked, so a refusal costs nothing; removed again unless
// commit() ran. With `force` the content goes to a temporary file in the same
// folder that replaces FILE atomically on commit(). Throws LocalError.
class ExportFile {
 public:
  ExportFile(std::filesystem::path path, bool force);
  ~ExportFile();
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;

  void write(std::string_view content);
  void commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path written_;  // path_, or the temporary file when replacing
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace sotto::ctl
