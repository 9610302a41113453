#include "hdf5/h5_handles.h"

#include <algorithm>
#include <new>

namespace analysis::h5 {

namespace {
std::recursive_mutex& mutex_storage() {
  static std::recursive_mutex mutex;
  return mutex;
}
}  // namespace

void reset_library_mutex_in_child() { new (&mutex_storage()) std::recursive_mutex(); }

std::recursive_mutex& library_mutex() {
  std::recursive_mutex& mutex = mutex_storage();
  static const bool quiet = [] {
    // No library shutdown at exit: after a failed close (a full disk) libhdf5 1.10 keeps the
    // file's id and crashes closing it again in H5_term_library. Every file is closed
    // explicitly, so nothing depends on that shutdown.
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)quiet;
  return mutex;
}

Type utf8_string_type() {
  Type t(H5Tcopy(H5T_C_S1), "copy the string type");
  if (H5Tset_size(t.get(), H5T_VARIABLE) < 0 || H5Tset_cset(t.get(), H5T_CSET_UTF8) < 0)
    throw Error("cannot set up the UTF-8 string type");
  return t;
}

namespace {

// UTF-8 strings of `size` bytes, NUL-padded: stored inline in the attribute, so that reading one
// never goes through the global heap of variable-length strings, which no format version
// checksums (a corrupted heap crashes libhdf5 1.10 in H5HG_read).
Type fixed_utf8_string_type(size_t size) {
  Type t(H5Tcopy(H5T_C_S1), "copy the string type");
  if (H5Tset_size(t.get(), std::max<size_t>(size, 1)) < 0 || H5Tset_cset(t.get(), H5T_CSET_UTF8) < 0 ||
      H5Tset_strpad(t.get(), H5T_STR_NULLPAD) < 0)
    throw Error("cannot set up the UTF-8 string type");
  return t;
}

}  // namespace

File create_file(const std::filesystem::path& path) {
  PropertyList access(H5Pcreate(H5P_FILE_ACCESS), "create file access properties");
  // The 1.10 file format: object headers, B-trees and heap headers carry checksums, so that
  // corruption is reported instead of followed. The writer holds its own lock (TemporaryLock;
  // HDF5_USE_FILE_LOCKING=TRUE in the environment overrides this and libhdf5 locks instead).
  if (H5Pset_libver_bounds(access.get(), H5F_LIBVER_V110, H5F_LIBVER_V110) < 0 ||
      H5Pset_file_locking(access.get(), false, true) < 0)
    throw Error("cannot set up the file format");
  return File(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), "create the HDF5 file");
}

Group create_group(hid_t parent, const std::string& name) {
  return Group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create group '" + name + "'");
}

Group open_group(hid_t parent, const std::string& name) {
  if (!has_link(parent, name)) throw Error("missing group '" + name + "'");
  return Group(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "open group '" + name + "'");
}

bool has_link(hid_t parent, const std::string& name) { return H5Lexists(parent, name.c_str(), H5P_DEFAULT) > 0; }

bool has_attribute(hid_t object, const std::string& name) { return H5Aexists(object, name.c_str()) > 0; }

namespace {

Space make_space(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return Space(H5Screate(H5S_SCALAR), "create a scalar dataspace");
  return Space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "create a dataspace");
}

Attribute open_attribute(hid_t object, const std::string& name) {
  if (!has_attribute(object, name)) throw Error("missing attribute '" + name + "'");
  return Attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), "open attribute '" + name + "'");
}

size_t element_count(hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0) throw Error("cannot read a dataspace");
  return static_cast<size_t>(n);
}

// Row tiles of at most 1 MiB (h5py's guidance: 10 KiB .. 1 MiB per chunk).
std::vector<hsize_t> chunk_dims(const std::vector<hsize_t>& dims, size_t element_size) {
  const hsize_t budget = std::max<hsize_t>(1, (hsize_t(1) << 20) / element_size);
  std::vector<hsize_t> chunk = dims;
  hsize_t inner = 1;
  for (size_t i = dims.size(); i-- > 1;) {
    chunk[i] = std::min(dims[i], std::max<hsize_t>(1, budget / inner));
    inner *= chunk[i];
  }
  chunk[0] = std::min(dims[0], std::max<hsize_t>(1, budget / inner));
  return chunk;
}

}  // namespace

