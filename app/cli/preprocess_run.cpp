#include "preprocess_run.h"

#include <algorithm>
#include <cstdio>

#include "analysis/perplexity.h"
#include "analysis/salient_concentration.h"
#include "command_support.h"
#include "quantcore/io/read_file.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/tokenize/tokenizer.h"
#include "terminal_progress.h"

namespace quantlens_cli {

namespace {

namespace qp = quantcore::preprocess;
namespace qq = quantcore::quantize;

// Loss, learning rate and tokens/s on the terminal about twenty times per run.
class TrainingNotes : public qp::TrainingEvents {
public:
  TrainingNotes(TerminalProgress& progress, int64_t steps, bool quiet)
      : progress_(progress), steps_(steps), quiet_(quiet) {}
  void step(const qp::TrainingStep& s) override {
    if (quiet_) return;
    const int64_t every = std::max<int64_t>(1, steps_ / 20);
    if ((s.step + 1) % every != 0 && s.step + 1 != steps_) return;
    char line[200];
    std::snprintf(line, sizeof line, "LoRA step %lld/%lld: loss %.4f, lr %.3g, grad norm %.3g, %.0f tokens/s",
                  (long long)(s.step + 1), (long long)steps_, s.loss, s.lr, s.grad_norm,
                  s.seconds > 0 ? double(s.tokens) / s.seconds : 0.0);
    progress_.note(line);
  }
  void notice(const std::string& message) override { progress_.note("notice: " + message); }

private:
  TerminalProgress& progress_;
  int64_t steps_;
  bool quiet_;
};

}  // namespace

PreprocessOutcome run_preprocessing(const PreprocessRequest& r) {
  TerminalProgress progress(!r.quiet);
  TerminalNotices events(progress);
  TrainingNotes notes(progress, r.settings->training.steps, r.quiet);
  qq::CacheOptions cache{true, std::nullopt};
  if (!r.cache_dir.empty()) cache.directory = r.cache_dir;
  const quantcore::CancelToken& cancel = interrupt_token();

  PreprocessOutcome out;
  out.result = qp::preprocess(*r.source, *r.settings, r.work, r.resume, cache, events, notes, progress, cancel);
  out.record = out.result.record;
  const qq::QuantizeSettings& first = r.settings->first_pass;
  const qq::OpenModel preprocessed = qq::open_model(r.work.string(), first.compute);

  out.record["concentration"] = nullptr;
  if (!first.calib.empty()) {
    const double ratio = first.method.takes("salient-ratio") ? first.method.real("salient-ratio") : 0.2;
    auto concentration_of = [&](const qq::OpenModel& model) {
      const qq::Calibration c = qq::calibrate(model, first.calib, first.calibration, true, cache, progress, cancel);
      return analysis::concentration_json(
          analysis::salient_concentration(*model.model, *c.stats, c.windows, ratio, progress, cancel));
    };
    // The first pass's W' too: quantisation alone moves the largest weights, LoRA then moves them again.
    out.record["concentration"] = {{"before", concentration_of(*r.source)},
                                   {"first_pass", concentration_of(out.result.first_pass)},
                                   {"after", concentration_of(preprocessed)}};
  }

  out.record["perplexity"] = nullptr;
  if (!r.text.empty()) {
    const std::vector<int32_t> ids = r.source->tokenizer->encode(quantcore::read_file(r.text));
    analysis::PerplexityOptions options;
    options.seqlen =
        r.eval_seqlen > 0 ? r.eval_seqlen : std::min<int64_t>(2048, r.source->checkpoint->spec.max_position_embeddings);
    options.text_name = r.text;
    auto ppl = [&](const qq::OpenModel& m) {
      return analysis::evaluate_perplexity(*m.model, ids, options, progress, cancel).ppl;
    };
    out.record["perplexity"] = {{"text", r.text},
                                {"seqlen", options.seqlen},
                                {"original", ppl(*r.source)},
                                {"first_pass", ppl(out.result.first_pass)},
                                {"preprocessed", ppl(preprocessed)}};
  }
  return out;
}

}  // namespace quantlens_cli
