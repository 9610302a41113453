#include "analysis/compare_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

namespace analysis {

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string xml_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string percent(double v) { return fixed(100 * v, 2); }

nlohmann::json accuracy_json(const std::optional<ZeroShotResult>& a) {
  if (!a) return nullptr;
  return {{"task", a->task},
          {"acc", a->acc},
          {"acc_stderr", a->acc_stderr ? nlohmann::json(*a->acc_stderr) : nlohmann::json(nullptr)},
          {"acc_norm", a->acc_norm ? nlohmann::json(*a->acc_norm) : nlohmann::json(nullptr)},
          {"acc_norm_stderr", a->acc_norm_stderr ? nlohmann::json(*a->acc_norm_stderr) : nlohmann::json(nullptr)},
          {"count", a->count}};
}

// "62.35 ± 1.13" in percent.
std::string accuracy_cell(double value, const std::optional<double>& stderr_value) {
  return percent(value) + (stderr_value ? " ± " + percent(*stderr_value) : "");
}

struct Cells {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

Cells table(const CompareResult& r, bool plain) {
  const bool task = r.fp_accuracy.has_value();
  const bool norm = task && r.fp_accuracy->acc_norm.has_value();
  Cells c;
  c.header = {"method", "settings", "bits (paper)", "bits (stored)", "bits (bytes)", "PPL"};
  if (task) {
    c.header.push_back(r.fp_accuracy->task + " acc %");
    if (norm) c.header.push_back(r.fp_accuracy->task + " acc_norm %");
  }
  c.header.insert(c.header.end(), {"seconds", "peak MiB"});
  const auto accuracy = [&](std::vector<std::string>& row, const std::optional<ZeroShotResult>& a) {
    if (!task) return;
    row.push_back(a ? (plain ? percent(a->acc) : accuracy_cell(a->acc, a->acc_stderr)) : "");
    if (norm)
      row.push_back(a && a->acc_norm ? (plain ? percent(*a->acc_norm) : accuracy_cell(*a->acc_norm, a->acc_norm_stderr))
                                     : "");
  };
  std::vector<std::string> fp = {"FP", "", "16", "16", "", fixed(r.fp_perplexity.ppl, 3)};
  accuracy(fp, r.fp_accuracy);
  fp.insert(fp.end(), {"", ""});
  c.rows.push_back(fp);
  for (const CompareRow& row : r.rows) {
    std::vector<std::string> cells = {row.method,
                                      row.spelling,
                                      fixed(row.paper_bits, 3),
                                      fixed(row.stored_bits, 3),
                                      row.bits_from_bytes ? fixed(*row.bits_from_bytes, 3) : "",
                                      fixed(row.perplexity.ppl, 3)};
    accuracy(cells, row.accuracy);
    cells.push_back(fixed(row.seconds, 1));
    cells.push_back(fixed(static_cast<double>(row.peak_memory_bytes) / (1024.0 * 1024.0), 0));
    c.rows.push_back(cells);
  }
  return c;
}

}  // namespace

nlohmann::json compare_json(const CompareResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const CompareRow& row : r.rows) {
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerOutputError& e : row.layer_errors)
      layers.push_back({{"block", e.block}, {"linear", e.linear}, {"relative_error", e.relative_error}});
    rows.push_back({{"method", row.method},
                    {"spelling", row.spelling},
                    {"parameters", row.parameters},
                    {"bits",
                     {{"paper", row.paper_bits},
                      {"stored", row.stored_bits},
                      {"from_bytes", row.bits_from_bytes ? nlohmann::json(*row.bits_from_bytes) : nlohmann::json()}}},
                    {"ppl", row.perplexity.ppl},
                    {"accuracy", accuracy_json(row.accuracy)},
                    {"seconds", row.seconds},
                    {"peak_memory_bytes", row.peak_memory_bytes},
                    {"notices", row.notices},
                    {"layer_errors", layers}});
  }
  return {{"model", r.model},
          {"calibration_seconds", r.calibration_seconds},
          {"ppl_windows", r.fp_perplexity.windows},
          {"ppl_seqlen", r.fp_perplexity.seqlen},
          {"fp", {{"ppl", r.fp_perplexity.ppl}, {"accuracy", accuracy_json(r.fp_accuracy)}}},
          {"rows", rows},
          {"cancelled", r.cancelled},
          {"failure", r.failure.empty() ? nlohmann::json() : nlohmann::json(r.failure)}};
}

