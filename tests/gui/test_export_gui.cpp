// Exports from the studio under Xvfb: a short PTQ1.61 run on the embedded model is written as a
// quantized HF directory, a packed checkpoint, a dense fp16 HF checkpoint and an HDF5 dump; the
// packed directory opens in a fresh window with the run's bits per layer, the dense export
// holds the HF export's weights, the dump reads back with its loss curves, and a cancelled export
// leaves nothing under its name. Screenshots go into the build tree (QUANTLENS_GUI_SHOTS).
#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSpinBox>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTreeWidget>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>

#include "analysis/dump_reader.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/model_spec.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/pack/half_float.h"
#include "widgets/export_actions.h"
#include "widgets/imgui_canvas.h"
#include "widgets/main_window.h"
#include "widgets/model_tree.h"
#include "widgets/optimisation_run.h"
#include "widgets/optimise_panel.h"
#include "widgets/studio_session.h"
#include "gui_test_support.h"

namespace {
namespace fs = std::filesystem;

nlohmann::json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}
using Kind = widgets::ExportActions::Kind;

using gui_test::kModel;
using gui_test::kText;

// One window over its own session.
struct Studio {
  widgets::StudioSession session;
  widgets::MainWindow window{session, false};
  Studio() {
    window.resize(1280, 800);
    window.show();
  }
  bool open(const QString& path) {
    QSignalSpy opened(&session, &widgets::StudioSession::modelOpened);
    session.openModel(path);
    return opened.wait(30000);
  }
  // Bits column of every linear in the tree, block by block.
  QStringList treeBits() {
    QStringList out;
    QTreeWidgetItem* root = window.modelTree().topLevelItem(0);
    for (int b = 0; b < root->childCount(); ++b)
      for (int j = 0; j < root->child(b)->childCount(); ++j)
        out << root->child(b)->child(j)->text(widgets::ModelTree::kBitsColumn);
    return out;
  }
};

// Entries that start with `name` in `dir`: the final name and any staging or temporary file.
int entriesNamed(const fs::path& dir, const std::string& name) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(name) != std::string::npos) ++n;
  return n;
}
}  // namespace

class ExportGuiTest : public QObject {
  Q_OBJECT

  QTemporaryDir cache_, out_;
  std::unique_ptr<Studio> studio_;

  fs::path out(const char* name) const { return fs::path(out_.path().toStdString()) / name; }
  widgets::ExportActions& exports() { return studio_->window.exports(); }
  template <typename T>
  T* child(const char* name) {
    return gui_test::require_child<T>(studio_->window, name);
  }
  // Runs one export to the end; false when it did not finish.
  bool exportTo(Kind kind, const fs::path& path) {
    QSignalSpy finished(&exports(), &widgets::ExportActions::finished);
    QString error;
    if (!exports().start(kind, QString::fromStdString(path.string()), error)) {
      qWarning("%s", qPrintable(error));
      return false;
    }
    return finished.wait(60000);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(cache_.isValid() && out_.isValid());
    qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
    studio_ = std::make_unique<Studio>();
    QVERIFY(QTest::qWaitForWindowExposed(&studio_->window));
    QVERIFY(studio_->open(kModel));
  }

  void exportsApplyOnlyAfterARun() {
    for (Kind k : {Kind::QuantizedHf, Kind::Packed, Kind::DenseHf, Kind::Hdf5Dump})
      QVERIFY(!exports().action(k)->isEnabled());
    QString error;
    QVERIFY(!exports().start(Kind::Packed, QString::fromStdString(out("early").string()), error));
    QVERIFY(error.contains("early") && error.contains("optimisation run"));
    QVERIFY(!fs::exists(out("early")));
    QVERIFY(studio_->treeBits().join("").isEmpty());  // no bits before quantisation
  }

