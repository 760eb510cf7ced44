#include "ctl/export_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "ctl/command.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

std::string describe(const std::filesystem::path& path, int error) {
  return printable(path.string()) + ": " + std::strerror(error);
}

}  // namespace

ExportFile::ExportFile(std::filesystem::path path, bool force) : path_(std::move(path)) {
  if (path_.empty()) throw LocalError("the output file name is empty");
  if (!force) {
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0 && errno == EEXIST) {
      throw LocalError(printable(path_.string()) + " already exists (use --force to replace it)");
    }
    if (fd_ < 0) throw LocalError("cannot create " + describe(path_, errno));
    written_ = path_;
  } else {
    const std::filesystem::path folder = path_.has_parent_path() ? path_.parent_path() : ".";
    std::string pattern = (folder / ("." + path_.filename().string() + ".XXXXXX")).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    fd_ = mkostemp(name.data(), O_CLOEXEC);  // mkostemp creates it 0600
    if (fd_ < 0) throw LocalError("cannot create a file next to " + describe(path_, errno));
    written_ = name.data();
  }
  fchmod(fd_, 0600);
}

ExportFile::~ExportFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_ && !written_.empty()) unlink(written_.c_str());
}

void ExportFile::write(std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd_, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw LocalError("cannot write " + describe(path_, errno));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

void ExportFile::commit() {
  if (fsync(fd_) != 0) throw LocalError("cannot write " + describe(path_, errno));
  const int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) throw LocalError("cannot write " + describe(path_, errno));
  if (written_ != path_ && rename(written_.c_str(), path_.c_str()) != 0) {
    throw LocalError("cannot replace " + describe(path_, errno));
  }
  committed_ = true;
}

}  // namespace sotto::ctl
