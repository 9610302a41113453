#include "commands.h"

namespace quantlens_cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
    {"info", "Architecture, dimensions and parameter count of a model", define_info},
    {"tokenize", "Token ids of a text, as the model's tokenizer gives them", define_tokenize},
    {"generate", "Greedy continuation of a prompt", define_generate},
    {"score", "Mean NLL and logit probes of a short text", define_score},
    {"eval",
     "Perplexity of a text file (GPTQ convention), or zero-shot accuracy on a task (lm-evaluation-harness conventions)",
     define_eval},
    {"methods", "The registered quantization methods with their parameters", define_methods},
    {"quantize", "Quantization of a model with a registered method into a new HF or packed directory", define_quantize},
    {"preprocess",
     "Quantization preprocessing: a first pass, restorative LoRA on its weights, and the merged model M_P to quantize",
     define_preprocess},
    {"compare", "Several methods on the same calibration windows, evaluated the same way, as one table",
     define_compare},
    {"export", "An fp16 HF checkpoint of a (packed) model", define_export},
#if QUANTLENS_HAVE_HDF5
    {"dump", "HDF5 analysis dump: activation statistics, masks, analytic PTQ1.61 parameters, saliency", define_dump},
    {"dump-info", "Summary of an HDF5 analysis dump", define_dump_info},
#endif
  };
  return table;
}

}  // namespace quantlens_cli
