#pragma once
// One undoable change of the teaching view's input (a cell, the salient ratio, a reset): the
// whole input before and after (a few dozen floats), applied through the view's setter.
#include <QUndoCommand>

#include <functional>

#include "analysis/teaching_example.h"

namespace widgets {

bool sameTeachingInput(const analysis::TeachingInput& a, const analysis::TeachingInput& b);

class TeachInputCommand : public QUndoCommand {
public:
  using Apply = std::function<void(const analysis::TeachingInput&)>;
  TeachInputCommand(const QString& text, analysis::TeachingInput before, analysis::TeachingInput after, Apply apply);

  void undo() override { apply_(before_); }
  void redo() override { apply_(after_); }

private:
  analysis::TeachingInput before_, after_;
  Apply apply_;
};

}  // namespace widgets
