#include "quantcore/pack/packed_format.h"

#include <cstring>
#include <regex>
#include <set>
#include <stdexcept>

#include "quantcore/io/errors.h"
#include "quantcore/pack/bit_packing.h"
#include "quantcore/pack/half_float.h"

namespace quantcore::packed {
namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

DType stored(VectorDType d) { return d == VectorDType::F16 ? DType::F16 : DType::F32; }

void add_vector(SafetensorsWriter& w, const std::string& name, const std::vector<float>& v, VectorDType dtype) {
  const std::vector<int64_t> shape = {static_cast<int64_t>(v.size())};
  if (dtype == VectorDType::F32) {
    w.add(name, DType::F32, shape, v.data(), v.size() * sizeof(float));
    return;
  }
  std::vector<uint16_t> bits(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    bits[i] = half_from_float(v[i]);
    if (float_from_half(bits[i]) != v[i])
      throw std::invalid_argument("packed linear: " + name + " holds a value not representable in fp16");
  }
  w.add(name, DType::F16, shape, bits.data(), bits.size() * sizeof(uint16_t));
}

// The entry `name` of `file`, checked for dtype and shape.
TensorView checked_entry(const SafetensorsFile& file, const std::string& name, DType dtype,
                         const std::vector<int64_t>& shape) {
  const SafetensorsEntry* e = file.entry(name);
  if (!e) throw InputError(file.path().string(), "missing tensor " + quoted(name));
  if (e->dtype != dtype)
    throw InputError(file.path().string(), "tensor " + quoted(name) + " has dtype " + safetensors_name(e->dtype) +
                                               " but the packed format stores " + safetensors_name(dtype));
  if (e->shape != shape)
    throw InputError(file.path().string(), "tensor " + quoted(name) + " has shape " + shape_text(e->shape) +
                                               " but the packed format expects " + shape_text(shape));
  return file.view(*e);
}

template <typename T>
std::vector<T> copy_out(const TensorView& v) {
  std::vector<T> out(v.nbytes / sizeof(T));
  if (v.nbytes) std::memcpy(out.data(), v.data, v.nbytes);
  return out;
}

std::vector<float> read_vector(const SafetensorsFile& file, const std::string& name, int64_t length,
                               VectorDType dtype) {
  const TensorView v = checked_entry(file, name, stored(dtype), {length});
  if (dtype == VectorDType::F32) return copy_out<float>(v);
  const std::vector<uint16_t> bits = copy_out<uint16_t>(v);
  std::vector<float> out(bits.size());
  for (size_t i = 0; i < bits.size(); ++i) out[i] = float_from_half(bits[i]);
  return out;
}

int parse_int(const SafetensorsFile& file, const std::map<std::string, std::string>& meta, const char* key) {
  const auto it = meta.find(key);
  if (it == meta.end()) throw InputError(file.path().string(), std::string("__metadata__ lacks ") + quoted(key));
  try {
    size_t used = 0;
    const int v = std::stoi(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {}
  throw InputError(file.path().string(),
                   std::string("__metadata__ ") + quoted(key) + " is " + quoted(it->second) + ", not an integer");
}

}  // namespace

std::vector<QuantizedWeight> quantized_weights(const ModelSpec& spec) {
  const std::vector<LinearShape> shapes = block_linears(spec);
  std::map<std::pair<int64_t, std::string>, std::string> names;
  static const std::regex re(R"(^(.*\.)?layers\.(\d+)\.(.+)\.weight$)");
  for (const ExpectedTensor& e : expected_tensors(spec)) {
    std::smatch m;
    if (std::regex_match(e.name, m, re)) names[{std::stoll(m[2].str()), m[3].str()}] = e.name;
  }
  std::vector<QuantizedWeight> out;
  for (int64_t b = 0; b < spec.num_layers; ++b) {
    for (const LinearShape& s : shapes) {
      const auto it = names.find({b, s.name});
      if (it == names.end()) throw std::logic_error("no weight tensor for block linear " + s.name);
      const std::string& w = it->second;
      out.push_back({w, w.substr(0, w.size() - 7), b, s.name, s.out_features, s.in_features});
    }
  }
  return out;
}

void write_packed_weights(const std::filesystem::path& file, const ModelSpec& spec, const WeightSource& source,
                          const std::map<std::string, const PackedLinear*>& linears, const FormatSettings& settings) {
  SafetensorsWriter w;
  std::set<std::string> quantized;
  for (const QuantizedWeight& q : quantized_weights(spec)) {
    const auto it = linears.find(q.weight_name);
    if (it == linears.end()) throw std::invalid_argument("packed checkpoint: no stored form for " + q.weight_name);
    const PackedLinear& l = *it->second;
    check_consistent(l);
    if (l.out_features != q.out_features || l.in_features != q.in_features || l.code_bits != settings.code_bits ||
        l.vector_dtype != settings.vector_dtype)
      throw std::invalid_argument("packed checkpoint: stored form of " + q.weight_name + " does not match");
    const int64_t n = l.out_features, k = l.salient_count();
    const std::string p = q.prefix + ".";
    w.add(p + kSigns, DType::U32, {n, words_per_row(l.binarised_count(), 1)}, l.signs.data(), l.signs.size() * 4);
    w.add(p + kCodes, DType::U32, {n, words_per_row(k, l.code_bits)}, l.codes.data(), l.codes.size() * 4);
    w.add(p + kSalientColumns, DType::I32, {k}, l.salient_columns.data(), l.salient_columns.size() * 4);
    add_vector(w, p + kA, l.a, l.vector_dtype);
    add_vector(w, p + kC, l.c, l.vector_dtype);
    add_vector(w, p + kR2, l.r2, l.vector_dtype);
    add_vector(w, p + kScale, l.scale, l.vector_dtype);
    add_vector(w, p + kZero, l.zero, l.vector_dtype);
    quantized.insert(q.weight_name);
  }
  for (const ExpectedTensor& e : expected_tensors(spec)) {
    if (quantized.count(e.name)) continue;
    const std::optional<TensorView> v = source.find(e.name);
    if (!v) throw InputError(source.location(e.name), "missing tensor " + quoted(e.name));
    w.add(e.name, v->dtype, v->shape, v->data, v->nbytes);
  }
  w.set_metadata("format", "pt");
  w.set_metadata(kFormatKey, kFormatName);
  w.set_metadata(kVersionKey, std::to_string(kFormatVersion));
  w.set_metadata(kMethodKey, settings.method);
  w.set_metadata(kVectorDTypeKey, vector_dtype_name(settings.vector_dtype));
  w.set_metadata(kCodeBitsKey, std::to_string(settings.code_bits));
  w.set_metadata(kSalientBitsKey, std::to_string(settings.salient_bits));
  w.write(file);
}

FormatSettings read_format_settings(const SafetensorsFile& file) {
  const auto& meta = file.metadata();
  const std::string path = file.path().string();
  const auto tag = meta.find(kFormatKey);
  if (tag == meta.end() || tag->second != kFormatName)
    throw InputError(path, std::string("not a packed checkpoint (__metadata__ ") + quoted(kFormatKey) + " is not " +
                               quoted(kFormatName) + ")");
  const int version = parse_int(file, meta, kVersionKey);
  if (version != kFormatVersion)
    throw InputError(path, "packed format version " + std::to_string(version) + " is not supported (this build reads " +
                               std::to_string(kFormatVersion) + ")");
  FormatSettings s;
  const auto method = meta.find(kMethodKey);
  if (method == meta.end() || method->second.empty())
    throw InputError(path, std::string("__metadata__ ") + quoted(kMethodKey) + " is missing");
  s.method = method->second;
  const auto vd = meta.find(kVectorDTypeKey);
  if (vd == meta.end() || (vd->second != "fp16" && vd->second != "fp32"))
    throw InputError(path, std::string("__metadata__ ") + quoted(kVectorDTypeKey) + " must be 'fp16' or 'fp32'");
  s.vector_dtype = vd->second == "fp16" ? VectorDType::F16 : VectorDType::F32;
  s.code_bits = parse_int(file, meta, kCodeBitsKey);
  if (s.code_bits != 4 && s.code_bits != 8)
    throw InputError(path, std::string("__metadata__ ") + quoted(kCodeBitsKey) + " must be 4 or 8");
  s.salient_bits = parse_int(file, meta, kSalientBitsKey);
  if (s.salient_bits < 1 || s.salient_bits > s.code_bits)
    throw InputError(path, std::string("__metadata__ ") + quoted(kSalientBitsKey) + " must lie in [1, code bits]");
  return s;
}

PackedLinear read_packed_linear(const SafetensorsFile& file, const QuantizedWeight& q, const FormatSettings& s) {
  const std::string p = q.prefix + ".";
  const int64_t n = q.out_features, m = q.in_features;
  const std::string columns_name = p + kSalientColumns;
  const SafetensorsEntry* ce = file.entry(columns_name);
  if (!ce) throw InputError(file.path().string(), "missing tensor " + quoted(columns_name));
  if (ce->shape.size() != 1 || ce->shape[0] > m)
    throw InputError(file.path().string(), "tensor " + quoted(columns_name) + " has shape " + shape_text(ce->shape) +
                                               " but the packed format expects [k] with k <= " + std::to_string(m));
  const int64_t k = ce->shape[0];

  PackedLinear l;
  l.out_features = n;
  l.in_features = m;
  l.code_bits = s.code_bits;
  l.vector_dtype = s.vector_dtype;
  l.salient_columns = copy_out<int32_t>(checked_entry(file, columns_name, DType::I32, {k}));
  for (int64_t j = 0; j < k; ++j) {
    const int32_t col = l.salient_columns[static_cast<size_t>(j)];
    if (col < 0 || col >= m || (j > 0 && col <= l.salient_columns[static_cast<size_t>(j - 1)]))
      throw InputError(
          file.path().string(),
          "tensor " + quoted(columns_name) + " must hold strictly ascending columns in [0, " + std::to_string(m) + ")");
  }
  l.signs = copy_out<uint32_t>(checked_entry(file, p + kSigns, DType::U32, {n, words_per_row(m - k, 1)}));
  l.codes = copy_out<uint32_t>(checked_entry(file, p + kCodes, DType::U32, {n, words_per_row(k, s.code_bits)}));
  l.a = read_vector(file, p + kA, n, s.vector_dtype);
  l.c = read_vector(file, p + kC, n, s.vector_dtype);
  l.r2 = read_vector(file, p + kR2, m, s.vector_dtype);
  l.scale = read_vector(file, p + kScale, n, s.vector_dtype);
  l.zero = read_vector(file, p + kZero, n, s.vector_dtype);
  return l;
}

}  // namespace quantcore::packed
