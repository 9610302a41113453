#include "analysis/read_in_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string>

#include "hdf5/h5_handles.h"
#include "quantcore/io/errors.h"

namespace analysis {

namespace {

// The child's message to the parent: what it threw, at most this long.
constexpr size_t kMaxMessage = 4096;

[[noreturn]] void child(int fd, const std::function<void()>& read) {
  int status = 0;
  std::string message;
  // Only the standard streams and our pipe: another thread's pipe, socket or lock inherited here
  // would outlive that thread's use of it for as long as this child runs.
  if (fd > 3) ::close_range(3, static_cast<unsigned>(fd - 1), 0);
  ::close_range(static_cast<unsigned>(fd + 1), ~0U, 0);
  h5::reset_library_mutex_in_child();
  try {
    read();
  } catch (const quantcore::InputError& e) {
    status = 2;
    message = e.what();
  } catch (const std::exception& e) {
    status = 3;
    message = e.what();
  } catch (...) {
    status = 3;
    message = "unknown error";
  }
  if (message.size() > kMaxMessage) message.resize(kMaxMessage);
  for (size_t done = 0; done < message.size();) {
    const ssize_t n = ::write(fd, message.data() + done, message.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::_exit(status);
}

std::string signal_name(int signal) {
  const char* name = ::strsignal(signal);
  return std::string(name ? name : "a signal") + ", signal " + std::to_string(signal);
}

}  // namespace

std::chrono::milliseconds read_limit_for(const std::filesystem::path& file) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(file, ec);
  return std::chrono::milliseconds(30000 + (ec ? 0 : static_cast<int64_t>(bytes >> 24) * 1000));
}

void read_in_child(const std::filesystem::path& file, std::chrono::milliseconds limit,
                   const std::function<void()>& read) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw quantcore::InputError(file.string(), std::string("cannot start its reader: ") + std::strerror(errno));
  // No thread of ours is inside libhdf5 while we fork (every use holds the library mutex), so its
  // state in the child is consistent; the child then starts with a fresh mutex of its own.
  pid_t pid = -1;
  {
    h5::Lock lock(h5::library_mutex());
    pid = ::fork();
    if (pid == 0) child(pipe_fds[1], read);
  }
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw quantcore::InputError(file.string(), std::string("cannot start its reader: ") + std::strerror(errno));
  }
  ::close(pipe_fds[1]);

  // The message until the child closes its end (it exits), or the limit.
  std::string message;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[512];
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file: the child is gone
    if (message.size() < kMaxMessage) message.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  if (timed_out)
    throw quantcore::InputError(file.string(), "reading it did not finish within " +
                                                   std::to_string(limit.count() / 1000) +
                                                   " s (a corrupted file can make the HDF5 library loop)");
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)  // not ours: the limit is handled above
    throw quantcore::InputError(file.string(), "its reader was killed (out of memory?)");
  if (WIFSIGNALED(status))
    throw quantcore::InputError(file.string(), "the HDF5 library crashed reading it (" +
                                                   signal_name(WTERMSIG(status)) + "): the file is corrupted");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (message.empty())  // e.g. a sanitizer's report of a fault in libhdf5, then its exit
    message = file.string() + ": the HDF5 library failed reading it (exit " + std::to_string(WEXITSTATUS(status)) +
              "): the file is corrupted";
  // The child's InputError already names the file: pass its line on as it is.
  throw quantcore::InputError(message.substr(0, message.find('\n')));
}

}  // namespace analysis