void write_attribute_raw(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                         const std::vector<hsize_t>& dims, const void* data) {
  Space space = make_space(dims);
  Attribute a(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              "create attribute '" + name + "'");
  if (H5Awrite(a.get(), memory_type, data) < 0) throw Error("cannot write attribute '" + name + "'");
}

void write_string(hid_t object, const std::string& name, const std::string& value) {
  Type t = fixed_utf8_string_type(value.size());
  std::string padded = value;
  padded.resize(std::max<size_t>(value.size(), 1), '\0');
  write_attribute_raw(object, name, t.get(), t.get(), {}, padded.data());
}

void write_strings(hid_t object, const std::string& name, const std::vector<std::string>& values) {
  size_t width = 1;
  for (const std::string& v : values) width = std::max(width, v.size());
  Type t = fixed_utf8_string_type(width);
  std::string packed(values.size() * width, '\0');
  for (size_t i = 0; i < values.size(); ++i) packed.replace(i * width, values[i].size(), values[i]);
  write_attribute_raw(object, name, t.get(), t.get(), {values.size()}, packed.data());
}

namespace {

// The attribute's element count, refused when more than the bytes the file stores for it: what a
// reader allocates from it stays bounded by the file.
size_t checked_attribute_count(hid_t attribute, const std::string& name) {
  Space s(H5Aget_space(attribute), "read the dataspace of '" + name + "'");
  const size_t count = element_count(s.get());
  Type t(H5Aget_type(attribute), "read the type of '" + name + "'");
  const size_t element = std::max<size_t>(1, H5Tget_size(t.get()));
  const hsize_t stored = H5Aget_storage_size(attribute);
  if (count > stored / element)
    throw Error("attribute '" + name + "' declares " + std::to_string(count) + " elements but stores only " +
                std::to_string(stored) + " bytes");
  return count;
}

}  // namespace

size_t attribute_size(hid_t object, const std::string& name) {
  Attribute a = open_attribute(object, name);
  return checked_attribute_count(a.get(), name);
}

void read_attribute_raw(hid_t object, const std::string& name, hid_t memory_type, size_t count, void* out) {
  Attribute a = open_attribute(object, name);
  Space s(H5Aget_space(a.get()), "read the dataspace of '" + name + "'");
  if (element_count(s.get()) != count) throw Error("attribute '" + name + "' has an unexpected size");
  if (count > 0 && H5Aread(a.get(), memory_type, out) < 0)
    throw Error("cannot read attribute '" + name + "' (wrong type?)");
}

std::string read_string(hid_t object, const std::string& name) {
  std::vector<std::string> v = read_strings(object, name);
  if (v.size() != 1) throw Error("attribute '" + name + "' is not a single string");
  return v.front();
}

std::vector<std::string> read_strings(hid_t object, const std::string& name) {
  Attribute a = open_attribute(object, name);
  Type stored(H5Aget_type(a.get()), "read the type of '" + name + "'");
  if (H5Tget_class(stored.get()) != H5T_STRING) throw Error("attribute '" + name + "' is not a string");
  const size_t count = checked_attribute_count(a.get(), name);
  if (H5Tis_variable_str(stored.get()) <= 0) {  // what dumps hold since fixed strings
    const size_t width = std::max<size_t>(1, H5Tget_size(stored.get()));
    Type memory = fixed_utf8_string_type(width);
    std::string raw(width * count, '\0');
    if (count > 0 && H5Aread(a.get(), memory.get(), raw.data()) < 0)
      throw Error("cannot read attribute '" + name + "'");
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) {
      std::string v = raw.substr(i * width, width);
      v.erase(v.find_last_not_of('\0') + 1);
      out.push_back(std::move(v));
    }
    return out;
  }
  // Variable-length strings: dumps written before fixed strings.
  std::vector<char*> raw(count, nullptr);
  Type t = utf8_string_type();
  if (!raw.empty() && H5Aread(a.get(), t.get(), raw.data()) < 0) throw Error("cannot read attribute '" + name + "'");
  std::vector<std::string> out;
  for (char* p : raw) {
    out.emplace_back(p ? p : "");
    if (p) H5free_memory(p);
  }
  return out;
}

