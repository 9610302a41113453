#pragma once
// A QOpenGLWidget hosting one Dear ImGui 1.86 context with the OpenGL3 renderer. Subclasses draw
// their ImGui frame in drawFrame(). Debian's libimgui has no Qt backend, so mouse and keyboard
// input are bridged here: ImGui 1.86 has no input queue, so Qt events are queued and applied one
// transition per frame, otherwise a press and release arriving between two paints are lost.
// Keys reach ImGui through io.KeysDown indexed by ImGuiKey (io.KeyMap is the identity), typed
// characters through io.AddInputCharacter.
#include <QElapsedTimer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLWidget>
#include <QPointF>
#include <QSet>
#include <QString>

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
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void focusOutEvent(QFocusEvent* event) override;

  ImGuiContext* imguiContext() const { return context_; }

private:
  struct InputEvent {
    enum Kind { Move, Press, Release, Wheel, Leave, KeyDown, KeyUp, Text } kind;
    QPointF position;
    int button = 0;  // mouse button, or ImGuiKey for KeyDown/KeyUp
    float wheel = 0.0f;
    Qt::KeyboardModifiers modifiers;
    QString text;
  };
  void enqueue(const InputEvent& e);
  void applyOneEvent();

  ImGuiContext* context_ = nullptr;
  std::deque<InputEvent> queue_;
  QSet<int> heldKeys_;  // ImGuiKeys pressed and not yet released
  QElapsedTimer clock_;
  bool rendererReady_ = false;
};

}  // namespace widgets
