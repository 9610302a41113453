#pragma once
// Opening dumps for reading, with the user-facing errors.
#include <filesystem>

#include "hdf5/h5_handles.h"

namespace analysis {

// quantcore::InputError(file, why) for a missing, unreadable or non-HDF5 file.
h5::File open_file_for_reading(const std::filesystem::path& file);
[[noreturn]] void throw_input_error(const std::filesystem::path& file, const h5::Error& error);

}  // namespace analysis
