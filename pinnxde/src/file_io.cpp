#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "pinnxde/error.hpp"

namespace pinnxde::detail {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

bool write_all(int fd, std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes, const char* who) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec))
    fail<Error>(who, ": cannot write '", path, "': it is a directory (expected a file path)");
  // A new file next to the target, so that rename() stays within one file system and is atomic. open()
  // with 0666 lets the process umask decide the mode, as for any other file the program writes (mkstemp
  // would make it 0600, and changing the umask around it would race with other threads).
  static std::atomic<unsigned> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) fail<Error>(who, ": cannot write '", path, "': ", errno_text(errno));
  auto abandon = [&](const std::string& what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail<Error>(who, ": cannot write '", path, "': ", what, err ? ": " + errno_text(err) : std::string());
  };
  if (!write_all(fd, bytes)) abandon("write", errno);
  if (::fsync(fd) != 0) abandon("fsync", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail<Error>(who, ": cannot write '", path, "': close: ", errno_text(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail<Error>(who, ": cannot write '", path, "': rename: ", errno_text(err));
  }
  // Make the rename itself durable.
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string read_file(const std::string& path, const char* who) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(who, ": cannot read '", path, "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(who, ": cannot read '", path, "' (read error)");
  return bytes;
}

}  // namespace pinnxde::detail
