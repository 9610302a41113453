#include "preprocess_run.h"

#include <algorithm>
#include <cstdio>

#include "analysis/preprocess_report.h"
#include "command_support.h"
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
  out.record =
      analysis::preprocess_report(*r.source, *r.settings, out.result, {r.text, r.eval_seqlen, cache}, progress, cancel);
  return out;
}

}  // namespace quantlens_cli
