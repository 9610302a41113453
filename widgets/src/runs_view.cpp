#include "widgets/runs_view.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <filesystem>

#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/methods/quant_method.h"
#include "widgets/background_task.h"
#include "widgets/number_format.h"
#include "widgets/quantize_run_kind.h"
#include "widgets/run_kinds.h"
#include "widgets/run_list.h"
#include "widgets/run_table_model.h"
#include "widgets/save_names.h"
#include "widgets/settings_diff.h"
#include "widgets/studio_session.h"
#include "widgets/table_csv.h"
#include "widgets/views.h"

namespace widgets {

namespace {
const char* const kSaveTip = "Write the selected run as a run directory (packed where the method has a packed form)";

QPushButton* button(QWidget* parent, const QString& text, const char* name, const QString& tip) {
  auto* b = new QPushButton(text, parent);
  b->setObjectName(name);
  b->setToolTip(tip);
  return b;
}
}  // namespace

RunsView::RunsView(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  model_ = new RunTableModel(
      session_.runs(), [this](const RunRecord& r) { return session_.runs().isCurrent(r); }, this);
  sorted_ = new QSortFilterProxyModel(this);
  sorted_->setSourceModel(model_);
  sorted_->setSortRole(RunTableModel::kSortRole);
  table_ = new QTableView(this);
  table_->setObjectName("runTable");
  table_->setModel(sorted_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setTextElideMode(Qt::ElideRight);
  table_->setTextElideMode(Qt::ElideMiddle);
  table_->setWordWrap(false);
  makeTableCopyableAndSortable(*table_);
  table_->sortByColumn(RunTableModel::Id, Qt::AscendingOrder);

  auto* open = button(this, tr("Open run..."), "runOpen",
                      tr("Read a saved run directory (its summary.json), a run's dump or a saved comparison"));
  save_ = button(this, tr("Save run..."), "runSave", tr(kSaveTip));
  current_ = button(this, tr("Make current"), "runMakeCurrent",
                    tr("The model tree's bits, the exports and Perplexity use the current run"));
  compare_ = button(this, tr("Compare with original"), "runCompare",
                    tr("Show the selected run's W' beside the open model in the compare view"));
  csv_ = button(this, tr("Copy as CSV"), "runCopyCsv", tr("The selected rows (or all) as CSV on the clipboard"));
  status_ = new QLabel(this);
  status_->setObjectName("runStatus");
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  details_ = new QTextBrowser(this);
  details_->setObjectName("runDetails");
  details_->setPlaceholderText(tr("Select two runs to see how their settings differ."));

  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {open, save_, current_, compare_, csv_}) buttons->addWidget(b);
  buttons->addWidget(status_, 1);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(table_);
  split->addWidget(details_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(split, 1);

  connect(open, &QPushButton::clicked, this, &RunsView::openRunDialog);
  connect(save_, &QPushButton::clicked, this, &RunsView::saveDialog);
  connect(current_, &QPushButton::clicked, this, [this] {
    const QList<int> ids = selectedRuns();
    if (ids.size() != 1) return;
    const RunRecord* r = session_.runs().find(ids.front());
    if (r && r->result && session_.isRunOfOpenModel(*r)) {
      session_.setQuantizedRun(r->result);
      status_->setText(tr("%1 is the current run.").arg(r->label()));
    }
  });
  connect(compare_, &QPushButton::clicked, this, [this] {
    const QList<int> ids = selectedRuns();
    if (ids.size() != 1) return;
    // The compare view is shown once the run's model is there; a failure stays here, said.
    auto* waiting = new QObject(this);
    connect(&session_, &StudioSession::secondModelOpened, waiting, [this, waiting] {
      waiting->deleteLater();
      Q_EMIT compareRequested();
    });
    connect(&session_, &StudioSession::secondModelFailed, waiting, [this, waiting](const QString& message) {
      waiting->deleteLater();
      status_->setText(message);
    });
    session_.compareRunWithOriginal(ids.front());
  });
  connect(csv_, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(tableCsv(*table_, true)); });
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    refreshButtons();
    showDiff();
  });
  connect(&session_.runs(), &RunList::added, this, [this](int) {
    table_->resizeColumnsToContents();
    refreshButtons();
  });
  connect(&session_.runs(), &RunList::changed, this, [this](int) {
    refreshButtons();
    showDiff();
  });
  connect(&session_, &StudioSession::modelOpened, this, &RunsView::refreshButtons);
  connect(&session_, &StudioSession::quantizedRunChanged, this, [this] {
    model_->currentChanged();
    refreshButtons();
  });
  refreshButtons();
}

QList<int> RunsView::selectedRuns() const {
  QList<int> ids;
  for (const QModelIndex& row : table_->selectionModel()->selectedRows())
    ids << row.data(RunTableModel::kRunIdRole).toInt();
  std::sort(ids.begin(), ids.end());
  return ids;
}

