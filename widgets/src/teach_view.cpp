// The teaching view: a small W and x the user edits, worked through PTQ1.61's analytic
// initialisation live: the structured mask from |x| (spec §2.2), the 4-bit codes of the salient
// columns with their row scale and zero (§3), mu, alpha and sgn(W - mu) of the binarised columns
// (§4.1), the dequantised W' (§4.2), and the output error with and without the mask.
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "analysis/teaching_example.h"
#include "widgets/colormap.h"
#include "widgets/views.h"

namespace widgets {

namespace {

QColor mapped(float value, float range) {
  const Rgb c = colormap(range > 0.0f ? 0.5f + 0.5f * value / range : 0.5f);
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

void setCell(QTableWidget* t, int row, int col, const QString& text, const QColor& background = {},
             bool editable = false) {
  QTableWidgetItem* item = t->item(row, col);
  if (!item) {
    item = new QTableWidgetItem;
    item->setTextAlignment(Qt::AlignCenter);
    t->setItem(row, col, item);
  }
  item->setFlags(editable ? item->flags() | Qt::ItemIsEditable : item->flags() & ~Qt::ItemIsEditable);
  item->setText(text);
  item->setBackground(background.isValid() ? QBrush(background) : QBrush());
  item->setForeground(background.isValid() ? QBrush(textOn(background)) : QBrush());
}

QString number(double v) { return QString::number(v, 'f', 2); }

QGroupBox* boxed(const QString& title, QWidget* content, QWidget* parent) {
  auto* box = new QGroupBox(title, parent);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(content);
  return box;
}

class TeachView : public QWidget {
public:
  explicit TeachView(QWidget* parent) : QWidget(parent), input_(analysis::default_teaching_input()) {
    const int n = static_cast<int>(input_.rows), m = static_cast<int>(input_.cols);
    ratio_ = new QSlider(Qt::Horizontal, this);
    ratio_->setObjectName("teachRatio");
    ratio_->setRange(0, 100);
    ratio_->setValue(static_cast<int>(std::lround(input_.ratio * 100)));
    ratioLabel_ = new QLabel(this);
    maskLabel_ = new QLabel(this);
    maskLabel_->setObjectName("teachMask");
    errorMasked_ = new QLabel(this);
    errorMasked_->setObjectName("teachErrorMasked");
    errorUnmasked_ = new QLabel(this);
    errorUnmasked_->setObjectName("teachErrorUnmasked");
    auto* numbers = new QFormLayout;
    numbers->addRow(tr("salient ratio (§2.2)"), ratioLabel_);
    numbers->addRow(tr("salient columns: |x_j| >= thr"), maskLabel_);
    numbers->addRow(tr("||W'x - Wx||, with the mask"), errorMasked_);
    numbers->addRow(tr("||W''x - Wx||, all binarised"), errorUnmasked_);
    auto* top = new QVBoxLayout;
    top->addWidget(ratio_);
    top->addLayout(numbers);

    inputs_ = makeTable(n + 1, m, "teachWeights", this);
    codes_ = makeTable(n, m, "teachCodes", this);
    dequantized_ = makeTable(n, m, "teachDequantized", this);
    rows_ = makeTable(n, 7, "teachRows", this);
    rows_->setHorizontalHeaderLabels({"scale", "zero", "mu", "alpha", "Wx", "W'x", "W''x"});
    QStringList rowNames;
    for (int i = 0; i < n; ++i) rowNames << QString("r%1").arg(i);
    for (QTableWidget* t : {codes_, dequantized_, rows_}) t->setVerticalHeaderLabels(rowNames);
    inputs_->setVerticalHeaderLabels(rowNames << "x");
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j)
        setCell(inputs_, i, j, number(input_.weight[static_cast<size_t>(i * m + j)]), {}, true);
    for (int j = 0; j < m; ++j) setCell(inputs_, n, j, number(input_.x[static_cast<size_t>(j)]), {}, true);

    auto* grid = new QGridLayout;
    grid->addLayout(top, 0, 0);
    grid->addWidget(boxed(tr("W and x (edit any cell)"), inputs_, this), 1, 0);
    grid->addWidget(boxed(tr("salient: 4-bit code Q (§3); binarised: sgn(W - mu) (§4.1)"), codes_, this), 2, 0);
    grid->addWidget(boxed(tr("per row: §3 scale, zero; §4.1 mu, alpha; outputs"), rows_, this), 0, 1, 2, 1);
    grid->addWidget(boxed(tr("W' dequantised (§4.2, r1 = r2 = 1)"), dequantized_, this), 2, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(grid);

    connect(inputs_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) { edited(item); });
    connect(ratio_, &QSlider::valueChanged, this, [this](int v) {
      input_.ratio = v / 100.0;
      recompute();
    });
    recompute();
  }

private:
  void edited(QTableWidgetItem* item) {
    bool ok = false;
    const float v = item->text().toFloat(&ok);
    const int m = static_cast<int>(input_.cols);
    float& target = item->row() < input_.rows ? input_.weight[static_cast<size_t>(item->row() * m + item->column())]
                                              : input_.x[static_cast<size_t>(item->column())];
    if (ok && std::isfinite(v)) target = v;
    recompute();
  }

  void recompute() {
    const analysis::TeachingResult r = analysis::teach(input_);
    const QSignalBlocker block(inputs_);
    const int n = static_cast<int>(input_.rows), m = static_cast<int>(input_.cols);
    float range = 0.0f;
    for (float v : input_.weight) range = std::max(range, std::fabs(v));
    const QColor salient(255, 196, 120);
    QStringList columns, salientNames;
    for (int j = 0; j < m; ++j) {
      columns << (r.mask[j] ? QString("c%1 *").arg(j) : QString("c%1").arg(j));
      if (r.mask[j]) salientNames << QString("c%1").arg(j);
    }
    for (QTableWidget* t : {inputs_, codes_, dequantized_}) t->setHorizontalHeaderLabels(columns);
    for (int i = 0; i <= n; ++i)
      for (int j = 0; j < m; ++j) {
        const size_t k = static_cast<size_t>(i * m + j);
        const float v = i < n ? input_.weight[k] : input_.x[static_cast<size_t>(j)];
        setCell(inputs_, i, j, number(v), i < n ? mapped(v, range) : (r.mask[j] ? salient : QColor()), true);
      }
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j) {
        const size_t k = static_cast<size_t>(i * m + j);
        if (r.mask[j])
          setCell(codes_, i, j, QString("Q=%1").arg(r.codes[k]), salient);
        else
          setCell(codes_, i, j, r.signs[k] > 0 ? "+1" : (r.signs[k] < 0 ? "-1" : "0"),
                  r.signs[k] > 0 ? QColor(200, 225, 255) : QColor(235, 235, 235));
        setCell(dequantized_, i, j, number(r.dequantized[k]), mapped(r.dequantized[k], range));
      }
    for (int i = 0; i < n; ++i) {
      const double values[7] = {r.scale[i],         r.zero[i],           r.mu[i], r.alpha[i], r.exact_output[i],
                                r.masked_output[i], r.unmasked_output[i]};
      for (int c = 0; c < 7; ++c) setCell(rows_, i, c, QString::number(values[c], 'f', c == 1 ? 0 : (c == 0 ? 3 : 2)));
    }
    ratioLabel_->setText(QString::number(input_.ratio, 'f', 2));
    maskLabel_->setText(salientNames.join(", "));
    errorMasked_->setText(QString::number(r.error_with_mask, 'f', 4));
    errorUnmasked_->setText(QString::number(r.error_without_mask, 'f', 4));
  }

  analysis::TeachingInput input_;
  QSlider* ratio_;
  QLabel *ratioLabel_, *maskLabel_, *errorMasked_, *errorUnmasked_;
  QTableWidget *inputs_, *codes_, *dequantized_, *rows_;
};

}  // namespace

QWidget* makeTeachView(StudioSession&, QWidget* parent) { return new TeachView(parent); }

}  // namespace widgets
