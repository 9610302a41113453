#include "analysis/preprocess_report.h"

#include <algorithm>

#include "analysis/perplexity.h"
#include "analysis/salient_concentration.h"
#include "quantcore/io/read_file.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/tokenize/tokenizer.h"

namespace analysis {

namespace qq = quantcore::quantize;

nlohmann::json preprocess_report(const qq::OpenModel& source, const quantcore::preprocess::PreprocessSettings& settings,
                                 const quantcore::preprocess::PreprocessResult& result,
                                 const PreprocessReportOptions& options, quantcore::ProgressSink& progress,
                                 const quantcore::CancelToken& cancel) {
  nlohmann::json record = result.record;
  const qq::QuantizeSettings& first = settings.first_pass;
  const qq::OpenModel preprocessed = qq::open_model(result.work.string(), first.compute);

  record["concentration"] = nullptr;
  if (!first.calib.empty()) {
    const double ratio = first.method.takes("salient-ratio") ? first.method.real("salient-ratio") : 0.2;
    auto concentration_of = [&](const qq::OpenModel& model) {
      const qq::Calibration c =
          qq::calibrate(model, first.calib, first.calibration, true, options.cache, progress, cancel);
      return concentration_json(salient_concentration(*model.model, *c.stats, c.windows, ratio, progress, cancel));
    };
    // The first pass's W' too: quantisation alone moves the largest weights, LoRA then moves them again.
    record["concentration"] = {{"before", concentration_of(source)},
                               {"first_pass", concentration_of(result.first_pass)},
                               {"after", concentration_of(preprocessed)}};
  }

  record["perplexity"] = nullptr;
  if (!options.text.empty()) {
    const std::vector<int32_t> ids = source.tokenizer->encode(quantcore::read_file(options.text));
    PerplexityOptions p;
    p.seqlen =
        options.seqlen > 0 ? options.seqlen : std::min<int64_t>(2048, source.checkpoint->spec.max_position_embeddings);
    p.text_name = options.text;
    auto ppl = [&](const qq::OpenModel& m) { return evaluate_perplexity(*m.model, ids, p, progress, cancel).ppl; };
    record["perplexity"] = {{"text", options.text},
                            {"seqlen", p.seqlen},
                            {"original", ppl(source)},
                            {"first_pass", ppl(result.first_pass)},
                            {"preprocessed", ppl(preprocessed)}};
  }
  return record;
}

}  // namespace analysis
