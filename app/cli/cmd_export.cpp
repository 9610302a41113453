// `quantlens export MODEL --dense-hf --out DIR`: an fp16 HF checkpoint of the (dequantised)
// model, loadable by any HF tool: config.json without quantization_config, model.safetensors,
// tokenizer files.
#include <cstdio>
#include <memory>

#include "command_support.h"
#include "commands.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/model_spec.h"

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
    using namespace quantcore::outputs;
    const std::vector<std::filesystem::path> inputs = model->inputs();
    report_restored_output(restore_interrupted_replacement(a->out, inputs), a->out);
    const std::filesystem::path dest = checked_destination(a->out, a->force, inputs);
    report_removed_temporaries(remove_abandoned_staging(dest));
    const quantcore::Checkpoint ck = model->open();
    StagingDir staging(dest);
    quantcore::NullProgress progress;
    write_dense_model(ck, nullptr, staging.path(), progress, interrupt_token());
    staging.commit(dest, a->force);
    const size_t tensors = quantcore::expected_tensors(ck.spec).size();
    if (out->json)
      out->emit({{"out", dest.string()}, {"tensors", tensors}, {"dtype", "float16"}});
    else
      std::printf("Exported %zu tensors (fp16) -> %s\n", tensors, dest.string().c_str());
    return 0;
  };
}

}  // namespace quantlens_cli
