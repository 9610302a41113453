#include "widgets/teach_input_command.h"

#include <utility>

namespace widgets {

bool sameTeachingInput(const analysis::TeachingInput& a, const analysis::TeachingInput& b) {
  return a.rows == b.rows && a.cols == b.cols && a.weight == b.weight && a.x == b.x && a.ratio == b.ratio &&
         a.salient_bits == b.salient_bits;
}

TeachInputCommand::TeachInputCommand(const QString& text, analysis::TeachingInput before, analysis::TeachingInput after,
                                     Apply apply)
    : QUndoCommand(text), before_(std::move(before)), after_(std::move(after)), apply_(std::move(apply)) {}

}  // namespace widgets
