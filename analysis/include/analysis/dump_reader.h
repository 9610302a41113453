#pragma once
// Reads an analysis dump (docs/hdf5-dump.md) back into plain C++ data: the header at open, the
// blocks on demand. Every problem with the file is a quantcore::InputError naming it and what
// is wrong. Torch- and HDF5-free header.
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "analysis/dump_data.h"

namespace analysis {

class DumpReader {
public:
  // Refuses a missing file, a file that is not HDF5, not a QuantLens dump, or of a newer
  // format version. The whole file is first read and validated in a child process, so that a
  // file that crashes or hangs libhdf5 is an InputError here, not the end of this process.
  // `read_limit` bounds that child's time (zero: read_limit_for(path), read_in_child.h).
  explicit DumpReader(const std::filesystem::path& path, std::chrono::milliseconds read_limit = {});
  ~DumpReader();
  DumpReader(const DumpReader&) = delete;
  DumpReader& operator=(const DumpReader&) = delete;

  const DumpHeader& header() const;
  DumpBlock read_block(int64_t index) const;  // 0 <= index < header().num_layers
  std::vector<DumpBlock> read_blocks() const;

private:
  struct InProcess {};
  DumpReader(const std::filesystem::path& path, InProcess);  // no child: what the child runs
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace analysis
