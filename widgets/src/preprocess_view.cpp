// The Preprocess panel (ptq161-spec §6): restorative-LoRA preprocessing of the open model with
// the session's calibration (a first PTQ1.61 pass, LoRA on its W', the merged M_P written as an
// HF directory), started, cancelled and resumed here; live training-loss and learning-rate
// curves, tokens/s and ETA. Each run is a row of the run list (kind "preprocess"); a finished
// M_P becomes the session's second model, so the before/after view shows it at once.
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <filesystem>

#include "analysis/preprocess_report.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/methods/registry.h"
#include "quantcore/preprocess/preprocess_job.h"
#include "widgets/background_task.h"
#include "widgets/coalescing_buffer.h"
#include "widgets/preprocess_run_kind.h"
#include "widgets/progress_bar_feed.h"
#include "widgets/run_list.h"
#include "widgets/studio_inputs.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"

namespace widgets {

namespace {

namespace qp = quantcore::preprocess;
namespace fs = std::filesystem;

// Training steps from the job's thread, into a queue the GUI drains.
class QueuedTrainingEvents : public qp::TrainingEvents {
public:
  explicit QueuedTrainingEvents(std::shared_ptr<EventQueue<qp::TrainingStep>> queue) : queue_(std::move(queue)) {}
  void step(const qp::TrainingStep& s) override { queue_->append(s); }

private:
  std::shared_ptr<EventQueue<qp::TrainingStep>> queue_;
};

struct Finished {
  nlohmann::json record;
  QString directory;
};

class PreprocessView : public QWidget {
public:
  PreprocessView(StudioSession& session, QWidget* parent)
      : QWidget(parent), session_(session), steps_(50, [this](std::vector<qp::TrainingStep> s) { addSteps(s); }) {
    const qp::LoraSettings lora;
    const qp::TrainingSettings training;
    trainText_ = new QLineEdit(shippedCalibrationText(), this);
    trainText_->setObjectName("preprocessTrainText");
    auto* pickText = new QPushButton(tr("..."), this);
    connect(pickText, &QPushButton::clicked, this, [this] {
      const QString p = QFileDialog::getOpenFileName(this, tr("Training text"), trainText_->text());
      if (!p.isEmpty()) trainText_->setText(p);
    });
    out_ = new QLineEdit(this);
    out_->setObjectName("preprocessOut");
    out_->setPlaceholderText(tr("directory for M_P (an HF model)"));
    auto* pickOut = new QPushButton(tr("..."), this);
    connect(pickOut, &QPushButton::clicked, this, [this] {
      const QString p = QFileDialog::getSaveFileName(this, tr("Preprocessed model directory"), out_->text());
      if (!p.isEmpty()) out_->setText(p);
    });
    stepCount_ = spin(1, 1000000, training.steps, "preprocessSteps");
    rank_ = spin(1, 4096, lora.rank, "preprocessRank");
    accum_ = spin(1, 1024, training.accum, "preprocessAccum");
    maxLen_ = spin(2, 1 << 20, training.max_len, "preprocessMaxLen");
    firstEpochs_ = spin(0, 1000, 2, "preprocessFirstEpochs");
    alpha_ = real(0.001, 1e6, lora.alpha, 3);
    lr_ = real(1e-8, 1, training.lr, 8);
    dropout_ = real(0, 0.99, lora.dropout, 3);
    force_ = new QCheckBox(tr("replace an existing output"), this);

    auto* form = new QFormLayout;
    form->addRow(tr("training text"), row(trainText_, pickText));
    form->addRow(tr("output (M_P)"), row(out_, pickOut));
    form->addRow(tr("LoRA steps"), stepCount_);
    form->addRow(tr("rank r"), rank_);
    form->addRow(tr("alpha"), alpha_);
    form->addRow(tr("dropout"), dropout_);
    form->addRow(tr("learning rate"), lr_);
    form->addRow(tr("gradient accumulation"), accum_);
    form->addRow(tr("max tokens per document"), maxLen_);
    form->addRow(tr("first-pass epochs"), firstEpochs_);
    form->addRow(QString(), force_);

    start_ = new QPushButton(tr("Start"), this);
    start_->setObjectName("preprocessStart");
    resume_ = new QPushButton(tr("Resume"), this);
    resume_->setObjectName("preprocessResume");
    resume_->setToolTip(tr("continue the unfinished run of this output (its first pass and LoRA checkpoint)"));
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("preprocessCancel");
    cancel_->setEnabled(false);
    connect(start_, &QPushButton::clicked, this, [this] { run(false); });
    connect(resume_, &QPushButton::clicked, this, [this] { run(true); });
    connect(cancel_, &QPushButton::clicked, this, [this] {
      if (token_) token_->request();
    });
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {start_, resume_, cancel_}) buttons->addWidget(b);
    buttons->addStretch(1);
    bar_ = new QProgressBar(this);
    status_ = new QLabel(this);
    status_->setObjectName("preprocessStatus");
    status_->setWordWrap(true);

