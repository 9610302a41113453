#include "widgets/method_list_editor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "quantcore/methods/registry.h"
#include "widgets/method_settings_form.h"

namespace widgets {

namespace qm = quantcore::methods;

namespace {
QPushButton* button(QWidget* parent, const QString& text, const char* name, const QString& tip) {
  auto* b = new QPushButton(text, parent);
  b->setObjectName(name);
  b->setToolTip(tip);
  return b;
}
}  // namespace

MethodListEditor::MethodListEditor(QWidget* parent) : QWidget(parent) {
  method_ = new QComboBox(this);
  method_->setObjectName("methodsMethod");
  for (const qm::QuantMethod* m : qm::registered_methods()) {
    method_->addItem(QString::fromStdString(std::string(m->name())));
    method_->setItemData(method_->count() - 1, QString::fromStdString(std::string(m->description())), Qt::ToolTipRole);
  }
  form_ = new MethodSettingsForm("methods", this);
  add_ = button(this, tr("Add"), "methodsAdd", tr("Add the method with these settings to the comparison"));
  list_ = new QListWidget(this);
  list_->setObjectName("methodsList");
  list_->setToolTip(tr("The methods compared, in the order they run; select one to load its settings above"));
  list_->setMinimumHeight(6 * list_->fontMetrics().lineSpacing() + 8);
  list_->setMaximumHeight(8 * list_->fontMetrics().lineSpacing() + 8);
  remove_ = button(this, tr("Remove"), "methodsRemove", tr("Remove the selected method"));
  up_ = button(this, tr("Up"), "methodsUp", tr("Run the selected method earlier"));
  down_ = button(this, tr("Down"), "methodsDown", tr("Run the selected method later"));
  problem_ = new QLabel(this);
  problem_->setObjectName("methodsProblem");
  problem_->setWordWrap(true);
  problem_->setStyleSheet("color: #b00020");
  problem_->hide();

  auto* chooser = new QFormLayout;
  chooser->setContentsMargins(0, 0, 0, 0);
  chooser->addRow(tr("method"), method_);
  auto* edits = new QHBoxLayout;
  for (QPushButton* b : {remove_, up_, down_}) edits->addWidget(b);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(chooser);
  layout->addWidget(form_);
  layout->addWidget(add_);
  layout->addWidget(list_);
  layout->addLayout(edits);
  layout->addWidget(problem_);

  connect(method_, &QComboBox::currentTextChanged, this, &MethodListEditor::showMethod);
  connect(add_, &QPushButton::clicked, this, &MethodListEditor::addCurrent);
  connect(remove_, &QPushButton::clicked, this, [this] {
    delete list_->takeItem(list_->currentRow());
    refreshButtons();
    Q_EMIT changed();
  });
  connect(up_, &QPushButton::clicked, this, [this] { move(-1); });
  connect(down_, &QPushButton::clicked, this, [this] { move(1); });
  connect(list_, &QListWidget::currentRowChanged, this, [this](int row) {
    load(row);
    refreshButtons();
  });
  showMethod(method_->currentText());
  refreshButtons();
}

void MethodListEditor::showMethod(const QString& name) {
  if (const qm::QuantMethod* m = qm::find_method(name.toStdString())) form_->setMethod(*m);
}

// The entry's method and values in the form, so that a variant is one change and Add away.
void MethodListEditor::load(int row) {
  if (row < 0 || row >= list_->count()) return;
  const qm::MethodSettings s = qm::parse_method_spelling(list_->item(row)->text().toStdString(), "methods");
  {
    const QSignalBlocker quiet(method_);
    method_->setCurrentText(QString::fromStdString(std::string(s.method_name())));
  }
  form_->setMethod(s.method());
  for (const qm::MethodParameter& p : s.method().parameters())
    form_->setValue(p.name, QString::fromStdString(s.text(p.name)));
}

void MethodListEditor::move(int by) {
  const int row = list_->currentRow(), to = row + by;
  if (row < 0 || to < 0 || to >= list_->count()) return;
  QListWidgetItem* item = list_->takeItem(row);
  list_->insertItem(to, item);
  list_->setCurrentRow(to);
  Q_EMIT changed();
}

void MethodListEditor::append(const qm::MethodSettings& settings) {
  auto* item = new QListWidgetItem(QString::fromStdString(settings.spelling()), list_);
  item->setToolTip(QString::fromStdString(std::string(settings.method().description())));
}

void MethodListEditor::addCurrent() {
  if (!form_->method()) return;
  try {
    append(form_->settings());
    problem_->hide();
  } catch (const std::exception& e) {
    problem_->setText(tr("Settings: %1").arg(e.what()));
    problem_->show();
    return;
  }
  refreshButtons();
  Q_EMIT changed();
}

std::vector<qm::MethodSettings> MethodListEditor::methods() const {
  std::vector<qm::MethodSettings> out;
  for (int i = 0; i < list_->count(); ++i)
    out.push_back(qm::parse_method_spelling(list_->item(i)->text().toStdString(), "methods"));
  return out;
}

QStringList MethodListEditor::spellings() const {
  QStringList out;
  for (int i = 0; i < list_->count(); ++i) out << list_->item(i)->text();
  return out;
}

bool MethodListEditor::setSpellings(const QString& list, QString& error) {
  std::vector<qm::MethodSettings> parsed;
  try {
    parsed = qm::parse_method_list(list.toStdString(), "--methods");
  } catch (const std::exception& e) {
    error = QString::fromStdString(e.what());
    return false;
  }
  list_->clear();
  for (const qm::MethodSettings& s : parsed) append(s);
  refreshButtons();
  Q_EMIT changed();
  return true;
}

void MethodListEditor::setEditable(bool editable) {
  editable_ = editable;
  refreshButtons();
}

void MethodListEditor::refreshButtons() {
  const int row = list_->currentRow();
  add_->setEnabled(editable_);
  remove_->setEnabled(editable_ && row >= 0);
  up_->setEnabled(editable_ && row > 0);
  down_->setEnabled(editable_ && row >= 0 && row + 1 < list_->count());
}

}  // namespace widgets
