#pragma once
// Temporaries that survive nothing: a live run holds an flock on each temporary it writes (a file
// inside a staging directory, the temporary file itself otherwise); the kernel drops the lock
// however the process ends, SIGKILL included. The next run beside the same destination removes
// the temporaries of ours that no live process holds (docs/reliability.md). Torch-free.
#include <filesystem>
#include <vector>

namespace quantcore {

// The lock file inside a staging directory, and the marker of a directory a later run may
// resume (kept, never cleaned).
inline constexpr const char* kLockFile = ".quantlens-lock";
inline constexpr const char* kResumableMarker = ".quantlens-resumable";

// An exclusive flock on `file` (created when missing) for the holder's lifetime.
class TemporaryLock {
public:
  TemporaryLock() = default;
  explicit TemporaryLock(const std::filesystem::path& file);
  ~TemporaryLock();
  TemporaryLock(TemporaryLock&& other) noexcept;
  TemporaryLock& operator=(TemporaryLock&& other) noexcept;
  TemporaryLock(const TemporaryLock&) = delete;
  TemporaryLock& operator=(const TemporaryLock&) = delete;
  void release();

private:
  int fd_ = -1;
};

// Whether a live process holds an flock on `file` now (false when it is missing or free).
bool locked_by_a_live_process(const std::filesystem::path& file);

// Removes, beside `dest`, the temporaries of ours no live process holds: staging directories
// "<dest>.tmp-*" that carry `directory_marker` and an unlocked kLockFile (and no
// kResumableMarker; none with an empty marker), and temporary files ".<name>.tmp-*" that are
// unlocked; either only when last written more than 10 s ago. Returns what it removed; errors
// only leave things in place.
std::vector<std::filesystem::path> remove_abandoned_temporaries(const std::filesystem::path& dest,
                                                                const char* directory_marker);

}  // namespace quantcore