    auto* settings = new QVBoxLayout;
    settings->addLayout(form);
    settings->addLayout(buttons);
    settings->addWidget(bar_);
    settings->addWidget(status_);
    settings->addStretch(1);

    chart_ = new QChart;
    chart_->setTitle(tr("Restorative LoRA: training loss and learning rate"));
    loss_ = new QLineSeries;
    loss_->setName(tr("loss (mean of the step's sequences)"));
    rate_ = new QLineSeries;
    rate_->setName(tr("learning rate"));
    rate_->setPen(QPen(QColor(215, 80, 40), 1.5));
    chart_->addSeries(loss_);
    chart_->addSeries(rate_);
    stepAxis_ = new QValueAxis;
    stepAxis_->setTitleText(tr("optimiser step"));
    stepAxis_->setLabelFormat("%d");
    lossAxis_ = new QValueAxis;
    lossAxis_->setTitleText(tr("loss"));
    rateAxis_ = new QValueAxis;
    rateAxis_->setTitleText(tr("learning rate"));
    rateAxis_->setLabelFormat("%.1e");
    chart_->addAxis(stepAxis_, Qt::AlignBottom);
    chart_->addAxis(lossAxis_, Qt::AlignLeft);
    chart_->addAxis(rateAxis_, Qt::AlignRight);
    loss_->attachAxis(stepAxis_);
    loss_->attachAxis(lossAxis_);
    rate_->attachAxis(stepAxis_);
    rate_->attachAxis(rateAxis_);
    auto* chartView = new QChartView(chart_, this);
    chartView->setObjectName("preprocessChart");
    chartView->setRenderHint(QPainter::Antialiasing);

    auto* left = new QWidget(this);
    left->setLayout(settings);
    left->setMaximumWidth(420);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(left);
    layout->addWidget(chartView, 1);

    for (auto signal : {&StudioSession::modelOpened, &StudioSession::calibrationFinished})
      connect(&session_, signal, this, [this] { updateEnabled(); });
    connect(&session_, &StudioSession::modelOpened, this, [this] {
      const int64_t context = session_.spec().max_position_embeddings;
      if (context > 0 && maxLen_->value() > context) maxLen_->setValue(static_cast<int>(context));
    });
    updateEnabled();
  }

  ~PreprocessView() override {
    if (token_) token_->request();  // the session's destructor waits for the pool
  }

  bool running() const { return token_ != nullptr; }

private:
  QSpinBox* spin(int lo, int hi, int64_t value, const char* name) {
    auto* s = new QSpinBox(this);
    s->setRange(lo, hi);
    s->setValue(static_cast<int>(value));
    s->setObjectName(name);
    return s;
  }
  QDoubleSpinBox* real(double lo, double hi, double value, int decimals) {
    auto* s = new QDoubleSpinBox(this);
    s->setDecimals(decimals);
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
  }
  QWidget* row(QWidget* a, QWidget* b) {
    auto* w = new QWidget(this);
    auto* l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(a, 1);
    l->addWidget(b);
    return w;
  }

