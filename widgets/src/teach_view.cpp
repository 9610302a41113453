// The teaching view: a small W and x the user edits, worked through PTQ1.61's analytic
// initialisation live: the structured mask from |x| (spec §2.2), the 4-bit codes of the salient
// columns with their row scale and zero (§3), mu, alpha and sgn(W - mu) of the binarised columns
// (§4.1), the dequantised W' (§4.2), and the output error with and without the mask. Every edit
// is undoable; a cell that does not hold a usable number is refused and marked.
#include <QAction>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QTableWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/teaching_example.h"
#include "quantcore/pack/bits_accounting.h"
#include "widgets/colormap.h"
#include "widgets/colour_scale.h"
#include "widgets/teach_cell_delegate.h"
#include "widgets/teach_cell_input.h"
#include "widgets/teach_input_command.h"
#include "widgets/teach_scale_controls.h"
#include "widgets/teach_text.h"
#include "widgets/views.h"

namespace widgets {

namespace {

const QColor kSalient(255, 196, 120);
const QColor kRefused(255, 150, 150);

QColor mapped(float value, const ColourScale& scale) {
  const Rgb c = colormap(static_cast<float>(scale.normalised(value)));
  return QColor(c.r, c.g, c.b);
}
// Readable text on a colour-map background.
QColor textOn(const QColor& background) {
  const double luma = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue();
  return luma > 120.0 ? Qt::black : Qt::white;
}

QTableWidget* makeTable(int rows, int cols, const QString& name, QWidget* parent) {
  auto* t = new QTableWidget(rows, cols, parent);
  t->setObjectName(name);
  t->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  t->verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  t->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  t->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  t->setMinimumHeight(rows * 22 + 28);
  t->setTextElideMode(Qt::ElideNone);
  QFont font = t->font();  // eight columns of signed numbers side by side in the window's centre
  font.setPointSizeF(font.pointSizeF() * 0.85);
  t->setFont(font);
  t->horizontalHeader()->setMinimumSectionSize(20);
  t->verticalHeader()->setMinimumSectionSize(16);
  return t;
}

void setCell(QTableWidget* t, int row, int col, const QString& text, const QString& tip, const QColor& background = {},
             bool editable = false) {
  QTableWidgetItem* item = t->item(row, col);
  if (!item) {
    item = new QTableWidgetItem;
    item->setTextAlignment(Qt::AlignCenter);
    t->setItem(row, col, item);
  }
  item->setFlags(editable ? item->flags() | Qt::ItemIsEditable : item->flags() & ~Qt::ItemIsEditable);
  item->setText(text);
  item->setToolTip(tip);
  item->setBackground(background.isValid() ? QBrush(background) : QBrush());
  item->setForeground(background.isValid() ? QBrush(textOn(background)) : QBrush());
}

QString number(double v) { return QString::number(v, 'f', 2); }
QString ratioText(double ratio) { return QObject::tr("ratio %1").arg(number(ratio)); }

// Cell (row, col) of the table of W and x: W[row, col], or x[col] on the last row.
float& valueAt(analysis::TeachingInput& in, int row, int col) {
  return row < in.rows ? in.weight[static_cast<size_t>(row * in.cols + col)] : in.x[static_cast<size_t>(col)];
}

QGroupBox* boxed(const QString& title, const QList<QWidget*>& content, QWidget* parent) {
  auto* box = new QGroupBox(title, parent);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(2);
  for (QWidget* w : content) layout->addWidget(w);
  return box;
}

QLabel* valueLabel(const char* name, const QString& tip, QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setObjectName(name);
  label->setToolTip(tip);
  return label;
}

// A form row whose caption explains the same as its value.
void addExplainedRow(QFormLayout* form, const QString& caption, QLabel* value) {
  auto* label = new QLabel(caption, value->parentWidget());
  label->setToolTip(value->toolTip());
  form->addRow(label, value);
}

class TeachView : public QWidget {
public:
  explicit TeachView(QWidget* parent) : QWidget(parent), input_(analysis::default_teaching_input()) {
    const int n = static_cast<int>(input_.rows), m = static_cast<int>(input_.cols);
    undo_ = new QUndoStack(this);
    undo_->setObjectName("teachUndoStack");

    ratio_ = new QSlider(Qt::Horizontal, this);
    ratio_->setObjectName("teachRatio");
    ratio_->setRange(0, 100);
    ratio_->setToolTip(TeachText::ratio());
    ratioLabel_ = valueLabel("teachRatioValue", TeachText::ratio(), this);
    maskLabel_ = valueLabel("teachMask", TeachText::mask(), this);
    maskRule_ = valueLabel("teachMaskRule", TeachText::maskRuleTip(), this);
    errorMasked_ = valueLabel("teachErrorMasked", TeachText::errorWithMask(), this);
    errorUnmasked_ = valueLabel("teachErrorUnmasked", TeachText::errorAllBinarised(), this);
    errorRatio_ = valueLabel("teachErrorRatio", TeachText::errorRatio(), this);
    bits_ = valueLabel("teachBits", {}, this);
    auto* numbers = new QFormLayout;
    numbers->setVerticalSpacing(2);
    addExplainedRow(numbers, tr("salient ratio (§2.2)"), ratioLabel_);
    addExplainedRow(numbers, tr("salient columns: |x_j| ≥ thr"), maskLabel_);
    addExplainedRow(numbers, tr("count, official code"), maskRule_);
    addExplainedRow(numbers, tr("‖W′x − Wx‖, with the mask"), errorMasked_);
    addExplainedRow(numbers, tr("‖W″x − Wx‖, all binarised"), errorUnmasked_);
    addExplainedRow(numbers, tr("E/E(no mask), E = ‖(W − W′)x‖²"), errorRatio_);
    bitsCaption_ = new QLabel(tr("bits/weight: payload, stored"), this);
    numbers->addRow(bitsCaption_, bits_);
    auto* top = new QVBoxLayout;
    top->addWidget(ratio_);
    top->addLayout(numbers);

    inputs_ = makeTable(n + 1, m, "teachWeights", this);
    inputs_->setItemDelegate(new TeachCellDelegate(inputs_));
    codes_ = makeTable(n, m, "teachCodes", this);
    dequantized_ = makeTable(n, m, "teachDequantized", this);
    rows_ = makeTable(n, 7, "teachRows", this);
    rows_->setHorizontalHeaderLabels({"scale", "zero", "μ", "α", "Wx", "W′x", "W″x"});
    for (int c = 0; c < 7; ++c) rows_->horizontalHeaderItem(c)->setToolTip(TeachText::tooltip(TeachText::rowColumn(c)));
    QStringList rowNames;
    for (int i = 0; i < n; ++i) rowNames << QString("r%1").arg(i);
    for (QTableWidget* t : {codes_, dequantized_, rows_}) t->setVerticalHeaderLabels(rowNames);
    inputs_->setVerticalHeaderLabels(rowNames << "x");
    message_ = new QLabel(this);
    message_->setObjectName("teachMessage");

    auto* grid = new QGridLayout;
    grid->addLayout(top, 0, 0);
    grid->addWidget(boxed(tr("W and x (edit any cell)"), {inputs_, message_}, this), 1, 0);
    grid->addWidget(boxed(tr("salient: 4-bit code Q (§3); binarised: sgn(W − μ) (§4.1)"), {codes_}, this), 2, 0);
    grid->addWidget(boxed(tr("per row: §3 scale, zero; §4.1 μ, α; outputs"), {rows_}, this), 0, 1, 2, 1);
    grid->addWidget(boxed(tr("W′ dequantised (§4.2, r1 = r2 = 1)"), {dequantized_}, this), 2, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buildToolbar());
    layout->addLayout(grid);

    connect(inputs_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) { cellEdited(*item); });
    // A drag previews every position and is one undo step; a key or click step is one each.
    connect(ratio_, &QSlider::sliderPressed, this, [this] { dragStart_ = input_; });
    connect(ratio_, &QSlider::sliderReleased, this, [this] { change(ratioText(input_.ratio), dragStart_, input_); });
    connect(ratio_, &QSlider::valueChanged, this, [this](int v) {
      analysis::TeachingInput moved = input_;
      moved.ratio = v / 100.0;
      if (ratio_->isSliderDown()) {
        input_ = moved;
        recompute();
      } else {
        change(ratioText(moved.ratio), input_, moved);
      }
    });
    connect(scale_, &TeachScaleControls::changed, this, [this] { recompute(); });
    setInput(input_);
  }

private:
  QHBoxLayout* buildToolbar() {
    auto* undoAction = undo_->createUndoAction(this, tr("Undo"));
    undoAction->setShortcut(QKeySequence::Undo);
    auto* redoAction = undo_->createRedoAction(this, tr("Redo"));
    redoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    for (QAction* a : {undoAction, redoAction}) {
      a->setShortcutContext(Qt::WidgetWithChildrenShortcut);  // other tabs keep their own keys
      addAction(a);
    }
    auto* undoButton = new QPushButton(tr("Undo"), this);
    undoButton->setObjectName("teachUndo");
    auto* redoButton = new QPushButton(tr("Redo"), this);
    redoButton->setObjectName("teachRedo");
    auto* reset = new QPushButton(tr("Reset"), this);
    reset->setObjectName("teachReset");
    reset->setToolTip(tr("Back to the shipped 6 × 8 example at ratio 0.20 (undoable)."));
    const auto follow = [](QPushButton* button, QAction* action, const QString& keys) {
      const auto sync = [=] {
        button->setEnabled(action->isEnabled());
        button->setToolTip(action->text() + " (" + keys + ")");
      };
      connect(action, &QAction::changed, button, sync);
      connect(button, &QPushButton::clicked, action, &QAction::trigger);
      sync();
    };
    follow(undoButton, undoAction, "Ctrl+Z");
    follow(redoButton, redoAction, "Ctrl+Shift+Z, Ctrl+Y");
    connect(reset, &QPushButton::clicked, this,
            [this] { change(tr("reset to the example"), input_, analysis::default_teaching_input()); });
    scale_ = new TeachScaleControls(this);
    auto* bar = new QHBoxLayout;
    for (QPushButton* b : {undoButton, redoButton, reset}) bar->addWidget(b);
    bar->addStretch(1);
    bar->addWidget(scale_);
    return bar;
  }

