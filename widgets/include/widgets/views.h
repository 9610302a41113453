#pragma once
// The registry of Studio views: one entry per view, one file per view. The main window's tabs,
// the command line's --view names and the tests all loop over this list.
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

namespace widgets {

class StudioSession;

struct ViewEntry {
  QString name;   // --view NAME
  QString title;  // tab title
  bool needsStatistics = false;
  std::function<QWidget*(StudioSession&, QWidget*)> make;
};

const std::vector<ViewEntry>& studioViews();
const ViewEntry* findView(const QString& name);

// The view widgets' constructors, registered in views.cpp.
QWidget* makeActivationsView(StudioSession& session, QWidget* parent);
QWidget* makeWeightsView(StudioSession& session, QWidget* parent);
QWidget* makeSliderView(StudioSession& session, QWidget* parent);
QWidget* makeTeachView(StudioSession& session, QWidget* parent);
QWidget* makeOptimiseView(StudioSession& session, QWidget* parent);
QWidget* makeCompareView(StudioSession& session, QWidget* parent);
QWidget* makeDumpView(StudioSession& session, QWidget* parent);

}  // namespace widgets