  void updateEnabled() {
    QString why;
    if (!session_.hasModel())
      why = tr("Open a model first.");
    else if (!session_.calibration())
      why = tr("Calibrate first: the first PTQ1.61 pass uses the calibration text and windows.");
    for (QPushButton* b : {start_, resume_}) b->setEnabled(why.isEmpty() && !running());
    if (!running() && !why.isEmpty()) status_->setText(why);
  }

  void run(bool resume) {
    if (out_->text().isEmpty()) return status_->setText(tr("Choose an output directory for M_P."));
    const quantcore::quantize::OpenModel open = session_.openModelData();
    quantcore::methods::MethodSettings method(*quantcore::methods::registered_methods().front());
    if (method.takes("epochs")) method.set("epochs", std::to_string(firstEpochs_->value()), "first-pass epochs");
    if (method.takes("salient-ratio"))
      method.set("salient-ratio", std::to_string(session_.salientRatio()), "salient ratio");
    auto settings = std::make_shared<qp::PreprocessSettings>(quantcore::quantize::QuantizeSettings(method));
    settings->first_pass.model = open.checkpoint->path.string();
    settings->first_pass.calib = session_.calibrationText().toStdString();
    settings->first_pass.calibration = session_.calibrationOptions();
    settings->lora.rank = rank_->value();
    settings->lora.alpha = alpha_->value();
    settings->lora.dropout = dropout_->value();
    settings->training.steps = stepCount_->value();
    settings->training.accum = accum_->value();
    settings->training.lr = lr_->value();
    settings->training.max_len = maxLen_->value();
    settings->train_text = trainText_->text().toStdString();
    const std::string out = out_->text().toStdString();
    const bool force = force_->isChecked();

    loss_->clear();
    rate_->clear();
    lossLo_ = 1e300, lossHi_ = -1e300, rateHi_ = 0;
    RunRecord row;
    row.kind = "preprocess";
    row.model = session_.modelPath();
    row.method = QString::fromStdString(std::string(method.method_name()));
    row.spelling = QString::fromStdString(method.spelling()) + " + LoRA";
    row.settings = qp::settings_json(*settings);
    runId_ = session_.runs().add(row);
    token_ = std::make_shared<quantcore::CancelToken>();
    progress_ = std::make_shared<JobProgress>();
    feed_ = new ProgressBarFeed(*progress_, "{stage} %p%", this);
    feed_->setBar(bar_);
    feed_->start();
    updateEnabled();
    cancel_->setEnabled(true);
    status_->setText(tr("Running: first pass, LoRA training, merge ..."));
    auto queue = steps_.open();
    runInBackground(
        this,
        [open, settings, out, force, resume, queue](JobProgress& progress, const quantcore::CancelToken& cancel) {
          std::vector<fs::path> inputs = {open.checkpoint->path};
          for (const std::string& p : {settings->train_text, settings->first_pass.calib})
            if (!p.empty()) inputs.emplace_back(p);
          const fs::path dest = quantcore::outputs::checked_destination(out, force, inputs);
          const fs::path work = qp::prepared_work_directory(dest, force, resume, inputs);
          QueuedTrainingEvents events(queue);
          quantcore::NullOptimizationEvents first;
          const qp::PreprocessResult result =
              qp::preprocess(open, *settings, work, resume, {}, first, events, progress, cancel);
          Finished f;
          f.record = analysis::preprocess_report(open, *settings, result, {}, progress, cancel);
          qp::commit_preprocessed(result, f.record, dest, force);
          f.directory = QString::fromStdString(dest.string());
          return f;
        },
        [this](TaskResult<Finished> r) { finish(r); }, {.progress = progress_, .cancel = token_});
  }

