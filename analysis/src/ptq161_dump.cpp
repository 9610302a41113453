#include "analysis/ptq161_dump.h"

#include "analysis/salient_concentration.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <cmath>
#include <stdexcept>

#include "analysis/dump_writer.h"
#include "analysis/weight_saliency.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/errors.h"
#include "analysis/loss_curves.h"
#include "analysis/salient_concentration.h"
#include "quantcore/methods/ptq161/method.h"
#include "quantcore/methods/ptq161/quantized.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/model/tensor_from_view.h"
#include "quantcore/pack/bits_accounting.h"

namespace analysis {

namespace {

namespace ptq161 = quantcore::methods::ptq161;

std::string linear_prefix(const quantcore::ModelSpec& spec, int64_t block, const std::string& linear) {
  const std::string top = spec.family == quantcore::Family::Opt ? "model.decoder." : "model.";
  return top + "layers." + std::to_string(block) + "." + linear;
}

// W as the checkpoint stores it, fp32 on the CPU (loaders accept names without "model.").
at::Tensor original_weight(const quantcore::Checkpoint& ck, int64_t block, const std::string& linear) {
  const std::string name = linear_prefix(ck.spec, block, linear) + ".weight";
  auto view = ck.weights->find(name);
  if (!view) view = ck.weights->find(name.substr(6));
  if (!view) throw quantcore::InputError(ck.path.string(), "missing tensor '" + name + "'");
  return quantcore::tensor_from_view(*view, at::kFloat, at::Device(at::kCPU));
}

at::Tensor float_tensor(const std::vector<float>& v) { return at::tensor(at::ArrayRef<float>(v), at::kFloat); }

template <class T>
std::vector<T> to_vector(const at::Tensor& t, c10::ScalarType type) {
  at::Tensor c = t.detach().to(at::kCPU, type).contiguous().flatten();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}

// The engine's rule (block_optimizer.cpp, spec §2.2): the chosen statistic ranks the channels;
// MaskStatistic::None selects none.
at::Tensor engine_mask(const quantcore::LinearInputStats& s, int64_t in_features, const DumpSettings& settings) {
  if (settings.mask_statistic == "none") return at::zeros({in_features}, at::kBool);
  const auto& v = settings.mask_statistic == "mean" ? s.mean_abs : s.max_abs;
  return ptq161::salient_channel_mask(float_tensor(v), settings.salient_ratio);
}

// Paper eq. (4) for any W': sum_j s_j sum_i |W'_ij - W_ij|, in float64.
double weighted_error(const at::Tensor& wq, const at::Tensor& w, const at::Tensor& statistic) {
  at::Tensor column_error = (wq - w).abs().to(at::kDouble).sum(0);
  return (column_error * statistic.to(at::kDouble)).sum().item<double>();
}

double relative_error(const at::Tensor& wq, const at::Tensor& w) {
  const double norm = w.to(at::kDouble).norm().item<double>();
  const double diff = (wq - w).to(at::kDouble).norm().item<double>();
  return norm > 0 ? diff / norm : diff;
}

DumpLinear describe_linear(const quantcore::Checkpoint& ck, const quantcore::ActivationStats& stats,
                           const DumpSettings& settings, int64_t block, const quantcore::LinearShape& shape,
                           const ptq161::LinearQuantization* learned, const at::Tensor* final_weight) {
  at::NoGradGuard no_grad;
  const at::Tensor w = original_weight(ck, block, shape.name);
  const quantcore::LinearInputStats& s = stats.at(block, shape.name);
  const at::Tensor mask = learned ? learned->mask.to(at::kCPU) : engine_mask(s, shape.in_features, settings);

  const auto salient = ptq161::quantize_salient(w, static_cast<int>(settings.salient_bits));
  const auto init = ptq161::init_binarization(w, mask);
  const at::Tensor w0 =
      ptq161::dequantized_weight(w, mask, salient.dequantized, init.mean, init.alpha, init.r1, init.r2);
  // eq. (4) weighs columns by the statistic that chose the mask (max |x| when none did).
  const at::Tensor statistic = float_tensor(settings.mask_statistic == "mean" ? s.mean_abs : s.max_abs);

  DumpLinear l;
  l.linear = shape.name;
  l.name = linear_prefix(ck.spec, block, shape.name);
  l.out_features = shape.out_features;
  l.in_features = shape.in_features;
  l.act_max_abs = s.max_abs;
  l.act_mean_abs = s.mean_abs;
  l.mask = to_vector<uint8_t>(mask, at::kByte);
  for (size_t j = 0; j < l.mask.size(); ++j)
    if (l.mask[j]) l.salient_indices.push_back(static_cast<int32_t>(j));
  l.salient_columns = static_cast<int64_t>(l.salient_indices.size());
  l.salient_ratio = static_cast<double>(l.salient_columns) / static_cast<double>(shape.in_features);
  quantcore::BitsOptions bits;
  bits.salient_bits = settings.salient_bits;
  const auto lb = quantcore::layer_bits({shape, l.salient_columns}, bits);
  l.bits = lb.bits_per_weight;
  l.paper_bits = lb.paper.bits_per_weight;
  l.error_bound = weighted_error(w0, w, statistic);
  l.relative_error = relative_error(w0, w);
  l.mu = to_vector<float>(init.mean, at::kFloat);
  l.alpha_init = to_vector<float>(init.alpha, at::kFloat);
  if (learned) {
    const at::Tensor wq = final_weight->detach().to(at::kCPU, at::kFloat);
    l.learned_error_bound = weighted_error(wq, w, statistic);
    l.learned_relative_error = relative_error(wq, w);
    l.alpha = to_vector<float>(learned->alpha, at::kFloat);
    l.r1 = to_vector<float>(learned->r1, at::kFloat);
    l.r2 = to_vector<float>(learned->r2, at::kFloat);
  }
  const at::Tensor wc = w.contiguous();
  const at::Tensor magnitude = wc.abs().contiguous();
  const ConcentrationShares shares =
      concentration_shares(magnitude.data_ptr<float>(), shape.out_features, shape.in_features, l.mask.data());
  l.concentration_in_mask = shares.in_mask;
  l.concentration_top_rows = shares.top_rows;
  l.saliency_map = max_pool_abs(wc.data_ptr<float>(), shape.out_features, shape.in_features);
  l.salient_weights =
      top_magnitude_weights(wc.data_ptr<float>(), shape.out_features, shape.in_features, settings.salient_ratio);
  return l;
}

DumpHeader dump_header(const quantcore::Checkpoint& ck, const DumpSettings& settings, bool quantized) {
  const quantcore::ModelSpec& spec = ck.spec;
  DumpHeader h;
  h.content = quantized ? "quantized" : "statistics";
  h.model = ck.path.string();
  h.architecture = spec.model_type;
  h.family = quantcore::family_name(spec.family);
  h.hidden_size = spec.hidden_size;
  h.intermediate_size = spec.intermediate_size;
  h.num_layers = spec.num_layers;
  h.num_heads = spec.num_heads;
  h.num_kv_heads = spec.num_kv_heads;
  h.vocab_size = spec.vocab_size;
  for (const auto& s : quantcore::block_linears(spec)) h.linears.push_back(s.name);
  h.method = std::string(ptq161::kName);
  h.settings = settings;
  return h;
}

// Both dumps: one block at a time, written as soon as it is described.
void write_dump(const std::filesystem::path& path, const DumpSource& source,
                const quantcore::methods::QuantizedModel* result, const std::map<int64_t, LossCurve>* losses,
                quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  const quantcore::ModelSpec& spec = source.checkpoint.spec;
  const auto shapes = quantcore::block_linears(spec);
  if (result && static_cast<int64_t>(result->blocks.size()) != spec.num_layers)
    throw std::invalid_argument("write_quantization_dump: the result does not cover every block");
  DumpWriter writer(path);
  progress.stage("HDF5 dump", spec.num_layers);
  quantcore::BitsOptions bits;
  bits.salient_bits = source.settings.salient_bits;
  std::vector<quantcore::QuantizedLinear> all;
  for (int64_t b = 0; b < spec.num_layers; ++b) {
    DumpBlock block;
    block.index = b;
    for (size_t j = 0; j < shapes.size(); ++j) {
      cancel.throw_if_requested();
      const ptq161::Ptq161Linear* stored =
          result ? dynamic_cast<const ptq161::Ptq161Linear*>(&result->linear(b, shapes[j].name)) : nullptr;
      if (result && !stored) throw std::invalid_argument("write_quantization_dump: not a PTQ1.61 run");
      const ptq161::LinearQuantization* learned = stored ? &stored->quantization() : nullptr;
      at::Tensor final_weight;
      if (stored) {
        std::vector<uint16_t> w = stored->dequantize_f16();
        final_weight = at::from_blob(w.data(), {stored->out_features(), stored->in_features()}, at::kHalf).clone();
      }
      block.linears.push_back(
          describe_linear(source.checkpoint, source.stats, source.settings, b, shapes[j], learned, &final_weight));
      all.push_back({shapes[j], block.linears.back().salient_columns});
    }
    if (losses) {
      auto it = losses->find(b);
      block.loss = it != losses->end() ? it->second : LossCurve{};
    }
    writer.write_block(block);
    progress.advance(b + 1);
  }
  DumpHeader header = dump_header(source.checkpoint, source.settings, result != nullptr);
  header.bits_per_weight = quantcore::model_bits(all, bits).bits_per_weight;
  writer.write_header(header);
  cancel.throw_if_requested();
  writer.commit();
  progress.finish();
}

}  // namespace

DumpSettings dump_settings(const quantcore::quantize::QuantizeSettings& settings) {
  check_quantization_dump_method(settings.method);
  const quantcore::methods::ptq161::Ptq161Options o = ptq161::options_from(settings.method);
  DumpSettings s;
  s.calib = settings.calib;
  s.nsamples = settings.calibration.nsamples;
  s.seqlen = settings.calibration.seqlen;
  s.seed = settings.calibration.seed;
  s.epochs = o.epochs;
  s.lr_alpha = o.lr_alpha;
  s.lr_r = o.lr_r;
  s.salient_ratio = o.salient_ratio;
  s.salient_bits = o.salient_bits;
  s.learn = o.learn;
  s.loss = o.loss.quantized_branch ? "both" : "fp-only";
  s.nlc = o.loss.nlc;
  s.mask_statistic = ptq161::mask_statistic_name(o.mask_statistic);
  s.vector_dtype = quantcore::vector_dtype_name(o.vector_dtype);
  s.paper_no_mean = o.paper.no_mean;
  s.paper_alpha_l1 = o.paper.alpha_all;
  s.paper_l2_distance = o.loss.l2_distance;
  s.chains = quantcore::optimize::chain_placement_name(settings.chains);
  s.device = settings.compute.device;
  s.dtype = settings.compute.dtype;
  s.spelling = settings.method.spelling();
  s.json = quantcore::quantize::settings_json(settings).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s;
}

void check_quantization_dump_method(const quantcore::methods::MethodSettings& method) {
  if (method.method_name() != ptq161::kName)
    throw quantcore::InputError("--dump", "the analysis dump describes PTQ1.61's masks and scales; " +
                                              std::string(method.method_name()) + " runs have none");
}

void write_statistics_dump(const std::filesystem::path& path, const DumpSource& source,
                           quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  write_dump(path, source, nullptr, nullptr, progress, cancel);
}

void write_quantization_dump(const std::filesystem::path& path, const quantcore::quantize::QuantizeResult& run,
                             quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  if (!run.stats) throw std::invalid_argument("write_quantization_dump: the run has no activation statistics");
  const DumpSource source{*run.source.checkpoint, *run.stats, dump_settings(run.settings)};
  const std::map<int64_t, LossCurve> curves = loss_curves(run.losses);
  write_dump(path, source, run.quantized.get(), &curves, progress, cancel);
}

}  // namespace analysis
