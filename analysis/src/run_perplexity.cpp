#include "analysis/run_perplexity.h"

#include "quantcore/io/read_file.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/tokenize/tokenizer.h"

namespace analysis {

PerplexityResult run_perplexity(const quantcore::quantize::QuantizeResult& run, const std::string& text_path,
                                const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                const quantcore::CancelToken& cancel, const std::string& kernels) {
  const std::vector<int32_t> ids = run.source.tokenizer->encode(quantcore::read_file(text_path));
  PerplexityOptions named = options;
  named.text_name = text_path;
  return evaluate_perplexity(*quantcore::quantize::quantized_model(run, kernels), ids, named, progress, cancel);
}

PerplexityResult source_perplexity(const quantcore::quantize::QuantizeResult& run, const std::string& text_path,
                                   const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                   const quantcore::CancelToken& cancel) {
  const std::vector<int32_t> ids = run.source.tokenizer->encode(quantcore::read_file(text_path));
  PerplexityOptions named = options;
  named.text_name = text_path;
  return evaluate_perplexity(*run.source.model, ids, named, progress, cancel);
}

}  // namespace analysis
