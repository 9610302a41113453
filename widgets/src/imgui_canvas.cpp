#include "widgets/imgui_canvas.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

namespace widgets {

namespace {
int imguiButton(Qt::MouseButton b) {
  switch (b) {
    case Qt::LeftButton: return 0;
    case Qt::RightButton: return 1;
    case Qt::MiddleButton: return 2;
    default: return -1;
  }
}

// The Qt keys ImGui 1.86 names (ImGuiKey_*); -1 for the others, which arrive as text.
int imguiKey(int key) {
  switch (key) {
    case Qt::Key_Tab: return ImGuiKey_Tab;
    case Qt::Key_Left: return ImGuiKey_LeftArrow;
    case Qt::Key_Right: return ImGuiKey_RightArrow;
    case Qt::Key_Up: return ImGuiKey_UpArrow;
    case Qt::Key_Down: return ImGuiKey_DownArrow;
    case Qt::Key_PageUp: return ImGuiKey_PageUp;
    case Qt::Key_PageDown: return ImGuiKey_PageDown;
    case Qt::Key_Home: return ImGuiKey_Home;
    case Qt::Key_End: return ImGuiKey_End;
    case Qt::Key_Insert: return ImGuiKey_Insert;
    case Qt::Key_Delete: return ImGuiKey_Delete;
    case Qt::Key_Backspace: return ImGuiKey_Backspace;
    case Qt::Key_Space: return ImGuiKey_Space;
    case Qt::Key_Return: return ImGuiKey_Enter;
    case Qt::Key_Enter: return ImGuiKey_KeyPadEnter;
    case Qt::Key_Escape: return ImGuiKey_Escape;
    case Qt::Key_A: return ImGuiKey_A;
    case Qt::Key_C: return ImGuiKey_C;
    case Qt::Key_V: return ImGuiKey_V;
    case Qt::Key_X: return ImGuiKey_X;
    case Qt::Key_Y: return ImGuiKey_Y;
    case Qt::Key_Z: return ImGuiKey_Z;
    default: return -1;
  }
}

void applyModifiers(ImGuiIO& io, Qt::KeyboardModifiers m) {
  io.KeyCtrl = m & Qt::ControlModifier;
  io.KeyShift = m & Qt::ShiftModifier;
  io.KeyAlt = m & Qt::AltModifier;
  io.KeySuper = m & Qt::MetaModifier;
}
}  // namespace

ImGuiCanvas::ImGuiCanvas(QWidget* parent) : QOpenGLWidget(parent) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  clock_.start();
}

ImGuiCanvas::~ImGuiCanvas() {
  if (!context_) return;
  makeCurrent();
  ImGui::SetCurrentContext(context_);
  if (rendererReady_) ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext(context_);
  doneCurrent();
}

void ImGuiCanvas::setDefaultSurfaceFormat() {
  QSurfaceFormat format;
  format.setVersion(3, 3);
  format.setProfile(QSurfaceFormat::CoreProfile);
  QSurfaceFormat::setDefaultFormat(format);
}