Dataset write_dataset_raw(hid_t group, const std::string& name, hid_t file_type, hid_t memory_type, size_t element_size,
                          const std::vector<hsize_t>& dims, const void* data) {
  Space space = make_space(dims);
  PropertyList create(H5Pcreate(H5P_DATASET_CREATE), "create dataset properties");
  const size_t count = element_count(space.get());
  if (count > 0) {
    const std::vector<hsize_t> chunk = chunk_dims(dims, element_size);
    if (H5Pset_chunk(create.get(), static_cast<int>(chunk.size()), chunk.data()) < 0 ||
        H5Pset_shuffle(create.get()) < 0 || H5Pset_deflate(create.get(), 4) < 0 ||
        H5Pset_fletcher32(create.get()) < 0)  // a checksum over each stored chunk
      throw Error("cannot set up compression of '" + name + "'");
  }
  Dataset d(H5Dcreate2(group, name.c_str(), file_type, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT),
            "create dataset '" + name + "'");
  if (count > 0 && H5Dwrite(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    throw Error("cannot write dataset '" + name + "'");
  return d;
}

size_t checked_element_count(hid_t group, const std::string& name, size_t element_size) {
  const std::vector<hsize_t> dims = dataset_dims(group, name);
  size_t count = 1;
  for (hsize_t x : dims)
    if (__builtin_mul_overflow(count, static_cast<size_t>(x), &count))
      throw Error("dataset '" + name + "' declares more elements than memory can address");
  if (count == 0) return 0;
  Dataset d(H5Dopen2(group, name.c_str(), H5P_DEFAULT), "open dataset '" + name + "'");
  PropertyList create(H5Dget_create_plist(d.get()), "read the properties of '" + name + "'");
  const uint64_t stored = H5Dget_storage_size(d.get());
  // deflate expands at most about 1032:1; an unfiltered dataset holds its bytes as they are.
  const int filters = H5Pget_nfilters(create.get());
  const uint64_t ratio = filters > 0 ? 1032 : 1;
  const uint64_t slack = filters > 0 ? (uint64_t(1) << 20) : 0;  // one chunk's worth of headers and padding
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(uint64_t(count), uint64_t(element_size), &bytes) || bytes > stored * ratio + slack)
    throw Error("dataset '" + name + "' declares " + std::to_string(count) + " elements but stores only " +
                std::to_string(stored) + " bytes");
  return count;
}

std::vector<hsize_t> dataset_dims(hid_t group, const std::string& name) {
  if (!has_link(group, name)) throw Error("missing dataset '" + name + "'");
  Dataset d(H5Dopen2(group, name.c_str(), H5P_DEFAULT), "open dataset '" + name + "'");
  Space s(H5Dget_space(d.get()), "read the dataspace of '" + name + "'");
  const int rank = H5Sget_simple_extent_ndims(s.get());
  if (rank < 0) throw Error("cannot read the dataspace of '" + name + "'");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(s.get(), dims.data(), nullptr);
  return dims;
}

void read_dataset_raw(hid_t group, const std::string& name, hid_t memory_type, size_t count, void* out) {
  if (!has_link(group, name)) throw Error("missing dataset '" + name + "'");
  Dataset d(H5Dopen2(group, name.c_str(), H5P_DEFAULT), "open dataset '" + name + "'");
  Space s(H5Dget_space(d.get()), "read the dataspace of '" + name + "'");
  if (element_count(s.get()) != count) throw Error("dataset '" + name + "' has an unexpected size");
  if (count > 0 && H5Dread(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    throw Error("cannot read dataset '" + name +
                "' (corrupted: its checksum or decompression failed, or not the schema's type)");
}

std::string describe_type(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_STRING: {
      // Fixed-length (written now) and variable-length (older dumps) UTF-8 both read as strings.
      return H5Tget_cset(type) == H5T_CSET_UTF8 ? "string" : "ascii-string";
    }
    case H5T_INTEGER: {
      const std::string sign = H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int";
      const std::string order = H5Tget_order(type) == H5T_ORDER_LE ? "" : "-be";
      return sign + std::to_string(8 * H5Tget_size(type)) + order;
    }
    case H5T_FLOAT: {
      const std::string order = H5Tget_order(type) == H5T_ORDER_LE ? "" : "-be";
      return "float" + std::to_string(8 * H5Tget_size(type)) + order;
    }
    default: return "other";
  }
}

}  // namespace analysis::h5
