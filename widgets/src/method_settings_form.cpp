#include "widgets/method_settings_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>

#include <algorithm>
#include <climits>
#include <cmath>

namespace widgets {

namespace qm = quantcore::methods;

namespace {

QString camel(const std::string& name) {
  QString out;
  bool upper = true;
  for (char c : name) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? QChar(c).toUpper() : QChar(c);
    upper = false;
  }
  return out;
}

QString label(const std::string& name) { return QString::fromStdString(name).replace('-', ' '); }

double bounded(double v, double fallback) { return std::isfinite(v) ? v : fallback; }

}  // namespace

MethodSettingsForm::MethodSettingsForm(QString objectPrefix, QWidget* parent)
    : QWidget(parent), prefix_(std::move(objectPrefix)), form_(new QFormLayout(this)) {
  form_->setContentsMargins(0, 0, 0, 0);
}

void MethodSettingsForm::setMethod(const qm::QuantMethod& method) {
  method_ = &method;
  while (form_->rowCount() > 0) form_->removeRow(0);
  fields_.clear();
  const qm::MethodSettings defaults(method);
  for (const qm::MethodParameter& p : method.parameters()) {
    QWidget* w = nullptr;
    const QString name = QString::fromStdString(p.name);
    auto changed = [this, name] { Q_EMIT valueChanged(name); };
    switch (p.type) {
      case qm::ParameterType::Integer: {
        auto* s = new QSpinBox(this);
        s->setRange(int(std::max<double>(INT_MIN, bounded(p.min, INT_MIN))),
                    int(std::min<double>(INT_MAX, bounded(p.max, INT_MAX))));
        s->setValue(int(defaults.integer(p.name)));
        connect(s, &QSpinBox::valueChanged, this, changed);
        w = s;
        break;
      }
      case qm::ParameterType::Real: {
        auto* s = new QDoubleSpinBox(this);
        s->setDecimals(std::abs(defaults.real(p.name)) >= 0.01 ? 3 : 6);
        s->setRange(bounded(p.min, -1e9), bounded(p.max, 1e9));
        s->setSingleStep(defaults.real(p.name) > 0 ? defaults.real(p.name) / 10 : 0.01);
        s->setValue(defaults.real(p.name));
        connect(s, &QDoubleSpinBox::valueChanged, this, changed);
        w = s;
        break;
      }
      case qm::ParameterType::Flag: {
        auto* c = new QCheckBox(label(p.name), this);
        c->setChecked(defaults.flag(p.name));
        connect(c, &QCheckBox::toggled, this, changed);
        w = c;
        break;
      }
      case qm::ParameterType::Choice: {
        auto* c = new QComboBox(this);
        for (const std::string& choice : p.choices) c->addItem(QString::fromStdString(choice));
        c->setCurrentText(QString::fromStdString(defaults.choice(p.name)));
        connect(c, &QComboBox::currentIndexChanged, this, changed);
        w = c;
        break;
      }
      case qm::ParameterType::List: {
        auto* e = new QLineEdit(QString::fromStdString(p.default_value), this);
        QString choices;
        for (const std::string& choice : p.choices)
          choices += (choices.isEmpty() ? "" : ", ") + QString::fromStdString(choice);
        e->setPlaceholderText(choices);
        connect(e, &QLineEdit::textChanged, this, changed);
        w = e;
        break;
      }
    }
    w->setObjectName(prefix_ + camel(p.name));
    w->setToolTip(QString::fromStdString(p.help));
    if (p.type == qm::ParameterType::Flag)
      form_->addRow(w);
    else
      form_->addRow(label(p.name), w);
    fields_[p.name] = w;
  }
}

QWidget* MethodSettingsForm::field(const std::string& parameter) const {
  auto it = fields_.find(parameter);
  return it == fields_.end() ? nullptr : it->second;
}

bool MethodSettingsForm::setValue(const std::string& parameter, const QString& value) {
  QWidget* w = field(parameter);
  if (!w) return false;
  if (auto* s = qobject_cast<QSpinBox*>(w))
    s->setValue(value.toInt());
  else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
    d->setValue(value.toDouble());
  else if (auto* c = qobject_cast<QCheckBox*>(w))
    c->setChecked(value == "true");
  else if (auto* b = qobject_cast<QComboBox*>(w))
    b->setCurrentText(value);
  else if (auto* e = qobject_cast<QLineEdit*>(w))
    e->setText(value);
  return true;
}

qm::MethodSettings MethodSettingsForm::settings() const {
  qm::MethodSettings s(*method_);
  for (const qm::MethodParameter& p : method_->parameters()) {
    QWidget* w = field(p.name);
    QString text;
    if (auto* sp = qobject_cast<QSpinBox*>(w))
      text = QString::number(sp->value());
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
      text = QString::number(d->value(), 'g', QLocale::FloatingPointShortest);
    else if (auto* c = qobject_cast<QCheckBox*>(w))
      text = c->isChecked() ? "true" : "false";
    else if (auto* b = qobject_cast<QComboBox*>(w))
      text = b->currentText();
    else if (auto* e = qobject_cast<QLineEdit*>(w))
      text = e->text().remove(' ');
    s.set(p.name, text.toStdString(), label(p.name).toStdString());
  }
  method_->check(s, "settings");
  return s;
}

}  // namespace widgets
