#pragma once
// One row of the Studio's run list: what a run was (its kind, model, method and settings), what
// it measured (bits three ways, perplexity with the FP baseline, time) and, while memory allows,
// its stored forms. Kept for the session and saved with its run directory.
#include <QString>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "quantcore/jobs/loss_events.h"

namespace quantcore::quantize {
struct QuantizeResult;
}

namespace widgets {

enum class RunStatus { Running, Done, Cancelled, Failed, Reopened };
QString runStatusName(RunStatus status);

struct RunPerplexity {
  QString text;         // the evaluation text
  qint64 seqlen = 0;
  qint64 windows = 0;   // windows evaluated (after the cap)
  double ppl = std::numeric_limits<double>::quiet_NaN();
  double fpPpl = std::numeric_limits<double>::quiet_NaN();  // the original model on the same windows
  QString kernels;      // "dense" or "packed"
  bool valid() const { return std::isfinite(ppl); }
};

struct RunRecord {
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

  int id = 0;              // #1, #2, ... in the session; never reused
  QString kind;            // a runKinds() name
  QString model;           // the model the run started from
  QString method;          // registry name
  QString spelling;        // NAME:key=value of the method's settings
  nlohmann::json settings; // quantize::settings_json, the source of the settings diff
  double paperBits = kUnknown;      // bits per weight as the method's paper counts them
  double storedBits = kUnknown;     // every stored mask, bitmap and scale counted
  double bitsFromBytes = kUnknown;  // measured on a written packed file (after a save)
  RunPerplexity perplexity;
  double seconds = kUnknown;
  RunStatus status = RunStatus::Running;
  QString message;                  // why it failed, or where it was read from
  QString directory;                // where it was saved or opened from (empty: not on disk)
  // The loss curves (block, epoch, step, terms) and their x layout.
  std::vector<quantcore::LossEvent> losses;
  qint64 nsamples = 1, epochs = 1;
  // The stored forms while kept in memory (null once released or for a run read from disk).
  std::shared_ptr<const quantcore::quantize::QuantizeResult> result;

  // "#3 ptq161 salient-ratio=0.2"
  QString label() const;
};

}  // namespace widgets
