#pragma once
// A method's compact result for one linear and for a whole model: W' dequantised on demand, its
// bits, its stored parameters. Torch-free.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/io/safetensors.h"
#include "quantcore/pack/input_quantization.h"
#include "quantcore/pack/packed_linear.h"

namespace quantcore::methods {

class QuantizedLinear {
public:
  virtual ~QuantizedLinear() = default;
  virtual const std::string& linear() const = 0;  // short name from block_linears(spec)
  virtual int64_t out_features() const = 0;
  virtual int64_t in_features() const = 0;
  virtual int64_t salient_columns() const { return 0; }
  // Every bit this form stores, counted from its own data.
  virtual int64_t stored_bits() const = 0;
  // fp16(W') [n, m] row-major as binary16 bits: what fake-quant and dense exports hold.
  virtual std::vector<uint16_t> dequantize_f16() const = 0;
  // The packed checkpoint's form, when the method has one.
  virtual const PackedLinear* packed() const { return nullptr; }
  // Its parameters into quantization.safetensors, named PREFIX + field.
  virtual void add_parameters(SafetensorsWriter& writer, const std::string& prefix) const = 0;
  // How the linear's input is quantised when the model computes with this form (bits 0: it is
  // not); dequantize_f16() is then the weight for the input s ⊙ Q(x / s).
  virtual InputQuantization input_quantization() const { return {}; }
  // Method-specific figures for summary.json (may be empty).
  virtual nlohmann::json details() const { return nlohmann::json::object(); }
};

struct QuantizedBlock {
  int64_t block = 0;
  std::vector<std::shared_ptr<const QuantizedLinear>> linears;  // in block_linears(spec) order
};

struct QuantizedModel {
  std::vector<QuantizedBlock> blocks;
  // Throws std::out_of_range when absent.
  const QuantizedLinear& linear(int64_t block, const std::string& name) const;
  // Bytes held by the stored forms (an estimate of the run's memory).
  int64_t stored_bytes() const;
};

}  // namespace quantcore::methods