void RunsView::selectRuns(const QList<int>& ids) {
  table_->clearSelection();
  for (int r = 0; r < sorted_->rowCount(); ++r)
    if (ids.contains(sorted_->index(r, 0).data(RunTableModel::kRunIdRole).toInt()))
      table_->selectionModel()->select(sorted_->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

void RunsView::refreshButtons() {
  const QList<int> ids = selectedRuns();
  const RunRecord* one = ids.size() == 1 ? session_.runs().find(ids.front()) : nullptr;
  const bool inMemory = one && one->result;
  const bool ofOpenModel = one && session_.isRunOfOpenModel(*one);
  save_->setEnabled(inMemory && !saving_);
  current_->setEnabled(inMemory && ofOpenModel && !session_.runs().isCurrent(*one));
  // A reopened comparison row's directory holds the comparison, not a model to load.
  const bool savedModel = one && !one->directory.isEmpty() && one->kind != "compare";
  compare_->setEnabled(ofOpenModel && (inMemory || savedModel));
  save_->setToolTip(one && !inMemory ? tr("Only a run whose stored forms are in memory can be saved") : tr(kSaveTip));
}

QString RunsView::diffText() const { return details_->toPlainText(); }

void RunsView::showDiff() {
  const QList<int> ids = selectedRuns();
  if (ids.size() != 2) {
    details_->clear();
    return;
  }
  const RunRecord* a = session_.runs().find(ids[0]);
  const RunRecord* b = session_.runs().find(ids[1]);
  if (!a || !b) return;
  QString html = tr("<b>Settings of %1 and %2</b>").arg(a->label().toHtmlEscaped(), b->label().toHtmlEscaped());
  std::vector<SettingDifference> diff = settingsDiff(a->settings, b->settings);
  std::erase_if(diff, [](const SettingDifference& d) { return d.key == "spelling"; });  // the parameters say it
  if (diff.empty()) return details_->setHtml(html + tr("<p>identical settings</p>"));
  html += "<table cellspacing=6><tr><th align=left>setting</th><th align=left>#" + QString::number(a->id) +
          "</th><th align=left>#" + QString::number(b->id) + "</th></tr>";
  for (const SettingDifference& d : diff)
    html += "<tr><td>" + d.key.toHtmlEscaped() + "</td><td>" + d.a.toHtmlEscaped() + "</td><td>" + d.b.toHtmlEscaped() +
            "</td></tr>";
  details_->setHtml(html + "</table>");
}

void RunsView::openRunDialog() {
  // A run directory is picked by its summary.json, a comparison by its compare.json; a run's dump
  // is the file itself.
  const QString file = QFileDialog::getOpenFileName(this, tr("Open a saved run"), {},
                                                    tr("Saved runs (summary.json compare.json *.h5);;All files (*)"));
  if (file.isEmpty()) return;
  const bool inDirectory = file.endsWith("summary.json") || file.endsWith("compare.json");
  const QString path = inDirectory ? QFileInfo(file).absolutePath() : file;
  QString error;
  if (!openRun(path, error)) {
    status_->setText(error);
    Q_EMIT failed(error);
  }
}

bool RunsView::openRun(const QString& path, QString& error) {
  try {
    std::vector<RunRecord> rows = openSavedRuns(path);
    if (rows.empty()) {
      error = tr("%1: no finished run in it").arg(path);
      return false;
    }
    const size_t count = rows.size();
    int first = 0, last = 0;
    for (RunRecord& r : rows) last = session_.runs().add(std::move(r)), first = first ? first : last;
    status_->setText(count == 1 ? tr("Run #%1 read from %2.").arg(first).arg(path)
                                : tr("Runs #%1 to #%2 read from %3.").arg(first).arg(last).arg(path));
    return true;
  } catch (const std::exception& e) {
    error = QString::fromStdString(e.what());
    return false;
  }
}

void RunsView::saveDialog() {
  const QList<int> ids = selectedRuns();
  const RunRecord* r = ids.size() == 1 ? session_.runs().find(ids.front()) : nullptr;
  if (!r) return;
  const QString suggested = suggestedBeside(r->model, QString("%1-run%2").arg(r->method).arg(r->id));
  const QString dir = QFileDialog::getSaveFileName(this, tr("Save run as a directory"), suggested, tr("Directories"),
                                                   nullptr, QFileDialog::DontConfirmOverwrite);
  if (!dir.isEmpty()) saveRun(r->id, dir);
}

void RunsView::saveRun(int id, const QString& directory) {
  const RunRecord* r = session_.runs().find(id);
  if (!r || !r->result || saving_) return;
  saving_ = true;
  refreshButtons();
  status_->setText(tr("Saving %1 to %2 ...").arg(r->label(), directory));
  const nlohmann::json extra =
      r->perplexity.valid() ? nlohmann::json{{"perplexity", perplexityJson(r->perplexity)}} : nlohmann::json::object();
  runInBackground(
      this,
      [run = r->result, dest = directory.toStdString(), extra](JobProgress&, const quantcore::CancelToken& cancel) {
        const bool packed = run->settings.method.method().packed_settings(run->settings.method).has_value();
        return quantcore::outputs::write_quantized_directory(
            *run, packed ? quantcore::outputs::OutputFormat::Packed : quantcore::outputs::OutputFormat::FakeQuantHf,
            dest, false, cancel, extra);
      },
      [this, id, directory](TaskResult<nlohmann::json> result) {
        saving_ = false;
        refreshButtons();
        if (!result.hasValue()) {
          const QString message = result.failed() ? result.error() : tr("%1: saving cancelled").arg(directory);
          status_->setText(message);
          return Q_EMIT failed(message);
        }
        const nlohmann::json& summary = result.value();
        session_.runs().update(id, [&](RunRecord& r) {
          r.directory = QFileInfo(directory).absoluteFilePath();
          if (summary.contains("bits_from_bytes")) r.bitsFromBytes = summary["bits_from_bytes"]["bits_per_weight"];
        });
        status_->setText(tr("Run #%1 saved to %2.").arg(id).arg(directory));
        Q_EMIT saved(id);
      });
}

QWidget* makeRunsView(StudioSession& session, QWidget* parent) { return new RunsView(session, parent); }

}  // namespace widgets
