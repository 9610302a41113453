#include "terminal_progress.h"

#include <unistd.h>

#include <cstdio>

namespace quantlens_cli {

namespace {
std::string format_seconds(double s) {
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}
}  // namespace

TerminalProgress::TerminalProgress(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {}

void TerminalProgress::stage(const std::string& name, int64_t total) {
  name_ = name;
  total_ = total;
  done_ = 0;
  last_decile_ = -1;
  start_ = last_draw_ = Clock::now();
  if (enabled_ && tty_) draw(false);
}

void TerminalProgress::advance(int64_t done) {
  done_ = done;
  if (!enabled_) return;
  const auto now = Clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done_ < total_) return;
    last_draw_ = now;
    draw(false);
  } else if (total_ > 0 && now - start_ >= std::chrono::seconds(2)) {
    // Not a terminal: a line per tenth, and none at all for stages that end within 2 s.
    const int64_t decile = done_ * 10 / total_;
    if (decile != last_decile_) {
      last_decile_ = decile;
      draw(true);
    }
  }
}

void TerminalProgress::finish() {
  if (enabled_ && tty_) {
    draw(false);
    std::fputc('\n', stderr);
  }
}

void TerminalProgress::note(const std::string& line) {
  const bool mid_bar = enabled_ && tty_;
  std::fprintf(stderr, "%s%s\n", mid_bar ? "\r\033[K" : "", line.c_str());
  if (mid_bar) draw(false);
  std::fflush(stderr);
}

void TerminalProgress::draw(bool final_line) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double fraction = total_ > 0 ? double(done_) / double(total_) : 0.0;
  const int width = 30;
  const int filled = int(fraction * width);
  std::string bar(size_t(filled), '#');
  bar.append(size_t(width - filled), '.');
  std::string eta = "--";
  if (done_ > 0 && done_ < total_)
    eta = format_seconds(elapsed / double(done_) * double(total_ - done_));
  else if (done_ >= total_)
    eta = "done";
  std::fprintf(stderr, "%s%-10s [%s] %lld/%lld %3d%% %s ETA %s%s", final_line ? "" : "\r", name_.c_str(), bar.c_str(),
               (long long)done_, (long long)total_, int(fraction * 100), format_seconds(elapsed).c_str(), eta.c_str(),
               final_line ? "\n" : "\033[K");
  std::fflush(stderr);
}

}  // namespace quantlens_cli
