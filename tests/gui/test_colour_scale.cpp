// widgets/colour_scale.h: the range scan skips non-finite values and falls back when nothing is
// finite or positive; linear and log normalisation and their inverse.
#include <QTest>

#include <cmath>
#include <limits>
#include <vector>

#include "widgets/colour_scale.h"

using widgets::ColourScale;
using widgets::ValueRange;

class ColourScaleTest : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void scanIgnoresNonFiniteValues() {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const ValueRange r = widgets::scanValueRange({nan, -2.0f, inf, 0.0f, 0.25f, 4.0f, -inf});
    QCOMPARE(r.lo, -2.0f);
    QCOMPARE(r.hi, 4.0f);
    QCOMPARE(r.loPositive, 0.25f);
  }

  void scanFallsBack() {
    const ValueRange none = widgets::scanValueRange({std::numeric_limits<float>::quiet_NaN()});
    QCOMPARE(none.lo, 0.0f);
    QCOMPARE(none.hi, 1.0f);
    QCOMPARE(none.loPositive, 1.0f);
    const ValueRange negative = widgets::scanValueRange({-3.0f, -1.0f});
    QCOMPARE(negative.lo, -3.0f);
    QCOMPARE(negative.loPositive, 1.0f);  // no positive value: the log scale starts at 1
    const ValueRange single = widgets::scanValueRange({});
    QCOMPARE(single.hi, 1.0f);
  }

  void scanOverSeveralMatrices() {
    widgets::ValueRangeScan scan;
    QVERIFY(scan.empty());
    scan.add({1.0f, 2.0f});
    scan.add({0.5f, 8.0f});
    QVERIFY(!scan.empty());
    const ValueRange r = scan.range();
    QCOMPARE(r.lo, 0.5f);
    QCOMPARE(r.hi, 8.0f);
    QCOMPARE(r.loPositive, 0.5f);
  }

  void linearNormalisation() {
    const ColourScale s{{-1.0f, 3.0f, 0.5f}, false};
    QCOMPARE(s.bottom(), -1.0);
    QCOMPARE(s.top(), 3.0);
    QCOMPARE(s.normalised(-1.0), 0.0);
    QCOMPARE(s.normalised(1.0), 0.5);
    QCOMPARE(s.normalised(3.0), 1.0);
    QCOMPARE(s.valueAt(0.25), 0.0);
    QVERIFY(std::isnan(s.normalised(std::numeric_limits<double>::quiet_NaN())));
    const ColourScale flat{{2.0f, 2.0f, 2.0f}, false};
    QCOMPARE(flat.normalised(2.0), 0.5);
  }

  void logNormalisation() {
    const ColourScale s{{-5.0f, 1000.0f, 0.1f}, true};
    QCOMPARE(s.bottom(), double(0.1f));
    QCOMPARE(s.top(), 1000.0);
    QCOMPARE(s.normalised(-1.0), 0.0);  // nothing at or below zero on a log scale
    QCOMPARE(s.normalised(0.0), 0.0);
    QCOMPARE(s.normalised(1000.0), 1.0);
    QVERIFY(std::abs(s.normalised(10.0) - 0.5) < 1e-6);
    QVERIFY(std::abs(s.valueAt(0.5) - 10.0) < 1e-4);
    QVERIFY(std::abs(s.valueAt(s.normalised(3.0)) - 3.0) < 1e-6);
    const ColourScale below{{0.0f, 0.5f, 2.0f}, true};  // hi under loPositive: an empty log range
    QCOMPARE(below.top(), 2.0);
    QCOMPARE(below.normalised(2.0), 0.5);
  }
};

QTEST_APPLESS_MAIN(ColourScaleTest)
#include "test_colour_scale.moc"
