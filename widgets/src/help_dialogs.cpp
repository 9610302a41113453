#include "widgets/help_dialogs.h"

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "widgets/studio_inputs.h"

namespace widgets {

QString userGuidePath() {
  return shippedFile("../share/doc/quantlens/user-guide.md", QStringLiteral(QUANTLENS_USER_GUIDE));
}

void showUserGuide(QWidget* parent) {
  const QString path = userGuidePath();
  QFile file(path);
  if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
    QMessageBox::information(parent, QObject::tr("User guide"),
                             QObject::tr("The user guide (docs/user-guide.md) is not installed beside this program."));
    return;
  }
  auto* dialog = new QDialog(parent);
  dialog->setObjectName("userGuide");
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(QObject::tr("QuantLens Studio user guide"));
  auto* browser = new QTextBrowser(dialog);
  browser->setObjectName("userGuideText");
  browser->setOpenExternalLinks(true);
  browser->setSearchPaths({QFileInfo(path).absolutePath()});
  browser->setMarkdown(QString::fromUtf8(file.readAll()));
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
  QObject::connect(close, &QDialogButtonBox::rejected, dialog, &QDialog::close);
  auto* layout = new QVBoxLayout(dialog);
  layout->addWidget(browser);
  layout->addWidget(close);
  dialog->resize(900, 700);
  dialog->show();
}

void showAbout(QWidget* parent) {
  QMessageBox::about(
      parent, QObject::tr("About QuantLens Studio"),
      QObject::tr("<h3>QuantLens Studio %1</h3>"
                  "<p>A workbench for extremely low-bit (sub-2-bit) post-training quantisation of large language "
                  "models: activation and salient-weight heatmaps, the salient-ratio slider with its error bound, "
                  "live optimisation, runs kept and compared, exports of checkpoints, figures and HDF5 dumps.</p>"
                  "<p>Reference method: PTQ1.61 (ACL 2025), structured 4-bit salient columns and learnable "
                  "binarisation, as specified from its official code.</p>"
                  "<p>Built with Qt %2.</p>")
          .arg(QApplication::applicationVersion().isEmpty() ? QStringLiteral("(development)")
                                                            : QApplication::applicationVersion(),
               QString::fromLatin1(qVersion())));
}

}  // namespace widgets
