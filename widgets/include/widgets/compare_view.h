#pragma once
// The compare view (`--compare MODEL2`): the selected linear's |W| in the open model and in a
// second model side by side on one colour scale, and |W1 - W2|; pan and zoom move all three.
#include <QWidget>

#include <memory>

class QLabel;

namespace quantcore {
class CausalLM;
}

namespace widgets {

class StudioSession;
class HeatmapCanvas;

class CompareView : public QWidget {
  Q_OBJECT
public:
  CompareView(StudioSession& session, QWidget* parent = nullptr);

  bool hasSecondModel() const;
  HeatmapCanvas& left() { return *left_; }
  HeatmapCanvas& right() { return *right_; }
  HeatmapCanvas& difference() { return *diff_; }

public Q_SLOTS:
  // Has the session load MODEL2 (HF directory, packed checkpoint or llama2.c .bin) off the GUI
  // thread; the second model lives in the session, the view only shows it.
  void openSecondModel(const QString& path);

Q_SIGNALS:
  void secondModelOpened();
  void secondModelFailed(const QString& message);
  void comparisonChanged();

private:
  void refresh();
  void follow(HeatmapCanvas* source);

  StudioSession& session_;
  HeatmapCanvas *left_, *right_, *diff_;
  QLabel* status_;
};

}  // namespace widgets
