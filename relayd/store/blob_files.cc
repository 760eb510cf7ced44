#include "relayd/store/blob_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "relayd/store/blob_id.h"

namespace sotto::relayd {
namespace {

// Hashing reads this much at a time: large enough to amortise the syscall,
// small enough to stay in L2 cache.
constexpr std::size_t kHashChunk = 64 * 1024;  // bytes

class UniqueFd {
 public:
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

[[noreturn]] void fail(const char* operation, std::string_view id, int error) {
  throw BlobFileError(std::string(operation) + " blob " + std::string(id) + ": " + std::strerror(error), error);
}

std::uint64_t file_size(int fd, const char* operation, std::string_view id) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) fail(operation, id, errno);
  return static_cast<std::uint64_t>(info.st_size);
}

constexpr auto kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());

}  // namespace

BlobFileError::BlobFileError(const std::string& message, int error_number)
    : std::runtime_error(message), error_number_(error_number) {}

BlobFiles::BlobFiles(const std::filesystem::path& dir) : dir_(dir) {
  if (::mkdir(dir.c_str(), S_IRWXU) != 0 && errno != EEXIST) {
    const int error = errno;
    throw BlobFileError("create blob directory " + dir.string() + ": " + std::strerror(error), error);
  }
  dir_fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd_ < 0) {
    const int error = errno;
    throw BlobFileError("open blob directory " + dir.string() + ": " + std::strerror(error), error);
  }
  // mkdir's mode is reduced by the umask, and an existing directory may be
  // wider; the blobs are for relayd's eyes only.
  if (::fchmod(dir_fd_, S_IRWXU) != 0) {
    const int error = errno;
    ::close(dir_fd_);
    throw BlobFileError("set mode 0700 on blob directory " + dir.string() + ": " + std::strerror(error), error);
  }
}

BlobFiles::~BlobFiles() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

BlobFiles::BlobFiles(BlobFiles&& other) noexcept
    : dir_(std::move(other.dir_)), dir_fd_(std::exchange(other.dir_fd_, -1)) {}

BlobFiles& BlobFiles::operator=(BlobFiles&& other) noexcept {
  if (this != &other) {
    if (dir_fd_ >= 0) ::close(dir_fd_);
    dir_ = std::move(other.dir_);
    dir_fd_ = std::exchange(other.dir_fd_, -1);
  }
  return *this;
}

int BlobFiles::open_blob(std::string_view id, int flags, const char* operation) const {
  if (!is_valid_blob_id(id)) {
    // The id may be hostile (a path, control characters): it is not echoed.
    throw BlobFileError(std::string(operation) + " blob: invalid blob id", EINVAL);
  }
  const std::string name(id);
  const int fd = ::openat(dir_fd_, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) fail(operation, id, errno);
  return fd;
}

void BlobFiles::create(std::string_view id) {
  const UniqueFd fd(open_blob(id, O_WRONLY | O_CREAT | O_EXCL, "create"));
  // The umask may have narrowed 0600 further, never widened it; set it exactly.
  if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) fail("create", id, errno);
}

void BlobFiles::write_at(std::string_view id, std::uint64_t offset, crypto::ByteView data) {
  const UniqueFd fd(open_blob(id, O_WRONLY, "write"));
  const std::uint64_t size = file_size(fd.get(), "write", id);
  if (offset > size) {
    throw BlobFileError("write blob " + std::string(id) + ": offset " + std::to_string(offset) +
                            " is beyond the end (" + std::to_string(size) + " bytes)",
                        EINVAL);
  }
  if (data.size() > kMaxOffset - offset) fail("write", id, EFBIG);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd.get(), data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", id, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  const std::uint64_t end = offset + data.size();
  if (size > end && ::ftruncate(fd.get(), static_cast<off_t>(end)) != 0) fail("write", id, errno);
  // Each time a chunk completes another 8 MiB, start writing that stretch
  // back without waiting: BlobEnd's fsync then finds little left to write
  // (for a 1 GiB upload it otherwise waited seconds for all of it at once).
  constexpr std::uint64_t kWritebackStep = 8 << 20;
  if (offset / kWritebackStep != end / kWritebackStep) {
    const std::uint64_t from = (end / kWritebackStep - 1) * kWritebackStep;
    ::sync_file_range(fd.get(), static_cast<off_t>(from), static_cast<off_t>(kWritebackStep), SYNC_FILE_RANGE_WRITE);
  }
}

void BlobFiles::sync(std::string_view id) {
  const UniqueFd fd(open_blob(id, O_RDONLY, "sync"));
  if (::fsync(fd.get()) != 0) fail("sync", id, errno);
  // The directory entry too: a file created since the last directory fsync
  // might otherwise vanish in a power cut even though its data was synced.
  if (::fsync(dir_fd_) != 0) fail("sync directory of", id, errno);
}

crypto::Bytes BlobFiles::read(std::string_view id, std::uint64_t offset, std::size_t max_length) const {
  const UniqueFd fd(open_blob(id, O_RDONLY, "read"));
  const std::uint64_t size = file_size(fd.get(), "read", id);
  if (offset >= size) return {};
  const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(max_length, size - offset));
  crypto::Bytes out(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd.get(), out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read", id, errno);
    }
    if (n == 0) break;  // the file shrank meanwhile
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

std::uint64_t BlobFiles::size(std::string_view id) const {
  const UniqueFd fd(open_blob(id, O_RDONLY, "stat"));
  return file_size(fd.get(), "stat", id);
}

crypto::Sha256Digest BlobFiles::sha256(std::string_view id) const {
  const UniqueFd fd(open_blob(id, O_RDONLY, "hash"));
  crypto::Sha256 hash;
  crypto::Bytes buffer(kHashChunk);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("hash", id, errno);
    }
    if (n == 0) break;
    hash.update(crypto::ByteView(buffer.data(), static_cast<std::size_t>(n)));
  }
  return hash.finish();
}

bool BlobFiles::exists(std::string_view id) const {
  if (!is_valid_blob_id(id)) return false;
  struct stat info {};
  return ::fstatat(dir_fd_, std::string(id).c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(info.st_mode);
}

bool BlobFiles::remove(std::string_view id) {
  if (!is_valid_blob_id(id)) throw BlobFileError("remove blob: invalid blob id", EINVAL);
  if (::unlinkat(dir_fd_, std::string(id).c_str(), 0) == 0) return true;
  if (errno == ENOENT) return false;
  fail("remove", id, errno);
}

std::vector<std::string> BlobFiles::list() const {
  // A second descriptor: readdir moves the position of the one it reads.
  const int fd = ::openat(dir_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("list", "directory", errno);
  std::unique_ptr<DIR, DirCloser> stream(::fdopendir(fd));
  if (!stream) {
    const int error = errno;
    ::close(fd);
    fail("list", "directory", error);
  }
  std::vector<std::string> ids;
  while (const dirent* entry = ::readdir(stream.get())) {
    const std::string_view name(entry->d_name);
    if (is_valid_blob_id(name)) ids.emplace_back(name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace sotto::relayd
