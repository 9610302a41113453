#pragma once
// The model tree: blocks -> linear layers with their shapes and parameter counts and, once the
// model is quantised, bits per weight (spec §7). Selecting a linear selects it in the session.
#include <QTreeWidget>

namespace widgets {

class StudioSession;

class ModelTree : public QTreeWidget {
  Q_OBJECT
public:
  ModelTree(StudioSession& session, QWidget* parent = nullptr);
  static constexpr int kBitsColumn = 3;

private:
  void rebuild();
  void showSelection();
  void showBits();
  StudioSession& session_;
};

}  // namespace widgets
