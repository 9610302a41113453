#pragma once
// The stored form of a linear binarised by BiLLM or ARB-LLM (baselines-spec §2.4-§2.5, §7.4-§7.5):
// bit planes, fp16 scalars per (row, block) and ARB-RC's fp16 column scales, built block by block
// from the algorithm's fits. Q of a block is decoded from what was just stored, so the W' the
// compensation sees, dequantize() and the exported fp16 weights are one and the same. Torch-free.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/methods/billm/binary_layout.h"
#include "quantcore/methods/billm/zone_fit.h"
#include "quantcore/methods/quantized_linear.h"

namespace quantcore::methods::billm {

// Bits in push order, 8 to a byte from the least significant bit.
struct BitPlane {
  int64_t size = 0;
  std::vector<uint8_t> bytes;

  void push(bool bit) {
    if (size % 8 == 0) bytes.push_back(0);
    if (bit) bytes.back() = static_cast<uint8_t>(bytes.back() | (1u << (size % 8)));
    ++size;
  }
  bool get(int64_t i) const { return (bytes[static_cast<size_t>(i / 8)] >> (i % 8)) & 1u; }
};

// Blocks of layout.block_size columns, left to right (the last may be narrower). Planes are
// block-major, each block's entries row-major. A sign bit is 1 for b = +1, 0 for b = -1; the
// code's sign(0) = 0 has no code and is stored as +1 (it changes W' only where its scale is not
// 0: counted by append_block).
struct BinarizedLinear {
  BinaryLayout layout;
  int64_t rows = 0;
  int64_t cols = 0;
  BitPlane salient;                     // [cols]: 1 = salient column of its block
  BitPlane signs;                       // b, or b_1 in order-2 zones: every entry
  BitPlane second_signs;                // b_2: the salient columns' entries
  BitPlane groups;                      // 1 = sparse (M2, or Ss with CGB): non-salient entries, every entry with CGB
  std::vector<uint16_t> row_scalars;    // per block [rows][zones]: μ_1 α_1 [μ_2] α_2 (means first per order)
  std::vector<uint16_t> column_scales;  // ARB-RC: per block, zone, order, the zone's columns ascending

  int64_t blocks() const { return (cols + layout.block_size - 1) / layout.block_size; }
  int64_t columns_stored() const { return salient.size; }
  int64_t salient_count() const;
  std::vector<int64_t> salient_per_block() const;
};

BinarizedLinear empty_binarized(const BinaryLayout& layout, int64_t rows, int64_t cols);

// The algorithm's result for the next block: its salient columns, which entries are in the sparse
// zone of their columns, and one fit per zone (layout.zones(), stored order), each over the whole
// block (only the zone's entries are read).
struct BlockFit {
  std::vector<int64_t> salient_columns;  // block-relative, ascending
  Mask sparse;                           // [rows * width]
  std::vector<ZoneFit> zones;
};

// Appends the block (fp16 scalars, sign bits) and returns its Q decoded from the stored data.
// `changed_zero_signs` (optional) is increased by the entries whose sign(0) = 0 was stored as +1
// under a nonzero scale.
Matrix append_block(BinarizedLinear& q, const BlockFit& fit, int64_t* changed_zero_signs = nullptr);

// W' [rows, cols] row-major, fp32.
std::vector<float> dequantize(const BinarizedLinear& q);

// Every stored bit, counted from the planes and scalar vectors (= layout.stored_bits(rows, cols,
// salient_count()) for a complete form).
int64_t stored_bits(const BinarizedLinear& q);

// The run's stored form of block linear `name`; `details` (percdamp, ...) join its own figures in
// summary.json. Its planes and scalars go into quantization.safetensors; it has no packed form.
std::shared_ptr<const QuantizedLinear> make_quantized_binarized(std::string name, BinarizedLinear q,
                                                                nlohmann::json details);

}  // namespace quantcore::methods::billm
