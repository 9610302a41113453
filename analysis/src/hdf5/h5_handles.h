#pragma once
// A small RAII layer over the HDF5 C API: owning handles, typed attributes and datasets.
// Internal to the analysis library; public headers stay free of <hdf5.h>.
//
// Debian's HDF5 is built without thread-safety, so every use holds library_mutex().
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace analysis::h5 {

// A failed HDF5 call; the message says what was being done.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Taken around every use of the library. The first call also stops HDF5 from printing its
// error stack to stderr: failures surface as one-line exceptions instead.
std::recursive_mutex& library_mutex();
// In a forked child (read_in_child): a fresh, unlocked mutex, since another thread of the
// parent may have held it at the fork and will never release the child's copy.
void reset_library_mutex_in_child();
using Lock = std::lock_guard<std::recursive_mutex>;

template <herr_t (*Close)(hid_t)>
class Handle {
public:
  Handle() = default;
  Handle(hid_t id, const std::string& what) : id_(id) {
    if (id_ < 0) throw Error("cannot " + what);
  }
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  void reset() {
    if (id_ >= 0) Close(id_);
    id_ = -1;
  }
  // Closes now and reports failure (a file's final flush happens here).
  void close(const std::string& what) {
    const herr_t status = id_ >= 0 ? Close(id_) : 0;
    id_ = -1;
    if (status < 0) throw Error("cannot " + what);
  }

private:
  hid_t id_ = -1;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Space = Handle<H5Sclose>;
using Type = Handle<H5Tclose>;
using Attribute = Handle<H5Aclose>;
using PropertyList = Handle<H5Pclose>;
using Object = Handle<H5Oclose>;

// Native (memory) and little-endian file types of the element types we store.
template <class T>
struct Types;
template <>
struct Types<float> {
  static hid_t memory() { return H5T_NATIVE_FLOAT; }
  static hid_t file() { return H5T_IEEE_F32LE; }
};
template <>
struct Types<double> {
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
  static hid_t file() { return H5T_IEEE_F64LE; }
};
template <>
struct Types<int64_t> {
  static hid_t memory() { return H5T_NATIVE_INT64; }
  static hid_t file() { return H5T_STD_I64LE; }
};
template <>
struct Types<uint64_t> {
  static hid_t memory() { return H5T_NATIVE_UINT64; }
  static hid_t file() { return H5T_STD_U64LE; }
};
template <>
struct Types<int32_t> {
  static hid_t memory() { return H5T_NATIVE_INT32; }
  static hid_t file() { return H5T_STD_I32LE; }
};
template <>
struct Types<uint8_t> {
  static hid_t memory() { return H5T_NATIVE_UINT8; }
  static hid_t file() { return H5T_STD_U8LE; }
};

Type utf8_string_type();  // variable-length UTF-8, to read dumps written before fixed strings

// A new file in the 1.10 format (checksummed metadata), without libhdf5's own file lock.
File create_file(const std::filesystem::path& path);

Group create_group(hid_t parent, const std::string& name);
Group open_group(hid_t parent, const std::string& name);
bool has_link(hid_t parent, const std::string& name);
bool has_attribute(hid_t object, const std::string& name);

// Attributes: scalars, 1-D arrays, strings.
void write_attribute_raw(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                         const std::vector<hsize_t>& dims, const void* data);
template <class T>
void write_attribute(hid_t object, const std::string& name, T value) {
  write_attribute_raw(object, name, Types<T>::file(), Types<T>::memory(), {}, &value);
}
template <class T>
void write_attribute(hid_t object, const std::string& name, const std::vector<T>& values) {
  write_attribute_raw(object, name, Types<T>::file(), Types<T>::memory(), {values.size()}, values.data());
}
void write_string(hid_t object, const std::string& name, const std::string& value);
void write_strings(hid_t object, const std::string& name, const std::vector<std::string>& values);

// Reads an attribute of `count` elements (1 for a scalar) converted to `memory_type`.
void read_attribute_raw(hid_t object, const std::string& name, hid_t memory_type, size_t count, void* out);
size_t attribute_size(hid_t object, const std::string& name);  // number of elements
template <class T>
T read_attribute(hid_t object, const std::string& name) {
  if (attribute_size(object, name) != 1) throw Error("attribute '" + name + "' is not a single value");
  T value{};
  read_attribute_raw(object, name, Types<T>::memory(), 1, &value);
  return value;
}
template <class T>
std::vector<T> read_attribute_array(hid_t object, const std::string& name) {
  std::vector<T> values(attribute_size(object, name));
  read_attribute_raw(object, name, Types<T>::memory(), values.size(), values.data());
  return values;
}
std::string read_string(hid_t object, const std::string& name);
std::vector<std::string> read_strings(hid_t object, const std::string& name);

// Datasets: chunked (tiles of at most 1 MiB), shuffled and gzip-compressed, unless empty (an
// empty dataset cannot be chunked; it is stored contiguous). Returns the open dataset so that
// attributes can be added.
Dataset write_dataset_raw(hid_t group, const std::string& name, hid_t file_type, hid_t memory_type, size_t element_size,
                          const std::vector<hsize_t>& dims, const void* data);
template <class T>
Dataset write_dataset(hid_t group, const std::string& name, const std::vector<T>& values,
                      std::vector<hsize_t> dims = {}) {
  if (dims.empty()) dims = {values.size()};
  return write_dataset_raw(group, name, Types<T>::file(), Types<T>::memory(), sizeof(T), dims, values.data());
}

// The dataset's dimensions.
std::vector<hsize_t> dataset_dims(hid_t group, const std::string& name);
// Its element count, refused (Error) when more than its stored bytes can hold (for compressed
// chunks, at deflate's maximum ratio): a corrupted header cannot make the reader allocate more
// than the file could expand to.
size_t checked_element_count(hid_t group, const std::string& name, size_t element_size);
void read_dataset_raw(hid_t group, const std::string& name, hid_t memory_type, size_t count, void* out);
template <class T>
std::vector<T> read_dataset(hid_t group, const std::string& name, std::vector<hsize_t>* dims = nullptr) {
  const std::vector<hsize_t> d = dataset_dims(group, name);
  const size_t count = checked_element_count(group, name, sizeof(T));
  std::vector<T> values(count);
  read_dataset_raw(group, name, Types<T>::memory(), count, values.data());
  if (dims) *dims = d;
  return values;
}

// "string" (variable-length UTF-8), "int64", "uint8", "float32", ... as dump_schema.h spells
// them; other types get a descriptive name that matches none of them.
std::string describe_type(hid_t type);

}  // namespace analysis::h5
