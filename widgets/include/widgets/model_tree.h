#pragma once
// The model tree: blocks -> linear layers with their shapes and parameter counts. Selecting a
// linear selects it in the session.
#include <QTreeWidget>

namespace widgets {

class StudioSession;

class ModelTree : public QTreeWidget {
  Q_OBJECT
public:
  ModelTree(StudioSession& session, QWidget* parent = nullptr);

private:
  void rebuild();
  void showSelection();
  StudioSession& session_;
};

}  // namespace widgets
