#include "analysis/hdf5_listing.h"

#include "hdf5/h5_file.h"
#include "hdf5/h5_handles.h"

namespace analysis {

namespace {

// Exceptions must not cross HDF5's C frames: callbacks keep the first error and stop the walk.
struct Visit {
  std::vector<Hdf5Entry>* out;
  std::string owner;
  std::string error;
};

template <class F>
herr_t guarded(Visit& v, F&& body) {
  try {
    body();
    return 0;
  } catch (const std::exception& e) {
    v.error = e.what();
    return -1;
  }
}

void fill_space(hid_t space, Hdf5Entry& e) {
  e.scalar = H5Sget_simple_extent_type(space) == H5S_SCALAR;
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? static_cast<size_t>(rank) : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  for (hsize_t d : dims) e.dims.push_back(static_cast<int64_t>(d));
}

herr_t on_attribute(hid_t owner, const char* name, const H5A_info_t*, void* data) {
  auto* v = static_cast<Visit*>(data);
  return guarded(*v, [&] {
    Hdf5Entry e;
    e.kind = Hdf5Entry::Kind::Attribute;
    e.path = v->owner;
    e.attribute = name;
    h5::Attribute a(H5Aopen(owner, name, H5P_DEFAULT), std::string("open attribute '") + name + "'");
    h5::Type t(H5Aget_type(a.get()), "read an attribute type");
    h5::Space s(H5Aget_space(a.get()), "read an attribute dataspace");
    e.type = h5::describe_type(t.get());
    fill_space(s.get(), e);
    v->out->push_back(std::move(e));
  });
}

void list_attributes(hid_t object, const std::string& path, std::vector<Hdf5Entry>& out) {
  Visit v{&out, path, {}};
  if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, on_attribute, &v) < 0)
    throw h5::Error(v.error.empty() ? "cannot list the attributes of '" + path + "'" : v.error);
}

herr_t on_link(hid_t root, const char* name, const H5L_info_t*, void* data) {
  auto* v = static_cast<Visit*>(data);
  return guarded(*v, [&] {
    std::vector<Hdf5Entry>* out = v->out;
    const std::string path = std::string("/") + name;
    h5::Object o(H5Oopen(root, name, H5P_DEFAULT), "open '" + path + "'");
    Hdf5Entry e;
    e.path = path;
    const H5I_type_t kind = H5Iget_type(o.get());
    if (kind == H5I_GROUP) {
      e.kind = Hdf5Entry::Kind::Group;
    } else if (kind == H5I_DATASET) {
      e.kind = Hdf5Entry::Kind::Dataset;
      h5::Type t(H5Dget_type(o.get()), "read a dataset type");
      h5::Space s(H5Dget_space(o.get()), "read a dataset dataspace");
      e.type = h5::describe_type(t.get());
      fill_space(s.get(), e);
      h5::PropertyList p(H5Dget_create_plist(o.get()), "read dataset properties");
      e.chunked = H5Pget_layout(p.get()) == H5D_CHUNKED;
      for (int i = 0; i < H5Pget_nfilters(p.get()); ++i) {
        unsigned flags = 0;
        size_t n = 0;
        unsigned config = 0;
        if (H5Pget_filter2(p.get(), static_cast<unsigned>(i), &flags, &n, nullptr, 0, nullptr, &config) ==
            H5Z_FILTER_DEFLATE)
          e.gzip = true;
      }
    } else {
      return;  // named datatypes: not part of our files
    }
    out->push_back(e);
    list_attributes(o.get(), path, *out);
  });
}

}  // namespace

std::vector<Hdf5Entry> list_hdf5(const std::filesystem::path& file) {
  h5::Lock lock(h5::library_mutex());
  h5::File f = open_file_for_reading(file);
  std::vector<Hdf5Entry> out;
  try {
    Hdf5Entry root;
    root.path = "/";
    out.push_back(root);
    list_attributes(f.get(), "/", out);
    Visit v{&out, "/", {}};
    if (H5Lvisit(f.get(), H5_INDEX_NAME, H5_ITER_INC, on_link, &v) < 0)
      throw h5::Error(v.error.empty() ? "cannot walk the file" : v.error);
  } catch (const h5::Error& e) {
    throw_input_error(file, e);
  }
  return out;
}

}  // namespace analysis