std::string compare_markdown(const CompareResult& r) {
  const Cells c = table(r, false);
  std::ostringstream out;
  const auto line = [&](const std::vector<std::string>& cells) {
    out << "|";
    for (const std::string& s : cells) out << " " << (s.empty() ? " " : s) << " |";
    out << "\n";
  };
  line(c.header);
  out << "|";
  for (size_t i = 0; i < c.header.size(); ++i) out << (i < 2 ? "---|" : "---:|");
  out << "\n";
  for (const auto& row : c.rows) line(row);
  return out.str();
}

std::string compare_csv(const CompareResult& r) {
  const Cells c = table(r, true);
  std::ostringstream out;
  for (const auto* cells : {&c.header}) {
    for (size_t i = 0; i < cells->size(); ++i) out << (i ? "," : "") << csv_field((*cells)[i]);
    out << "\n";
  }
  for (const auto& row : c.rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
    out << "\n";
  }
  return out.str();
}

std::string layer_errors_csv(const CompareResult& r) {
  std::ostringstream out;
  out << "layer";
  for (const CompareRow& row : r.rows) out << "," << csv_field(row.spelling);
  out << "\n";
  if (r.rows.empty()) return out.str();
  const size_t layers = r.rows.front().layer_errors.size();
  for (size_t i = 0; i < layers; ++i) {
    const LayerOutputError& first = r.rows.front().layer_errors[i];
    out << first.block << "." << first.linear;
    for (const CompareRow& row : r.rows)
      out << "," << (i < row.layer_errors.size() ? fixed(row.layer_errors[i].relative_error, 6) : "");
    out << "\n";
  }
  return out.str();
}

namespace {

// Ticks 1, 2, 5 x 10^k covering [lo, hi] on a log axis, from the tick at or below lo to the one
// at or above hi.
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> all;
  for (int k = -3; k <= 12; ++k)
    for (double m : {1.0, 2.0, 5.0}) all.push_back(m * std::pow(10.0, k));
  size_t first = 0, last = all.size() - 1;
  while (first + 1 < all.size() && all[first + 1] <= lo) ++first;
  while (last > 0 && all[last - 1] >= hi) --last;
  if (last <= first) last = std::min(all.size() - 1, first + 1);
  return {all.begin() + static_cast<std::ptrdiff_t>(first), all.begin() + static_cast<std::ptrdiff_t>(last) + 1};
}

std::string tick_label(double v) {
  if (v >= 1 && v < 1e6) return fixed(v, 0);
  if (v < 1 && v >= 1e-3) return fixed(v, static_cast<int>(std::ceil(-std::log10(v))));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0e", v);
  return buf;
}

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

}  // namespace

