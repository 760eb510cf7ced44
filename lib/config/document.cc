#include "lib/config/document.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <cerrno>
#include <sstream>
#include <system_error>
#include <utility>

#include "lib/config/utf8.h"
#include "lib/config/yaml_tree_builder.h"

namespace sotto::config {

namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// yaml-cpp messages are short; this only guards against one quoting a huge
// piece of the input (an anchor name, say) back at us.
constexpr std::size_t kMaxParserMessageBytes = 200;

// Owns a file descriptor; closes it on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

Position position_of_offset(std::string_view text, std::size_t offset) {
  Position p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::string_view line_at(std::string_view text, int line) {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string_view::npos) return {};
    start = newline + 1;
  }
  const std::size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

bool indented_with_tab(std::string_view line) {
  for (const char c : line) {
    if (c == '\t') return true;
    if (c != ' ') return false;
  }
  return false;
}

[[noreturn]] void fail_whole_file(const std::string& name, std::string problem) {
  throw ConfigError(Location{name, 1, 1}, "", std::move(problem));
}

}  // namespace

Document::Document(std::string name, ConfigNode root) : name_(std::move(name)), root_(std::move(root)) {}

Document parse_document(std::string_view text, std::string_view name_view, const DocumentLimits& limits) {
  const std::string name(name_view);
  if (text.size() > limits.max_bytes) {
    fail_whole_file(name, "the file is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                              std::to_string(limits.max_bytes) + " bytes for a configuration file");
  }
  // Editors hide a byte order mark, so positions are counted after it.
  if (text.substr(0, kUtf8ByteOrderMark.size()) == kUtf8ByteOrderMark) text.remove_prefix(kUtf8ByteOrderMark.size());

  if (const auto bad = find_unprintable(text)) {
    const Position where = position_of_offset(text, *bad);
    const auto byte = static_cast<unsigned char>(text[*bad]);
    std::string problem;
    if (!decode_utf8(text, *bad)) {
      problem = "the file is not valid UTF-8 here; configuration files must be UTF-8 text";
    } else {
      problem = "control character " + quote_for_message(text.substr(*bad, 1)) +
                " is not allowed in a configuration file (write it as an escape in a \"...\" string)";
    }
    if (byte == 0) problem += " (a NUL byte: is this a binary or UTF-16 file?)";
    throw ConfigError(Location{name, where.line, where.column}, "", std::move(problem));
  }

  detail::YamlTreeBuilder builder(text, name, limits);
  std::istringstream stream{std::string(text)};
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    const Position where = detail::to_position(e.mark);
    std::string problem = "YAML syntax error: " + e.msg.substr(0, kMaxParserMessageBytes);
    if (indented_with_tab(line_at(text, where.line)) || indented_with_tab(line_at(text, where.line - 1))) {
      problem += " (YAML indentation must use spaces, not tabs)";
    }
    throw ConfigError(Location{name, where.line, where.column}, "", std::move(problem));
  }
  return Document(name, builder.take_root());
}

Document load_document(const std::filesystem::path& path, const DocumentLimits& limits) {
  const std::string name = path.string();
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) fail_whole_file(name, "cannot open: " + std::generic_category().message(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) fail_whole_file(name, "cannot stat: " + std::generic_category().message(errno));
  if (S_ISDIR(info.st_mode)) fail_whole_file(name, "is a directory, not a configuration file");

  std::string text;
  char buffer[64 * 1024];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_whole_file(name, "cannot read: " + std::generic_category().message(errno));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > limits.max_bytes) {
      fail_whole_file(name, "the file is more than the limit of " + std::to_string(limits.max_bytes) +
                                " bytes for a configuration file");
    }
  }
  return parse_document(text, name, limits);
}

}  // namespace sotto::config
