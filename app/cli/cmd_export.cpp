// `quantlens export MODEL --dense-hf --out DIR`: an fp16 HF checkpoint of the (dequantised)
// model, loadable by any HF tool: config.json without quantization_config, model.safetensors,
// tokenizer files.
#include <ATen/ATen.h>

#include <cstdio>
#include <memory>

#include "command_support.h"
#include "commands.h"
#include "output_directory.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/model/tensor_from_view.h"

namespace quantlens_cli {

namespace {
struct ExportArgs {
  bool dense_hf = false;
  std::string out;
  bool force = false;
};
}  // namespace

void define_export(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto a = std::make_shared<ExportArgs>();
  model->add_to(sub);
  sub.add_flag("--dense-hf", a->dense_hf, "Write an fp16 HF checkpoint of the dequantised model")->required();
  sub.add_option("--out", a->out, "Output directory (written atomically)")->required();
  sub.add_flag("--force", a->force, "Replace a non-empty --out directory");
  out->add_to(sub);
  action = [model, out, a] {
    const std::filesystem::path dest = checked_destination(a->out, a->force);
    const quantcore::Checkpoint ck = model->open();
    StagingDir staging(dest);
    const std::filesystem::path& dir = staging.path();
    quantcore::write_text_atomically(dir / "config.json", output_config(ck).dump(2) + "\n");
    quantcore::SafetensorsWriter w;
    const auto expected = quantcore::expected_tensors(ck.spec);
    for (const auto& e : expected) {
      interrupt_token().throw_if_requested();
      add_tensor(w, e.name, quantcore::tensor_from_view(*ck.weights->find(e.name), at::kHalf, at::Device(at::kCPU)));
    }
    w.set_metadata("format", "pt");
    w.write(dir / "model.safetensors");
    copy_tokenizer(ck, dir);
    staging.commit(dest, a->force);
    if (out->json) out->emit({{"out", dest.string()}, {"tensors", expected.size()}, {"dtype", "float16"}});
    else std::printf("Exported %zu tensors (fp16) -> %s\n", expected.size(), dest.string().c_str());
    return 0;
  };
}

}  // namespace quantlens_cli