std::string compare_svg(const CompareResult& r) {
  const double width = 720, height = 460, left = 70, right = 30, top = 40, bottom = 60;
  double x_hi = 4, y_lo = r.fp_perplexity.ppl, y_hi = r.fp_perplexity.ppl;
  for (const CompareRow& row : r.rows) {
    x_hi = std::max(x_hi, std::ceil(row.stored_bits));
    y_lo = std::min(y_lo, row.perplexity.ppl);
    y_hi = std::max(y_hi, row.perplexity.ppl);
  }
  const std::vector<double> y_ticks = log_ticks(std::max(y_lo, 1e-3), std::max(y_hi, 1e-3));
  const double l_lo = std::log10(y_ticks.front()), l_hi = std::log10(y_ticks.back());
  const auto px = [&](double bits) { return left + bits / x_hi * (width - left - right); };
  const auto py = [&](double ppl) {
    const double t = (std::log10(std::max(ppl, 1e-3)) - l_lo) / (l_hi - l_lo);
    return height - bottom - t * (height - top - bottom);
  };
  std::ostringstream s;
  const std::string name = std::filesystem::path(r.model).filename().string();
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
    << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << width / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">"
    << xml_text(name.empty() ? r.model : name) << ": perplexity against stored bits per weight</text>\n";
  s << "<g stroke=\"#eee\" stroke-width=\"1\">\n";
  for (double b = 0; b <= x_hi + 1e-9; b += 1)
    s << "<line x1=\"" << px(b) << "\" y1=\"" << top << "\" x2=\"" << px(b) << "\" y2=\"" << height - bottom
      << "\"/>\n";
  for (double t : y_ticks)
    s << "<line x1=\"" << left << "\" y1=\"" << py(t) << "\" x2=\"" << width - right << "\" y2=\"" << py(t) << "\"/>\n";
  s << "</g>\n<g stroke=\"#999\" stroke-width=\"1\">\n<line x1=\"" << left << "\" y1=\"" << height - bottom
    << "\" x2=\"" << width - right << "\" y2=\"" << height - bottom << "\"/>\n<line x1=\"" << left << "\" y1=\"" << top
    << "\" x2=\"" << left << "\" y2=\"" << height - bottom << "\"/>\n</g>\n";
  for (double b = 0; b <= x_hi + 1e-9; b += 1)
    s << "<text x=\"" << px(b) << "\" y=\"" << height - bottom + 16 << "\" text-anchor=\"middle\">" << fixed(b, 0)
      << "</text>\n";
  for (double t : y_ticks)
    s << "<text x=\"" << left - 6 << "\" y=\"" << py(t) + 4 << "\" text-anchor=\"end\">" << tick_label(t)
      << "</text>\n";
  s << "<text x=\"" << (left + width - right) / 2 << "\" y=\"" << height - 18
    << "\" text-anchor=\"middle\">stored bits per weight (every code, mask, bitmap and scale)</text>\n"
    << "<text transform=\"translate(18 " << (top + height - bottom) / 2
    << ") rotate(-90)\" text-anchor=\"middle\">perplexity (log scale)</text>\n";
  s << "<line x1=\"" << left << "\" y1=\"" << py(r.fp_perplexity.ppl) << "\" x2=\"" << width - right << "\" y2=\""
    << py(r.fp_perplexity.ppl) << "\" stroke=\"#444\" stroke-dasharray=\"6 4\"/>\n";
  // Labels: beside their point, moved up or down a line at a time until they overlap no other
  // label (an approximate text width of 7 px a character).
  std::vector<Box> placed = {
      {width - right - 80, py(r.fp_perplexity.ppl) - 16, width - right, py(r.fp_perplexity.ppl)}};
  s << "<text x=\"" << width - right - 4 << "\" y=\"" << py(r.fp_perplexity.ppl) - 5
    << "\" text-anchor=\"end\" fill=\"#444\">FP " << fixed(r.fp_perplexity.ppl, 2) << "</text>\n";
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                  "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const CompareRow& row = r.rows[i];
    const char* colour = colours[i % (sizeof colours / sizeof *colours)];
    const double x = px(row.stored_bits), y = py(row.perplexity.ppl);
    const double text_width = 7.0 * static_cast<double>(row.spelling.size());
    const bool flip = x + 8 + text_width > width - 4;  // no room on the right: label on the left
    const double x0 = flip ? x - 8 - text_width : x + 8;
    double dy = 0;
    for (int k = 1; k < 40; ++k) {
      const Box b{x0, y + dy - 8, x0 + text_width, y + dy + 6};
      if (std::none_of(placed.begin(), placed.end(), [&](const Box& o) { return b.overlaps(o); })) break;
      dy = (k % 2 ? 1 : -1) * 14.0 * ((k + 1) / 2);
    }
    placed.push_back({x0, y + dy - 8, x0 + text_width, y + dy + 6});
    s << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"5\" fill=\"" << colour << "\"><title>"
      << xml_text(row.spelling) << ": " << fixed(row.stored_bits, 3) << " bits, PPL " << fixed(row.perplexity.ppl, 3)
      << "</title></circle>\n";
    if (dy != 0)
      s << "<line x1=\"" << x << "\" y1=\"" << y << "\" x2=\"" << (flip ? x0 + text_width : x0) << "\" y2=\"" << y + dy
        << "\" stroke=\"" << colour << "\" stroke-width=\"0.7\"/>\n";
    s << "<text x=\"" << x0 << "\" y=\"" << y + dy + 4 << "\" fill=\"" << colour << "\">" << xml_text(row.spelling)
      << "</text>\n";
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace analysis
