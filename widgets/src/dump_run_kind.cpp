#include "widgets/dump_run_kind.h"

#include <QCoreApplication>
#include <QFileInfo>

#include "analysis/dump_reader.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"

namespace widgets {

namespace {

bool recognises(const QString& path) { return QFileInfo(path).isFile() && path.endsWith(".h5", Qt::CaseInsensitive); }

RunRecord open(const QString& path) {
  const analysis::DumpReader reader(path.toStdString());
  const analysis::DumpHeader& h = reader.header();
  if (!h.quantized())
    throw quantcore::InputError(path.toStdString(),
                                "a statistics dump (quantlens dump) holds no run; a run's dump "
                                "comes from quantlens quantize --dump");
  RunRecord r;
  r.kind = "quantize-dump";
  r.status = RunStatus::Reopened;
  r.directory = QFileInfo(path).absoluteFilePath();
  r.message = QCoreApplication::translate("RunKinds", "read from %1").arg(r.directory);
  r.model = QString::fromStdString(h.model);
  r.method = QString::fromStdString(h.method);
  r.spelling = h.settings.spelling.empty() ? r.method : QString::fromStdString(h.settings.spelling);
  if (!h.settings.json.empty()) r.settings = quantcore::detail::parse_json_text(h.settings.json, path.toStdString());
  r.storedBits = h.bits_per_weight;
  r.nsamples = std::max<int64_t>(1, h.settings.nsamples);
  r.epochs = std::max<int64_t>(1, h.settings.epochs);
  double paper = 0, weights = 0;
  for (const analysis::DumpBlock& block : reader.read_blocks()) {
    for (const analysis::DumpLinear& l : block.linears) {
      const double n = double(l.out_features) * double(l.in_features);
      paper += l.paper_bits * n;
      weights += n;
    }
    if (!block.loss) continue;
    const analysis::LossCurve& c = *block.loss;
    for (size_t i = 0; i < c.size(); ++i)
      r.losses.push_back(
          {block.index, c.epoch[i], c.sample[i], {c.mse_fp[i], c.mse_q[i], c.nlc_fp[i], c.nlc_q[i], c.total[i]}});
  }
  if (weights > 0) r.paperBits = paper / weights;
  return r;
}

}  // namespace

RunKind dumpRunKind() {
  return {"quantize-dump", QCoreApplication::translate("RunKinds", "Quantisation (dump)"), recognises, open};
}

}  // namespace widgets
