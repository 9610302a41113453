#pragma once
// What a finished preprocessing job (quantcore/preprocess/preprocess_job.h) adds to its record,
// for the CLI and the Studio alike: the salient-concentration statistic of M, of the first pass
// and of M_P on the calibration windows, and, with a text, the three models' perplexities.
// Torch-free header.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "quantcore/jobs/progress.h"
#include "quantcore/preprocess/preprocess_job.h"
#include "quantcore/quantize/quantize_job.h"

namespace analysis {

struct PreprocessReportOptions {
  std::string text;    // perplexity text; empty: none
  int64_t seqlen = 0;  // 0: 2048 capped at the context
  quantcore::quantize::CacheOptions cache;
};

// result.record plus "concentration" ({before, first_pass, after}: concentration_json, or null
// without a calibration text) and "perplexity" ({text, seqlen, original, first_pass,
// preprocessed}, or null). M_P is opened from result.work.
nlohmann::json preprocess_report(const quantcore::quantize::OpenModel& source,
                                 const quantcore::preprocess::PreprocessSettings& settings,
                                 const quantcore::preprocess::PreprocessResult& result,
                                 const PreprocessReportOptions& options, quantcore::ProgressSink& progress,
                                 const quantcore::CancelToken& cancel);

}  // namespace analysis
