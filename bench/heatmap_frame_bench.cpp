// Frame time of the heatmap canvas on a 8192 x 28672 matrix (the largest LLaMA-family linear)
// while panning: zoom in with the wheel, then drag across the matrix, one input event per frame
// (the canvas applies one per frame). A frame is repaint() plus glFinish(), so it includes
// pooling the visible region, the texture upload and the draw. Run under xvfb-run for llvmpipe.
//   heatmap_frame_bench [ROWS COLS] [FRAMES]     default 8192 28672, 240 panning frames
#include <QApplication>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QWheelEvent>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "analysis/heatmap_pool.h"
#include "widgets/heatmap_canvas.h"

namespace {

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void summary(const char* what, const std::vector<double>& ms, QSize texture) {
  std::printf("%s: %zu frames, median %.1f ms, p95 %.1f ms, max %.1f ms; texture %dx%d (%.2f MB RGBA8)\n", what,
              ms.size(), percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 1.0), texture.width(),
              texture.height(), texture.width() * texture.height() * 4.0 / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  widgets::ImGuiCanvas::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  const int64_t rows = argc > 2 ? std::atoll(argv[1]) : 8192, cols = argc > 2 ? std::atoll(argv[2]) : 28672;
  const int frames = argc > 3 ? std::atoi(argv[3]) : 240;

  widgets::HeatmapContent content;
  content.values.rows = rows;
  content.values.cols = cols;
  content.values.values.resize(static_cast<size_t>(rows * cols));
  uint32_t state = 12345;  // xorshift: a texture with no structure for the pooling to exploit
  for (float& v : content.values.values) {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    v = static_cast<float>(state >> 8) * (1.0f / 16777216.0f);
  }
  content.title = "|W| 8192 x 28672";

  widgets::HeatmapCanvas canvas;
  canvas.resize(1280, 800);
  canvas.show();
  canvas.setContent(std::move(content));
  QOpenGLFunctions* gl = nullptr;
  auto frame = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    canvas.repaint();
    canvas.makeCurrent();
    if (!gl) {
      gl = QOpenGLContext::currentContext()->functions();
    }
    gl->glFinish();
    canvas.doneCurrent();
    QCoreApplication::processEvents();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  for (int i = 0; i < 5; ++i) frame();  // context, fonts, first upload

  const QPointF centre(canvas.width() / 2.0, canvas.height() / 2.0);
  std::vector<double> whole;
  for (int i = 0; i < 20; ++i) {
    const QMouseEvent move(QEvent::MouseMove, centre + QPointF(i % 2, 0), canvas.mapToGlobal(centre), Qt::NoButton,
                           Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&canvas, const_cast<QMouseEvent*>(&move));
    whole.push_back(frame());
  }
  summary("whole matrix in view (hover)", whole, canvas.uploadedTextureSize());

  for (int i = 0; i < 10; ++i) {  // 1.25^10: about 9x
    QWheelEvent wheel(centre, canvas.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(&canvas, &wheel);
    frame();
  }
  std::printf("zoom %.2f, visible %lld x %lld cells\n", canvas.zoom(),
              static_cast<long long>(canvas.visibleRegion().row1 - canvas.visibleRegion().row0),
              static_cast<long long>(canvas.visibleRegion().col1 - canvas.visibleRegion().col0));

  QPointF at = centre;
  QMouseEvent press(QEvent::MouseButtonPress, at, canvas.mapToGlobal(at), Qt::LeftButton, Qt::LeftButton,
                    Qt::NoModifier);
  QCoreApplication::sendEvent(&canvas, &press);
  frame();
  std::vector<double> panning;
  for (int i = 0; i < frames; ++i) {
    // Back and forth across the plot so the view keeps moving inside the matrix.
    const double dx = (i / 40) % 2 == 0 ? -12.0 : 12.0, dy = (i / 40) % 2 == 0 ? -3.0 : 3.0;
    at += QPointF(dx, dy);
    QMouseEvent move(QEvent::MouseMove, at, canvas.mapToGlobal(at), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&canvas, &move);
    panning.push_back(frame());
  }
  summary("panning at 9x zoom", panning, canvas.uploadedTextureSize());
  std::printf("visible region after panning: rows %lld-%lld, columns %lld-%lld\n",
              static_cast<long long>(canvas.visibleRegion().row0), static_cast<long long>(canvas.visibleRegion().row1),
              static_cast<long long>(canvas.visibleRegion().col0), static_cast<long long>(canvas.visibleRegion().col1));
  // The CPU side of an upload alone: max-pooling the visible region to the texture size.
  std::vector<double> pooling;
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const analysis::FloatMatrix pooled =
        analysis::max_pool_region(canvas.content().values, canvas.visibleRegion(),
                                  canvas.uploadedTextureSize().height(), canvas.uploadedTextureSize().width());
    pooling.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("max-pooling the visible region alone: median %.1f ms\n", percentile(pooling, 0.5));
  return 0;
}
