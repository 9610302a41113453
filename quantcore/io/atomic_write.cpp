#include "quantcore/io/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "quantcore/io/errors.h"
#include "quantcore/io/temporaries.h"

namespace quantcore {
namespace {

namespace fs = std::filesystem;

// A name no other writer (thread or process) will pick: hidden, beside the target, so the final
// rename stays within one file system and is atomic.
fs::path temporary_name(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = std::random_device{}();
  const std::string suffix =
      ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(salt) + "-" + std::to_string(counter++);
  return path.parent_path() / ("." + path.filename().string() + suffix);
}

// Flushes the file's bytes to the disk so that the rename never exposes an empty file after a
// power loss.
void sync_to_disk(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string last_error() { return errno != 0 ? std::strerror(errno) : "I/O error"; }

}  // namespace

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& fill) {
  remove_abandoned_temporaries(path, "");  // of writers of this file that were killed outright
  const fs::path temp = temporary_name(path);
  auto discard = [&temp] {
    std::error_code ec;
    fs::remove(temp, ec);
  };

  // Locked while it is written, so that no other run takes it for abandoned.
  TemporaryLock lock;
  try {
    lock = TemporaryLock(temp);
  } catch (const InputError&) {
    throw InputError(path.string(), "cannot create temporary file '" + temp.filename().string() + "': " + last_error());
  }
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw InputError(path.string(), "cannot create temporary file '" + temp.filename().string() + "': " + last_error());
  }
  try {
    fill(out);
  } catch (...) {
    out.close();
    discard();
    throw;
  }
  out.flush();
  const bool written = out.good();
  out.close();
  if (!written || out.fail()) {
    const std::string why = last_error();
    discard();
    throw InputError(path.string(), "cannot write: " + why);
  }

  sync_to_disk(temp);
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    discard();
    throw InputError(path.string(), "cannot rename the temporary file into place: " + ec.message());
  }
  sync_to_disk(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

void check_folder_writable(const fs::path& path) {
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw InputError(path.string(), "folder '" + folder.string() + "' does not exist");
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw InputError(path.string(), "folder '" + folder.string() + "' is not writable");
}

void write_text_atomically(const fs::path& path, std::string_view text) {
  write_file_atomically(
      path, [text](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

}  // namespace quantcore
