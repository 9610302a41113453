#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quantcore/io/model_spec.h"
#include "quantcore/io/tensor_view.h"

namespace quantcore {

// A llama2.c checkpoint (legacy export v0: 7 x int32 header, then fp32 weights), exposed under
// HF LLaMA names. wq/wk are permuted from llama2.c's interleaved rotary layout to HF's
// rotate-half layout at import, so one forward pass serves both.
class Llama2cCheckpoint : public WeightSource {
public:
  explicit Llama2cCheckpoint(const std::filesystem::path& bin);
  const ModelSpec& spec() const { return spec_; }
  std::optional<TensorView> find(const std::string& name) const override;
  std::vector<std::string> names() const override;
  std::string location(const std::string& name) const override;

private:
  struct Owned {
    std::vector<int64_t> shape;
    std::vector<float> values;
  };
  std::filesystem::path path_;
  ModelSpec spec_;
  std::map<std::string, Owned> tensors_;
};

}  // namespace quantcore
