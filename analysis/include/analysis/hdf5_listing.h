#pragma once
// Everything an HDF5 file holds: groups, datasets and attributes with their types, shapes and
// storage. Checks a dump against dump_schema() without the HDF5 tools. Torch- and HDF5-free header.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace analysis {

struct Hdf5Entry {
  enum class Kind { Group, Dataset, Attribute };
  Kind kind = Kind::Group;
  std::string path;       // the object ("/blocks/000/q_proj/mask"); for attributes, their owner
  std::string attribute;  // the attribute's name (attributes only)
  std::string type;       // as dump_schema.h's type_name() spells it; empty for groups
  bool scalar = false;
  std::vector<int64_t> dims;  // empty for scalars and groups
  bool chunked = false;       // datasets
  bool gzip = false;          // datasets: DEFLATE among the filters
};

// Throws quantcore::InputError naming the file when it is missing or not HDF5.
std::vector<Hdf5Entry> list_hdf5(const std::filesystem::path& file);

}  // namespace analysis