void ImGuiCanvas::initializeGL() {
  initializeOpenGLFunctions();
  context_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(context_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
  ImGui::StyleColorsDark();
  rendererReady_ = ImGui_ImplOpenGL3_Init("#version 330 core");
}

void ImGuiCanvas::paintGL() {
  ImGui::SetCurrentContext(context_);
  ImGuiIO& io = ImGui::GetIO();
  const float dpr = static_cast<float>(devicePixelRatioF());
  io.DisplaySize = ImVec2(static_cast<float>(width()), static_cast<float>(height()));
  io.DisplayFramebufferScale = ImVec2(dpr, dpr);
  const double seconds = clock_.nsecsElapsed() * 1e-9;
  clock_.restart();
  io.DeltaTime = seconds > 0.0 ? static_cast<float>(seconds) : 1.0f / 60.0f;
  applyOneEvent();

  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  drawFrame();
  ImGui::Render();

  glViewport(0, 0, static_cast<int>(width() * dpr), static_cast<int>(height() * dpr));
  glClearColor(0.11f, 0.11f, 0.13f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!queue_.empty()) update();
}

void ImGuiCanvas::applyOneEvent() {
  ImGuiIO& io = ImGui::GetIO();
  io.MouseWheel = 0.0f;
  if (queue_.empty()) return;
  const InputEvent e = queue_.front();
  queue_.pop_front();
  switch (e.kind) {
    case InputEvent::Move: io.MousePos = ImVec2(float(e.position.x()), float(e.position.y())); break;
    case InputEvent::Press:
    case InputEvent::Release:
      io.MousePos = ImVec2(float(e.position.x()), float(e.position.y()));
      if (e.button >= 0) io.MouseDown[e.button] = e.kind == InputEvent::Press;
      break;
    case InputEvent::Wheel:
      io.MousePos = ImVec2(float(e.position.x()), float(e.position.y()));
      io.MouseWheel = e.wheel;
      break;
    case InputEvent::Leave: io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX); break;
    case InputEvent::KeyDown:
    case InputEvent::KeyUp:
      applyModifiers(io, e.modifiers);
      io.KeysDown[e.button] = e.kind == InputEvent::KeyDown;
      break;
    case InputEvent::Text:
      applyModifiers(io, e.modifiers);
      for (const QChar c : e.text)
        if (c.isPrint()) io.AddInputCharacter(c.unicode());
      break;
  }
}

void ImGuiCanvas::enqueue(const InputEvent& e) {
  // Consecutive moves collapse into the latest: only button transitions must each get a frame.
  if (e.kind == InputEvent::Move && !queue_.empty() && queue_.back().kind == InputEvent::Move)
    queue_.back() = e;
  else
    queue_.push_back(e);
  update();
}

void ImGuiCanvas::mouseMoveEvent(QMouseEvent* event) { enqueue({InputEvent::Move, event->position()}); }
void ImGuiCanvas::mousePressEvent(QMouseEvent* event) {
  enqueue({InputEvent::Press, event->position(), imguiButton(event->button())});
}
void ImGuiCanvas::mouseReleaseEvent(QMouseEvent* event) {
  enqueue({InputEvent::Release, event->position(), imguiButton(event->button())});
}
void ImGuiCanvas::wheelEvent(QWheelEvent* event) {
  enqueue({InputEvent::Wheel, event->position(), 0, event->angleDelta().y() / 120.0f});
  event->accept();
}
void ImGuiCanvas::leaveEvent(QEvent*) { enqueue({InputEvent::Leave, {}}); }

// Auto-repeated presses arrive as release + press pairs: each becomes a fresh key press in ImGui.
void ImGuiCanvas::keyPressEvent(QKeyEvent* event) {
  const int key = imguiKey(event->key());
  if (key >= 0) {
    heldKeys_.insert(key);
    enqueue({InputEvent::KeyDown, {}, key, 0.0f, event->modifiers()});
  }
  if (!event->text().isEmpty()) enqueue({InputEvent::Text, {}, 0, 0.0f, event->modifiers(), event->text()});
  if (key < 0 && event->text().isEmpty()) return QOpenGLWidget::keyPressEvent(event);
  event->accept();
}
void ImGuiCanvas::keyReleaseEvent(QKeyEvent* event) {
  const int key = imguiKey(event->key());
  if (key < 0) return QOpenGLWidget::keyReleaseEvent(event);
  heldKeys_.remove(key);
  enqueue({InputEvent::KeyUp, {}, key, 0.0f, event->modifiers()});
  event->accept();
}
// Keys held when focus leaves would otherwise stay down in ImGui.
void ImGuiCanvas::focusOutEvent(QFocusEvent* event) {
  for (const int key : std::as_const(heldKeys_)) enqueue({InputEvent::KeyUp, {}, key, 0.0f, Qt::NoModifier});
  heldKeys_.clear();
  QOpenGLWidget::focusOutEvent(event);
}

}  // namespace widgets
