#include "hdf5/h5_file.h"

#include <system_error>

#include "quantcore/io/errors.h"

namespace analysis {

h5::File open_file_for_reading(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw quantcore::InputError(file.string(), "no such file");
  if (!std::filesystem::is_regular_file(file, ec)) throw quantcore::InputError(file.string(), "not a regular file");
  if (H5Fis_hdf5(file.c_str()) <= 0) throw quantcore::InputError(file.string(), "not an HDF5 file");
  const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw quantcore::InputError(file.string(), "cannot open the HDF5 file");
  return h5::File(id, "open");
}

void throw_input_error(const std::filesystem::path& file, const h5::Error& error) {
  throw quantcore::InputError(file.string(), error.what());
}

}  // namespace analysis
