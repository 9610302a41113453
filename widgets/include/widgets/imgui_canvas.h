#pragma once
// A QOpenGLWidget hosting one Dear ImGui 1.86 context with the OpenGL3 renderer. Subclasses draw
// their ImGui frame in drawFrame(). Debian's libimgui has no Qt backend, so mouse input is
// bridged here: ImGui 1.86 has no input queue, so Qt events are queued and applied one
// transition per frame, otherwise a press and release arriving between two paints are lost.
#include <QElapsedTimer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLWidget>
#include <QPointF>

#include <deque>

struct ImGuiContext;

namespace widgets {

class ImGuiCanvas : public QOpenGLWidget, protected QOpenGLExtraFunctions {
  Q_OBJECT
public:
  explicit ImGuiCanvas(QWidget* parent = nullptr);
  ~ImGuiCanvas() override;

  // Call before the QApplication exists: requests a 3.3 core context for every GL widget.
  static void setDefaultSurfaceFormat();

protected:
  // Called between ImGui::NewFrame() and Render() with this widget's ImGui and GL contexts
  // current (texture uploads may happen here).
  virtual void drawFrame() = 0;

  void initializeGL() override;
  void paintGL() override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void leaveEvent(QEvent* event) override;

  ImGuiContext* imguiContext() const { return context_; }

private:
  struct InputEvent {
    enum Kind { Move, Press, Release, Wheel, Leave } kind;
    QPointF position;
    int button = 0;
    float wheel = 0.0f;
  };
  void enqueue(const InputEvent& e);
  void applyOneEvent();

  ImGuiContext* context_ = nullptr;
  std::deque<InputEvent> queue_;
  QElapsedTimer clock_;
  bool rendererReady_ = false;
};

}  // namespace widgets
