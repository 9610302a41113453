#pragma once
// A method's settings as a form built from its parameter list (quantcore/methods): a spin box per
// integer or real, a check box per flag, a combo box per choice, a line edit per list. Each field
// is named PREFIX + the parameter in CamelCase ("optimiseEpochs" for epochs).
#include <QFormLayout>
#include <QString>
#include <QWidget>

#include <map>
#include <string>

#include "quantcore/methods/method_settings.h"
#include "quantcore/methods/quant_method.h"

namespace widgets {

class MethodSettingsForm : public QWidget {
  Q_OBJECT
public:
  MethodSettingsForm(QString objectPrefix, QWidget* parent = nullptr);

  // Rebuilds the fields for `method`, each at its default.
  void setMethod(const quantcore::methods::QuantMethod& method);
  const quantcore::methods::QuantMethod* method() const { return method_; }
  // The fields' values; InputError naming the field for a bad one.
  quantcore::methods::MethodSettings settings() const;
  // The field of `parameter` (null when the method has none).
  QWidget* field(const std::string& parameter) const;
  // Sets a field from its text form (as the CLI writes it); false if there is no such field.
  bool setValue(const std::string& parameter, const QString& value);

Q_SIGNALS:
  void valueChanged(const QString& parameter);

private:
  QString prefix_;
  const quantcore::methods::QuantMethod* method_ = nullptr;
  QFormLayout* form_;
  std::map<std::string, QWidget*> fields_;
};

}  // namespace widgets
