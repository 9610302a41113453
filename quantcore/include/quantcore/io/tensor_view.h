#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/io/dtype.h"

namespace quantcore {

// A read-only view of one tensor's bytes (little-endian, C order), owned elsewhere.
// `data` need not be aligned to the element size (safetensors offsets are byte offsets):
// copy the bytes (memcpy, or a torch tensor clone) rather than dereferencing a cast pointer.
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  std::size_t nbytes = 0;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

// Where a model's weights come from (a safetensors checkpoint, a llama2.c file, ...),
// addressed by their HF names. Implementations keep the bytes alive as long as they live.
class WeightSource {
public:
  virtual ~WeightSource() = default;
  virtual std::optional<TensorView> find(const std::string& name) const = 0;
  // The tensor's dtype and shape as find() would serve it, without computing its data: a
  // source that would have to (a packed linear's dequantised weight) leaves data null.
  virtual std::optional<TensorView> describe(const std::string& name) const { return find(name); }
  virtual std::vector<std::string> names() const = 0;
  // Where the tensor lives, for error messages.
  virtual std::string location(const std::string& name) const = 0;
};

}  // namespace quantcore
