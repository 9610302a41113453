#include "quantcore/io/temporaries.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <utility>

#include "quantcore/io/errors.h"

namespace quantcore {

namespace fs = std::filesystem;

TemporaryLock::TemporaryLock(const fs::path& file) {
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError(file.string(), "cannot create a lock file");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    // A file system without flock (ENOSYS, ENOLCK, EOPNOTSUPP) runs unlocked: the cleaner then
    // sees a lock it cannot take and leaves the temporary alone.
    if (errno != EWOULDBLOCK) return;
    ::close(fd_);
    fd_ = -1;
    throw InputError(file.string(), "is locked by another run");
  }
}

TemporaryLock::~TemporaryLock() { release(); }

TemporaryLock::TemporaryLock(TemporaryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

TemporaryLock& TemporaryLock::operator=(TemporaryLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void TemporaryLock::release() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor drops the flock
  fd_ = -1;
}

namespace {

// A temporary younger than this is never taken for abandoned: between creating a file and
// locking it a live run holds no lock for a moment.
constexpr auto kAbandonedAfter = std::chrono::seconds(10);

bool old_enough(const fs::path& file) {
  std::error_code ec;
  const auto written = fs::last_write_time(file, ec);
  return !ec && fs::file_time_type::clock::now() - written > kAbandonedAfter;
}

// Whether `file` can be opened and no live process holds an flock on it (it can be locked, then
// is let go at once); -1 when it cannot be opened.
int lock_state(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -1;
  const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return free ? 1 : 0;
}

bool unlocked(const fs::path& file) { return old_enough(file) && lock_state(file) == 1; }

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

bool locked_by_a_live_process(const fs::path& file) { return lock_state(file) == 0; }

std::vector<fs::path> remove_abandoned_temporaries(const fs::path& dest, const char* directory_marker) {
  std::vector<fs::path> removed;
  const fs::path folder = dest.parent_path().empty() ? fs::path(".") : dest.parent_path();
  const std::string staging_prefix = dest.filename().string() + ".tmp-";
  const std::string file_prefix = "." + dest.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    const std::string name = p.filename().string();
    const fs::file_status s = fs::symlink_status(p, ec);
    if (ec) break;
    bool abandoned = false;
    if (fs::is_directory(s) && *directory_marker != '\0' && starts_with(name, staging_prefix))
      abandoned = fs::exists(p / directory_marker) && !fs::exists(p / kResumableMarker) && unlocked(p / kLockFile);
    else if (fs::is_regular_file(s) && starts_with(name, file_prefix))
      abandoned = unlocked(p);
    if (!abandoned) continue;
    std::error_code rm;
    fs::remove_all(p, rm);
    if (!rm) removed.push_back(p);
  }
  return removed;
}

}  // namespace quantcore
