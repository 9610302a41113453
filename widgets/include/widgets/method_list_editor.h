#pragma once
// The Methods view's list of methods to compare: a method from the registry with its settings
// form (MethodSettingsForm), Add, and the list (each entry shown in its spelling, NAME:key=value)
// with Remove, Up and Down. Selecting an entry loads it into the form as a template for the next.
#include <QStringList>
#include <QWidget>

#include <vector>

#include "quantcore/methods/method_settings.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;

namespace widgets {

class MethodSettingsForm;

class MethodListEditor : public QWidget {
  Q_OBJECT
public:
  explicit MethodListEditor(QWidget* parent = nullptr);

  // The entries in list order.
  std::vector<quantcore::methods::MethodSettings> methods() const;
  QStringList spellings() const;
  // Replaces the list with `list` (comma-separated spellings, as --methods takes them); false
  // with a one-line error and the list unchanged when one does not parse.
  bool setSpellings(const QString& list, QString& error);
  void setEditable(bool editable);  // false while a comparison runs

public Q_SLOTS:
  // Adds the form's method and settings; a bad field is said below the list.
  void addCurrent();

Q_SIGNALS:
  void changed();

private:
  void showMethod(const QString& name);
  void load(int row);
  void move(int by);
  void refreshButtons();
  void append(const quantcore::methods::MethodSettings& settings);

  QComboBox* method_;
  MethodSettingsForm* form_;
  QListWidget* list_;
  QPushButton *add_, *remove_, *up_, *down_;
  QLabel* problem_;
  bool editable_ = true;
};

}  // namespace widgets
