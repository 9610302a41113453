#pragma once
// The registry of Studio views: one entry per view, one file per view. The main window's tabs,
// the command line's --view names and the tests all loop over this list.
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

#include "quantcore/calib/calibration_windows.h"

namespace widgets {

class StudioSession;

// What the shell hands every view at start: the command line's calibration and, in scripted
// mode (--screenshot, --figure), whether the view is the one pictured.
struct ViewLaunch {
  QString calibText;
  quantcore::CalibrationOptions calibration;
  bool scripted = false;
  bool shown = false;                        // this view is the --view
  QString methods;                           // --methods: the methods view's list of spellings
  std::function<void(const QString&)> fail;  // scripted mode: ends the program with the message
};

struct ViewEntry {
  QString name;   // --view NAME
  QString title;  // tab title
  bool needsStatistics = false;
  std::function<QWidget*(StudioSession&, QWidget*)> make;
  // Optional: takes the launch settings (e.g. the optimise view's text and calibration).
  std::function<void(QWidget*, const ViewLaunch&)> launch = {};
  // Optional: false while the view's picture is not complete (scripted mode waits for it).
  std::function<bool(const QWidget*)> ready = {};
};

const std::vector<ViewEntry>& studioViews();
const ViewEntry* findView(const QString& name);

// The view widgets' constructors, registered in views.cpp.
QWidget* makeActivationsView(StudioSession& session, QWidget* parent);
QWidget* makeWeightsView(StudioSession& session, QWidget* parent);
QWidget* makeSliderView(StudioSession& session, QWidget* parent);
QWidget* makeTeachView(StudioSession& session, QWidget* parent);
QWidget* makeOptimiseView(StudioSession& session, QWidget* parent);
void launchOptimiseView(QWidget* view, const ViewLaunch& launch);
bool optimiseViewReady(const QWidget* view);
QWidget* makeRunsView(StudioSession& session, QWidget* parent);
QWidget* makeCompareView(StudioSession& session, QWidget* parent);
// Restorative-LoRA preprocessing of the open model (ptq161-spec §6), run, cancelled, resumed.
QWidget* makePreprocessView(StudioSession& session, QWidget* parent);
// M and a preprocessed M_P (the session's second model) before and after (docs/preprocess.md).
QWidget* makeBeforeAfterView(StudioSession& session, QWidget* parent);
bool beforeAfterViewReady(const QWidget* view);
QWidget* makeDumpView(StudioSession& session, QWidget* parent);
QWidget* makeMethodsView(StudioSession& session, QWidget* parent);
void launchMethodsView(QWidget* view, const ViewLaunch& launch);
bool methodsViewReady(const QWidget* view);

}  // namespace widgets
