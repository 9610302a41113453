// GPTQ on one linear (baselines-spec §4.2): seconds for a LLaMA-7B down_proj-shaped layer
// (4096 x 11008 by default) with a Hessian from correlated random inputs. With --dump DIR it
// writes W, H and our W' as raw float32 (row-major) for bench/gptq_layer_eager.py, the PyTorch
// eager peer that times the same layer and compares its W' with ours (bench/gptq_layer.sh runs
// both in one call). Prints one JSON object.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "quantcore/methods/gptq/gptq.h"
#include "quantcore/methods/rtn/rtn.h"

namespace {

void write_raw(const std::filesystem::path& file, const at::Tensor& t) {
  const at::Tensor c = t.to(at::kFloat).contiguous();
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(c.data_ptr<float>()), static_cast<std::streamsize>(c.numel() * 4));
}

// sqrt(tr(ΔHΔᵀ) / tr(WHWᵀ)): the relative output error on the inputs H came from.
double relative_error(const at::Tensor& w, const at::Tensor& wq, const at::Tensor& h) {
  const at::Tensor d = (w - wq).to(at::kDouble), hd = h.to(at::kDouble), wd = w.to(at::kDouble);
  return std::sqrt((d.mm(hd) * d).sum().item<double>() / (wd.mm(hd) * wd).sum().item<double>());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"GPTQ on one linear"};
  int64_t out_features = 4096, in_features = 11008, tokens = 4096;
  quantcore::methods::gptq::GptqOptions o;
  o.bits = 2;
  std::string dump;
  app.add_option("--out-features", out_features);
  app.add_option("--in-features", in_features);
  app.add_option("--tokens", tokens, "Calibration tokens behind H");
  app.add_option("--bits", o.bits);
  app.add_option("--group-size", o.group_size);
  app.add_flag("--act-order", o.act_order);
  app.add_option("--dump", dump, "Write W, H and W' as raw float32 here");
  CLI11_PARSE(app, argc, argv);

  at::manual_seed(0);
  const at::Tensor w = at::randn({out_features, in_features}) * 0.02;
  // Inputs with a shared low-rank part and unequal channel scales, as LLM activations have.
  const at::Tensor x =
      (at::randn({tokens, 64}).mm(at::randn({64, in_features})) * 0.3 + at::randn({tokens, in_features})) *
      at::exp(at::randn({in_features}) * 0.5);
  const at::Tensor h = x.t().mm(x) * (2.0 / static_cast<double>(tokens));

  const auto t0 = std::chrono::steady_clock::now();
  const auto q = quantcore::methods::gptq::quantize_linear(w, h, o, "bench", {}, quantcore::CancelToken());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::vector<float> dense = quantcore::methods::rtn::dequantize(q.grid);
  const at::Tensor wq = at::from_blob(const_cast<float*>(dense.data()), w.sizes(), at::kFloat);
  const std::vector<float> host(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  const std::vector<float> rtn_dense = quantcore::methods::rtn::dequantize(
      quantcore::methods::rtn::quantize(host.data(), out_features, in_features, o.bits, o.group_size));
  const at::Tensor wr = at::from_blob(const_cast<float*>(rtn_dense.data()), w.sizes(), at::kFloat);
  if (!dump.empty()) {
    std::filesystem::create_directories(dump);
    write_raw(std::filesystem::path(dump) / "W.f32", w);
    write_raw(std::filesystem::path(dump) / "H.f32", h);
    write_raw(std::filesystem::path(dump) / "Wq.f32", wq);
  }
  nlohmann::json doc = {{"shape", {out_features, in_features}},
                        {"tokens", tokens},
                        {"bits", o.bits},
                        {"group_size", o.group_size},
                        {"act_order", o.act_order},
                        {"threads", at::get_num_threads()},
                        {"seconds", seconds},
                        {"relative_output_error", relative_error(w, wq, h)},
                        {"rtn_relative_output_error", relative_error(w, wr, h)}};
  std::cout << doc.dump() << "\n";
  return 0;
}