  void addSteps(const std::vector<qp::TrainingStep>& steps) {
    for (const qp::TrainingStep& s : steps) {
      loss_->append(double(s.step + 1), s.loss);
      rate_->append(double(s.step + 1), s.lr);
      lossLo_ = std::min(lossLo_, s.loss), lossHi_ = std::max(lossHi_, s.loss), rateHi_ = std::max(rateHi_, s.lr);
    }
    const qp::TrainingStep& last = steps.back();
    stepAxis_->setRange(0, std::max<double>(stepCount_->value(), 1));
    lossAxis_->setRange(lossLo_ - 0.05 * (lossHi_ - lossLo_ + 1e-9), lossHi_ + 0.05 * (lossHi_ - lossLo_ + 1e-9));
    rateAxis_->setRange(0, rateHi_ > 0 ? rateHi_ * 1.05 : 1);
    const double rate = last.seconds > 0 ? double(last.tokens) / last.seconds : 0;
    const double perStep = last.seconds / double(last.step + 1);
    status_->setText(tr("step %1/%2: loss %3, lr %4, %5 tokens/s, ETA %6 s")
                         .arg(last.step + 1)
                         .arg(stepCount_->value())
                         .arg(last.loss, 0, 'f', 4)
                         .arg(last.lr, 0, 'g', 3)
                         .arg(rate, 0, 'f', 0)
                         .arg(perStep * double(stepCount_->value() - last.step - 1), 0, 'f', 0));
    session_.runs().update(runId_, [&](RunRecord& r) {
      for (const qp::TrainingStep& s : steps) r.losses.push_back(lossEventOf(s));
      r.nsamples = static_cast<qint64>(r.losses.size());
    });
  }

  void finish(TaskResult<Finished>& r) {
    steps_.close();
    token_.reset();
    if (feed_) {
      feed_->show();
      feed_->stop();
      feed_->deleteLater();
      feed_ = nullptr;
    }
    cancel_->setEnabled(false);
    if (r.hasValue()) {
      const Finished& f = r.value();
      RunRecord done = preprocessRunRecord(f.record, f.directory, RunStatus::Done);
      session_.runs().update(runId_, [&](RunRecord& row) {
        const int id = row.id;
        row = done;
        row.id = id;
      });
      status_->setText(tr("Done: M_P in %1; it is the second model of the before/after view.").arg(f.directory));
      session_.openSecondModel(f.directory);
    } else {
      const RunStatus status = r.cancelled() ? RunStatus::Cancelled : RunStatus::Failed;
      const QString message = r.cancelled() ? tr("cancelled: Resume continues from the last checkpoint") : r.error();
      session_.runs().update(runId_, [&](RunRecord& row) {
        row.status = status;
        row.message = message;
      });
      status_->setText(message);
    }
    updateEnabled();
  }

  StudioSession& session_;
  CoalescingBuffer<qp::TrainingStep> steps_;
  QLineEdit *trainText_, *out_;
  QSpinBox *stepCount_, *rank_, *accum_, *maxLen_, *firstEpochs_;
  QDoubleSpinBox *alpha_, *lr_, *dropout_;
  QCheckBox* force_;
  QPushButton *start_, *resume_, *cancel_;
  QProgressBar* bar_;
  QLabel* status_;
  QChart* chart_;
  QLineSeries *loss_, *rate_;
  QValueAxis *stepAxis_, *lossAxis_, *rateAxis_;
  double lossLo_ = 0, lossHi_ = 0, rateHi_ = 0;
  int runId_ = 0;
  std::shared_ptr<quantcore::CancelToken> token_;
  std::shared_ptr<JobProgress> progress_;
  ProgressBarFeed* feed_ = nullptr;
};

}  // namespace

QWidget* makePreprocessView(StudioSession& session, QWidget* parent) { return new PreprocessView(session, parent); }

}  // namespace widgets