  void runThenExportEveryFormat() {
    studio_->window.showView("optimise");
    auto* panel = qobject_cast<widgets::OptimisePanel*>(studio_->window.view("optimise"));
    QVERIFY(panel);
    child<QLineEdit>("optimiseText")->setText(kText);
    child<QSpinBox>("optimiseNsamples")->setValue(4);
    child<QSpinBox>("optimiseSeqlen")->setValue(64);
    child<QSpinBox>("optimiseEpochs")->setValue(1);
    QSignalSpy finished(&panel->run(), &widgets::OptimisationRun::finished);
    QTest::mouseClick(child<QPushButton>("optimiseStart"), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
    for (Kind k : {Kind::QuantizedHf, Kind::Packed, Kind::DenseHf, Kind::Hdf5Dump})
      QVERIFY(exports().action(k)->isEnabled());

    // The tree shows the run's bits per layer (spec §7): between 1 and 4 + overheads.
    const auto& bits = studio_->session.quantizedBits();
    QVERIFY(bits.has_value());
    QCOMPARE(int64_t(bits->layers.size()),
             studio_->session.spec().num_layers * int64_t(quantcore::block_linears(studio_->session.spec()).size()));
    for (const auto& l : bits->layers) QVERIFY(l.bits_per_weight > 1.0 && l.bits_per_weight < 6.0);
    QVERIFY(!studio_->treeBits().contains(QString()));
    std::printf("export: run bits/weight %.4f over %lld quantised weights\n", bits->bits_per_weight,
                static_cast<long long>(bits->quantized_weights));

    QVERIFY(exportTo(Kind::QuantizedHf, out("hf")));
    QVERIFY(exportTo(Kind::Packed, out("packed")));
    QVERIFY(exportTo(Kind::DenseHf, out("dense")));
    QVERIFY(exportTo(Kind::Hdf5Dump, out("run.h5")));
    for (const char* f :
         {"config.json", "model.safetensors", "quantization.safetensors", "tokenizer.bin", "summary.json"})
      QVERIFY2(fs::is_regular_file(out("hf") / f), f);
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.bin", "summary.json"})
      QVERIFY2(fs::is_regular_file(out("packed") / f), f);
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.bin"})
      QVERIFY2(fs::is_regular_file(out("dense") / f), f);
    QCOMPARE(entriesNamed(out_.path().toStdString(), ".tmp"), 0);
    QVERIFY(!exports().busy());
  }

  void denseExportHoldsTheHfExportsWeights() {
    const quantcore::SafetensorsFile hf(out("hf") / "model.safetensors");
    const quantcore::SafetensorsFile dense(out("dense") / "model.safetensors");
    QCOMPARE(dense.entries().size(), hf.entries().size());
    int64_t compared = 0;
    for (const auto& e : dense.entries()) {
      QCOMPARE(int(e.dtype), int(quantcore::DType::F16));
      const auto* h = hf.entry(e.name);
      QVERIFY2(h, e.name.c_str());
      const quantcore::TensorView dv = dense.view(e), hv = hf.view(*h);
      QCOMPARE(dv.shape, hv.shape);
      const auto* d = static_cast<const uint16_t*>(dv.data);
      if (hv.dtype == quantcore::DType::F16) {  // W' of the block linears
        QVERIFY2(std::memcmp(dv.data, hv.data, dv.nbytes) == 0, e.name.c_str());
      } else {  // the unquantised tensors, fp32 in the source
        QCOMPARE(int(hv.dtype), int(quantcore::DType::F32));
        const auto* f = static_cast<const float*>(hv.data);
        for (int64_t i = 0; i < dv.numel(); ++i)
          if (d[i] != quantcore::half_from_float(f[i])) QFAIL(qPrintable(QString::fromStdString(e.name)));
      }
      compared += dv.numel();
    }
    std::printf("export: dense == HF export on %lld values\n", static_cast<long long>(compared));
  }

  void dumpReadsBackWithLossCurves() {
    const analysis::DumpReader reader(out("run.h5"));
    QVERIFY(reader.header().quantized());
    QCOMPARE(reader.header().num_layers, studio_->session.spec().num_layers);
    QCOMPARE(reader.header().settings.nsamples, int64_t(4));
    for (const analysis::DumpBlock& b : reader.read_blocks()) {
      QVERIFY(b.loss.has_value());
      QCOMPARE(b.loss->size(), size_t(4));  // 1 epoch x 4 windows
      for (double v : b.loss->total) QVERIFY(std::isfinite(v) && v >= 0);
    }
  }

  void packedDirectoryOpensWithTheRunsBits() {
    Studio fresh;
    QVERIFY(QTest::qWaitForWindowExposed(&fresh.window));
    QVERIFY(fresh.open(QString::fromStdString(out("packed").string())));
    QVERIFY(fresh.session.isPackedModel());
    const auto& packed = fresh.session.quantizedBits();
    const auto& run = studio_->session.quantizedBits();
    QVERIFY(packed.has_value());
    QCOMPARE(packed->layers.size(), run->layers.size());
    for (size_t i = 0; i < run->layers.size(); ++i) {
      QCOMPARE(packed->layers[i].salient_columns, run->layers[i].salient_columns);
      QCOMPARE(packed->layers[i].bits_per_weight, run->layers[i].bits_per_weight);
    }
    QCOMPARE(packed->bits_per_weight, run->bits_per_weight);
    QCOMPARE(fresh.treeBits(), studio_->treeBits());
    fresh.window.modelTree().expandAll();
    QTest::qWait(100);  // the docks' relayout for the wider tree
    gui_test::save_screenshot(fresh.window, "gui-export-packed-open");

    // Without a run, the dense export of a packed model is its dequantised W': the same bytes
    // as the dense export of the run.
    QVERIFY(fresh.window.exports().action(Kind::DenseHf)->isEnabled());
    QVERIFY(!fresh.window.exports().action(Kind::Packed)->isEnabled());
    QSignalSpy finished(&fresh.window.exports(), &widgets::ExportActions::finished);
    QString error;
    QVERIFY(
        fresh.window.exports().start(Kind::DenseHf, QString::fromStdString(out("dense-of-packed").string()), error));
    QVERIFY(finished.wait(60000));
    const quantcore::SafetensorsFile a(out("dense") / "model.safetensors");
    const quantcore::SafetensorsFile b(out("dense-of-packed") / "model.safetensors");
    QCOMPARE(b.entries().size(), a.entries().size());
    for (const auto& e : a.entries()) {
      const quantcore::TensorView av = a.view(e), bv = b.view(*b.entry(e.name));
      QVERIFY2(av.nbytes == bv.nbytes && std::memcmp(av.data, bv.data, av.nbytes) == 0, e.name.c_str());
    }

    // Without a run, the dump is the analysis dump of the session's calibration statistics.
    QVERIFY(!fresh.window.exports().action(Kind::Hdf5Dump)->isEnabled());
    QSignalSpy calibrated(&fresh.session, &widgets::StudioSession::calibrationFinished);
    fresh.session.calibrate(kText, quantcore::CalibrationOptions{4, 64, 2});
    QVERIFY(calibrated.wait(30000));
    QVERIFY(fresh.window.exports().action(Kind::Hdf5Dump)->isEnabled());
    QVERIFY(fresh.window.exports().start(Kind::Hdf5Dump, QString::fromStdString(out("stats.h5").string()), error));
    QVERIFY(finished.wait(60000));
    const analysis::DumpReader reader(out("stats.h5"));
    QCOMPARE(QString::fromStdString(reader.header().content), QString("statistics"));
    QCOMPARE(reader.header().settings.seqlen, int64_t(64));
    QCOMPARE(reader.header().settings.salient_ratio, fresh.session.salientRatio());
    QVERIFY(!reader.read_block(0).loss.has_value());
  }

  void aTakenDestinationIsRefused() {
    QString error;
    QVERIFY(!exports().start(Kind::Packed, QString::fromStdString(out("hf").string()), error));
    QVERIFY(error.startsWith(QString::fromStdString(out("hf").string())));
    QVERIFY(error.contains("not empty"));
  }

  void whatAKilledRunLeftIsRemovedAndSaid() {
    // A staging directory as a run killed outright leaves it: our marker, a lock nobody holds.
    const fs::path left = out("after-kill.tmp-K1lled");
    fs::create_directories(left);
    std::ofstream(left / quantcore::outputs::kOutputMarker) << "x";
    std::ofstream(left / quantcore::kLockFile).flush();
    fs::last_write_time(left / quantcore::kLockFile, fs::file_time_type::clock::now() - std::chrono::minutes(1));
    QSignalSpy started(&exports(), &widgets::ExportActions::started);
    QVERIFY(exportTo(Kind::Packed, out("after-kill")));
    QVERIFY(!fs::exists(left));
    QVERIFY(fs::is_regular_file(out("after-kill") / "config.json"));
    QCOMPARE(started.count(), 1);
    const QString said = started.at(0).at(0).toString();
    QVERIFY2(said.contains("Removed " + QString::fromStdString(left.string()) + ", left by an interrupted run"),
             qPrintable(said));
  }

  void cancelLeavesNothingUnderTheFinalName() {
    // The export is queued behind a blocked task on the exports' thread and cancelled before it
    // starts, so it meets the request at its first check whatever the machine's speed.
    QThreadPool* pool = &exports().threadPool();
    for (auto [kind, name] : {std::pair{Kind::Packed, "cancelled-packed"}, std::pair{Kind::Hdf5Dump, "cancelled.h5"}}) {
      auto gate = std::make_shared<QSemaphore>();
      struct Opener {
        std::shared_ptr<QSemaphore> gate;
        ~Opener() { gate->release(); }  // also when a check below fails
      } opener{gate};
      pool->start([gate] { gate->acquire(); });
      QSignalSpy cancelled(&exports(), &widgets::ExportActions::cancelled);
      QString error;
      QVERIFY(exports().start(kind, QString::fromStdString(out(name).string()), error));
      QVERIFY(exports().busy());
      QTest::mouseClick(child<QPushButton>("exportCancel"), Qt::LeftButton);
      gate->release();
      QVERIFY(cancelled.wait(30000));
      QCOMPARE(entriesNamed(out_.path().toStdString(), name), 0);
    }
    QVERIFY(exports().action(Kind::Packed)->isEnabled());
    gui_test::save_screenshot(studio_->window, "gui-export-cancelled");
  }

  // The CLI and the studio share the quantize job and its writers: the same settings give the
  // same summary.json, timing fields aside (written to the same folder, one after the other).
  void cliWritesTheSameSummaryAsTheStudio() {
    nlohmann::json studio = read_json_file(out("hf") / "summary.json");
    fs::remove_all(out("hf"));
    QProcess cli;
    cli.start(QUANTLENS_CLI, {"quantize", kModel, "--method", "ptq161", "--calib", kText, "--nsamples", "4", "--seqlen",
                              "64", "--epochs", "1", "--cache-dir", cache_.path(),
                              QString::fromStdString(out("hf").string()).prepend("--out="), "-q"});
    QVERIFY(cli.waitForFinished(120000));
    QCOMPARE(cli.exitCode(), 0);
    nlohmann::json written = read_json_file(out("hf") / "summary.json");
    for (nlohmann::json* j : {&studio, &written})
      for (const char* timing : {"seconds", "peak_host_memory_bytes"}) j->erase(timing);
    QCOMPARE(QString::fromStdString(written.dump(2)), QString::fromStdString(studio.dump(2)));
  }

  void cleanupTestCase() { studio_.reset(); }
};

QUANTLENS_GUI_TEST_MAIN(ExportGuiTest)

#include "test_export_gui.moc"