  void cellEdited(QTableWidgetItem& item) {
    const int n = static_cast<int>(input_.rows);
    const int row = item.row(), col = item.column();
    const QString name = teachCellName(row, col, n);
    const TeachCellValue read = readTeachCell(item.text());
    const int key = row * static_cast<int>(input_.cols) + col;
    if (!read.accepted) {
      refused_[key] = {item.text(), name + ": " + read.problem, ++refusals_};
      showMessage();
      recompute();  // the results keep the last good value; only the cell's mark changes
      return;
    }
    analysis::TeachingInput edited = input_;
    valueAt(edited, row, col) = read.value;
    if (sameTeachingInput(edited, input_)) {
      refused_.erase(key);
      showMessage();
      recompute();
    } else {
      change(tr("%1 = %2").arg(name, number(read.value)), input_, edited);
    }
  }

  void change(const QString& what, const analysis::TeachingInput& before, const analysis::TeachingInput& after) {
    if (sameTeachingInput(before, after)) return;
    undo_->push(
        new TeachInputCommand(what, before, after, [this](const analysis::TeachingInput& in) { setInput(in); }));
  }

  // Every accepted change lands here (edit, ratio, reset, undo, redo): the cells show the input
  // again, so earlier refusals are dropped with their marks.
  void setInput(const analysis::TeachingInput& in) {
    input_ = in;
    refused_.clear();
    showMessage();
    const QSignalBlocker block(ratio_);
    ratio_->setValue(static_cast<int>(std::lround(input_.ratio * 100)));
    recompute();
  }

