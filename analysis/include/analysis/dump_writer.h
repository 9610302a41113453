#pragma once
// Writes an analysis dump (docs/hdf5-dump.md) block by block into a temporary file beside its
// destination, renamed into place by commit(): a cancelled or failed run leaves nothing under
// the final name. Torch- and HDF5-free header.
#include <filesystem>
#include <memory>

#include "analysis/dump_data.h"

namespace analysis {

// Refuses a destination before any work is done: quantcore::InputError when `path` is a
// directory, exists and `force` is false, or its folder is missing or not writable.
void check_dump_destination(const std::filesystem::path& path, bool force);

class DumpWriter {
public:
  // Creates the temporary file; InputError(path, ...) when its folder cannot take it.
  explicit DumpWriter(const std::filesystem::path& path);
  ~DumpWriter();  // removes the temporary file unless committed
  DumpWriter(const DumpWriter&) = delete;
  DumpWriter& operator=(const DumpWriter&) = delete;

  // Blocks in order 0, 1, ...; each holds one DumpLinear per header linear, in that order
  // (checked against the header at commit). The format fields, `created` and `hdf5_version`
  // of the header are the writer's own; whatever the caller put there is ignored.
  void write_block(const DumpBlock& block);
  void write_header(const DumpHeader& header);
  // Flushes to disk and renames the file over `path`.
  void commit();

private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace analysis
