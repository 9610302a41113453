#pragma once
// Writing a directory all at once: a staging directory beside the destination, renamed into
// place when complete. Torch-free.
//
// What --force may replace is only a directory QuantLens wrote: each staging directory carries
// the marker file kOutputMarker, and a non-empty destination without it is never removed. An
// output that is, contains or lies inside one of the command's inputs is refused before any work
// (docs/reliability.md).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/io/temporaries.h"

namespace quantcore::outputs {

inline constexpr const char* kOutputMarker = ".quantlens-output";

// A temporary directory beside the destination, removed unless committed: a cancelled or failed
// job never leaves anything under the final name. While it lives it holds the flock of its
// kLockFile, so that a run killed outright leaves a directory the next run recognises as
// abandoned (remove_abandoned_staging).
class StagingDir {
public:
  explicit StagingDir(const std::filesystem::path& dest);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Renames the staging directory to dest. An existing dest is replaced only when it is an empty
  // directory, or, with `force`, a directory holding kOutputMarker (moved aside first, removed
  // once the new one is in place); anything else is an InputError naming dest.
  void commit(const std::filesystem::path& dest, bool force);

private:
  std::filesystem::path path_;
  TemporaryLock lock_;
};

// Removes the staging directories and temporary files that runs killed outright (SIGKILL, a
// second Ctrl-C, a crash) left beside `dest`; returns what it removed, for the caller to report.
std::vector<std::filesystem::path> remove_abandoned_staging(const std::filesystem::path& dest);

// The absolute, normalised form of an output path as given (`out/` names `out`).
std::filesystem::path destination_path(const std::string& out);

// A run killed between the two renames of a forced commit leaves no output, only the previous
// one moved aside as DEST.replaced-XXXXXX: renames that back to DEST (the absolute form of
// `out`) and returns where it was. Called before checked_destination, which then sees the
// restored output. Nothing happens when DEST exists and is not an empty directory, when no single
// such directory is there, when a live run is staging an output for DEST (its commit may be
// between the renames), or when DEST or the aside overlaps one of `inputs`.
std::optional<std::filesystem::path> restore_interrupted_replacement(const std::string& out,
                                                                     const std::vector<std::filesystem::path>& inputs);

// The absolute destination, checked before any work: InputError when it equals, contains or
// lies inside one of `inputs` (symbolic links resolved), when it exists, is not empty and
// `force` is not set, and when `force` would replace something QuantLens did not write.
std::filesystem::path checked_destination(const std::string& out, bool force,
                                          const std::vector<std::filesystem::path>& inputs = {});

// InputError when `output` (a file or directory about to be written) equals, contains or lies
// inside one of `inputs`, symbolic links resolved; empty paths are ignored. `what` names the
// others in the message ("the input", "the output directory").
void check_output_apart_from_inputs(const std::filesystem::path& output,
                                    const std::vector<std::filesystem::path>& inputs,
                                    const std::string& what = "the input");

}  // namespace quantcore::outputs