  // The latest refusal still marked, else how to edit.
  void showMessage() {
    const auto latest = std::max_element(refused_.begin(), refused_.end(),
                                         [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
    message_->setText(latest == refused_.end() ? TeachText::editHint() : latest->second.message);
    message_->setStyleSheet(latest == refused_.end() ? "color: palette(mid);" : "color: #b00000;");
  }

  void recompute() {
    const analysis::TeachingResult r = analysis::teach(input_);
    const int n = static_cast<int>(input_.rows), m = static_cast<int>(input_.cols);
    float extent = 0.0f;
    for (float v : input_.weight) extent = std::max(extent, std::fabs(v));
    const ColourScale scale{scale_->rangeFor({-extent, extent, extent})};
    QStringList columns, salientNames;
    for (int j = 0; j < m; ++j) {
      columns << (r.mask[j] ? QString("c%1 *").arg(j) : QString("c%1").arg(j));
      if (r.mask[j]) salientNames << QString("c%1").arg(j);
    }
    for (QTableWidget* t : {inputs_, codes_, dequantized_}) t->setHorizontalHeaderLabels(columns);
    showInputs(r, scale);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j) {
        const size_t k = static_cast<size_t>(i * m + j);
        if (r.mask[j])
          setCell(codes_, i, j, QString("Q=%1").arg(r.codes[k]),
                  TeachText::codeCell(i, j, r.codes[k], r.scale[i], r.zero[i], r.dequantized[k]), kSalient);
        else
          setCell(codes_, i, j, r.signs[k] > 0 ? "+1" : (r.signs[k] < 0 ? "-1" : "0"),
                  TeachText::signCell(i, j, r.signs[k], r.mu[i], r.alpha[i], r.dequantized[k]),
                  r.signs[k] > 0 ? QColor(200, 225, 255) : QColor(235, 235, 235));
        setCell(dequantized_, i, j, number(r.dequantized[k]),
                TeachText::dequantizedCell(i, j, r.dequantized[k], input_.weight[k], r.mask[j]),
                mapped(r.dequantized[k], scale));
      }
    for (int i = 0; i < n; ++i) {
      const double values[7] = {r.scale[i],         r.zero[i],           r.mu[i], r.alpha[i], r.exact_output[i],
                                r.masked_output[i], r.unmasked_output[i]};
      for (int c = 0; c < 7; ++c) {
        const QString text = QString::number(values[c], 'f', c == 1 ? 0 : (c == 0 ? 3 : 2));
        setCell(rows_, i, c, text, TeachText::rowCell(c, i, text));
      }
    }
    const int salient = static_cast<int>(salientNames.size());
    ratioLabel_->setText(QString::number(input_.ratio, 'f', 2));
    maskLabel_->setText(salientNames.join(", "));
    maskRule_->setText(TeachText::maskRule(input_.ratio, m, salient));
    errorMasked_->setText(QString::number(r.error_with_mask, 'f', 4));
    errorUnmasked_->setText(QString::number(r.error_without_mask, 'f', 4));
    const double e0 = r.error_without_mask * r.error_without_mask;
    errorRatio_->setText(e0 > 0 ? QString::number(r.error_with_mask * r.error_with_mask / e0, 'f', 4) : "-");
    showBits(salient);
  }

  void showInputs(const analysis::TeachingResult& r, const ColourScale& scale) {
    const QSignalBlocker block(inputs_);
    const int n = static_cast<int>(input_.rows), m = static_cast<int>(input_.cols);
    for (int i = 0; i <= n; ++i)
      for (int j = 0; j < m; ++j) {
        const float v = valueAt(input_, i, j);
        const auto refused = refused_.find(i * m + j);
        if (refused != refused_.end()) {
          setCell(inputs_, i, j, refused->second.text, TeachText::refusedCell(refused->second.message, v), kRefused,
                  true);
        } else if (i < n) {
          setCell(inputs_, i, j, number(v), TeachText::weightCell(i, j, v), mapped(v, scale), true);
        } else {
          setCell(inputs_, i, j, number(v), TeachText::activationCell(j, v, r.mask[j]), r.mask[j] ? kSalient : QColor(),
                  true);
        }
        inputs_->item(i, j)->setData(kTeachRefusedRole, refused != refused_.end());
      }
  }

  void showBits(int salient) {
    const quantcore::LayerBits b =
        quantcore::layer_bits({{"teach", input_.rows, input_.cols}, salient}, {.salient_bits = input_.salient_bits});
    bits_->setText(QString("%1, %2").arg(b.payload_bits_per_weight, 0, 'f', 2).arg(b.bits_per_weight, 0, 'f', 2));
    const QString tip = TeachText::bits(b.payload_bits_per_weight, b.bits_per_weight, salient,
                                        static_cast<int>(input_.cols), input_.salient_bits);
    bits_->setToolTip(tip);
    bitsCaption_->setToolTip(tip);
  }

  struct Refusal {
    QString text, message;  // what was typed; "W[2,3]: 'abc' is not a number"
    int order = 0;
  };

  analysis::TeachingInput input_, dragStart_;
  std::map<int, Refusal> refused_;  // cell (row * cols + col, x is row `rows`) -> its refusal
  int refusals_ = 0;
  QUndoStack* undo_;
  QSlider* ratio_;
  TeachScaleControls* scale_ = nullptr;
  QLabel *ratioLabel_, *maskLabel_, *maskRule_, *errorMasked_, *errorUnmasked_, *errorRatio_, *bits_, *bitsCaption_;
  QLabel* message_;
  QTableWidget *inputs_, *codes_, *dequantized_, *rows_;
};

}  // namespace

QWidget* makeTeachView(StudioSession&, QWidget* parent) { return new TeachView(parent); }

}  // namespace widgets
