#include "widgets/imgui_canvas.h"

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

void ImGuiCanvas::mouseMoveEvent(QMouseEvent* event) {
  enqueue({InputEvent::Move, event->position()});
}
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

}  // namespace widgets
