#pragma once
// Perplexity (spec §8.1) of a finished quantisation run: its W' dequantised on demand into a
// shallow copy of the source model (kernels "dense"), or its packed forms computed with the
// packed kernels ("packed"), dropped when the evaluation ends. Torch-free.
#include <string>

#include "analysis/perplexity.h"
#include "quantcore/quantize/quantize_job.h"

namespace analysis {

PerplexityResult run_perplexity(const quantcore::quantize::QuantizeResult& run, const std::string& text_path,
                                const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                const quantcore::CancelToken& cancel, const std::string& kernels = "dense");

// The FP baseline: the same text and windows on the model the run started from.
PerplexityResult source_perplexity(const quantcore::quantize::QuantizeResult& run, const std::string& text_path,
                                   const PerplexityOptions& options, quantcore::ProgressSink& progress,
                                   const quantcore::CancelToken& cancel);

}  // namespace analysis
