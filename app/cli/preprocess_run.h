#pragma once
// The preprocessing chain as the CLI runs it (`preprocess`, and `quantize --preprocess`): the
// job, then the concentration statistic of M and M_P and, with a text, the three models'
// perplexities, recorded in preprocess.json and the --json document.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "quantcore/preprocess/preprocess_job.h"
#include "quantcore/quantize/quantize_job.h"

namespace quantlens_cli {

struct PreprocessRequest {
  const quantcore::quantize::OpenModel* source = nullptr;
  const quantcore::preprocess::PreprocessSettings* settings = nullptr;
  std::filesystem::path work;
  bool resume = false;
  std::string cache_dir;  // empty: the default
  std::string text;       // perplexity text; empty: none
  int64_t eval_seqlen = 0;
  bool quiet = false;
};

struct PreprocessOutcome {
  quantcore::preprocess::PreprocessResult result;
  nlohmann::json record;  // result.record plus "concentration" and "perplexity"
};

PreprocessOutcome run_preprocessing(const PreprocessRequest& request);

}  // namespace quantlens_cli
