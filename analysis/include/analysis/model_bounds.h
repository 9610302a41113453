#pragma once
// The paper's eq. (4) error bound for every block linear of a model at one salient ratio, layer
// by layer, from cached activation statistics and the loaded weights (the background half of the
// salient-ratio slider). Each linear's SalientSlider precomputation is built on first use and
// kept, so a later ratio costs only the per-ratio pass. Torch-free header.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/io/model_spec.h"
#include "quantcore/methods/ptq161/options.h"
#include "quantcore/jobs/progress.h"

namespace quantcore {
class CausalLM;
}

namespace analysis {

class SalientSlider;

struct LayerBound {
  int64_t block = 0;
  std::string linear;  // short name from block_linears(spec)
  int64_t out_features = 0;
  int64_t in_features = 0;
  int64_t salient_columns = 0;       // mask size at the pass's ratio (spec §2.2)
  double error_bound = 0.0;          // eq. (4) at the pass's ratio, s = max|x|
  double error_bound_at_zero = 0.0;  // eq. (4) with no salient column: everything binarised
};

struct ModelBoundsPass {
  double ratio = 0.0;
  std::vector<LayerBound> layers;      // every block linear, in ModelBounds::layers() order
  double total_error_bound = 0.0;      // sum of the layers' bounds
  double model_bits_per_weight = 0.0;  // spec §7 [derived] for these masks
  double paper_bits_per_weight = 0.0;  // spec §7 [paper App. A]
};

class ModelBounds {
public:
  struct Options {
    int salient_bits = quantcore::methods::ptq161::kDefaultSalientBits;
    // Precomputations are kept while their estimated size fits; past it a linear is rebuilt on
    // every pass (a 7B model's would be about 1.4x its fp32 weights).
    std::size_t cache_bytes = std::size_t{8} << 30;
  };
  // Keeps `model` alive and copies every linear's max|x| statistic; the weights are read (and
  // copied once to float32) when a linear is first needed. Throws std::out_of_range when the
  // statistics lack a block linear.
  ModelBounds(std::shared_ptr<const quantcore::CausalLM> model, const quantcore::ActivationStats& stats,
              Options options);
  ModelBounds(std::shared_ptr<const quantcore::CausalLM> model, const quantcore::ActivationStats& stats);
  ~ModelBounds();

  // Block linears in pass order: block by block, block_linears(spec) order within a block.
  const std::vector<quantcore::LinearShape>& layers() const { return shapes_; }
  int64_t layer_block(std::size_t index) const { return blocks_[index]; }

  // Evaluates every layer at `ratio` in [0, 1], calling `on_layer(index, bound)` after each, on
  // the calling thread. `cancel` is checked before every layer; when set, throws
  // quantcore::Cancelled with the layers done so far kept for the next pass. Passes on one
  // object run one at a time (a second call waits for the first).
  using LayerCallback = std::function<void(std::size_t index, const LayerBound& bound)>;
  ModelBoundsPass evaluate(double ratio, const quantcore::CancelToken& cancel, const LayerCallback& on_layer = {},
                           quantcore::ProgressSink* progress = nullptr);

  // How many times a linear's precomputation was built (each is built once while it fits the
  // cache), and how many are kept now.
  int64_t layers_built() const { return built_.load(); }
  std::size_t layers_cached() const { return cached_.load(); }

private:
  struct Prepared;
  const Prepared& prepare(std::size_t index, std::unique_ptr<Prepared>& scratch);

  std::shared_ptr<const quantcore::CausalLM> model_;
  Options options_;
  std::vector<quantcore::LinearShape> shapes_;
  std::vector<int64_t> blocks_;
  std::vector<std::vector<float>> statistics_;  // max|x| per layer
  std::vector<std::unique_ptr<Prepared>> cache_;
  std::size_t cached_bytes_ = 0;
  std::atomic<int64_t> built_{0};
  std::atomic<std::size_t> cached_{0};
  std::mutex pass_;  // one pass at a time; guards the cache
};

}  // namespace analysis
