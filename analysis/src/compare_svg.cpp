// compare_report.h's SVG figure: perplexity (log axis) against stored bits per weight.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/compare_report.h"
#include "report_text.h"

namespace analysis {

namespace {

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

// " on FILE (seqlen L)" from the comparison's setup, empty where it does not say.
std::string evaluated_on(const CompareResult& r) {
  if (!r.setup.is_object() || !r.setup.contains("text") || !r.setup["text"].is_string()) return "";
  std::string out = " on " + std::filesystem::path(r.setup["text"].get<std::string>()).filename().string();
  if (r.setup.contains("eval_seqlen") && r.setup["eval_seqlen"].is_number_integer())
    out += " (seqlen " + std::to_string(r.setup["eval_seqlen"].get<int64_t>()) + ")";
  return out;
}

// The k-th setting of a method: circle, square, triangle, diamond, then round again.
const char* marker_element(size_t k) { return k % 4 == 0 ? "circle" : k % 4 == 1 ? "rect" : "polygon"; }

std::string marker(size_t k, double x, double y, const char* colour) {
  std::ostringstream m;
  const auto at = [&](double dx, double dy) { m << x + dx << "," << y + dy << " "; };
  switch (k % 4) {
    case 0: m << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"5\""; break;
    case 1: m << "<rect x=\"" << x - 4.5 << "\" y=\"" << y - 4.5 << "\" width=\"9\" height=\"9\""; break;
    case 2:
      m << "<polygon points=\"";
      at(0, -6), at(5.5, 4), at(-5.5, 4);
      m << "\"";
      break;
    default:
      m << "<polygon points=\"";
      at(0, -6), at(6, 0), at(0, 6), at(-6, 0);
      m << "\"";
  }
  m << " fill=\"" << colour << "\">";
  return m.str();
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
    << xml_text(name.empty() ? r.model : name) << ": perplexity" << xml_text(evaluated_on(r))
    << " against stored bits per weight</text>\n";
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
  // One colour per method (in order of appearance), one marker shape per setting of a method:
  // GPTQ's rows read as one family without a legend.
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                  "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  std::map<std::string, size_t> method_colour, method_rows;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const CompareRow& row = r.rows[i];
    const size_t family = method_colour.emplace(row.method, method_colour.size()).first->second;
    const size_t variant = method_rows[row.method]++;
    const char* colour = colours[family % (sizeof colours / sizeof *colours)];
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
    s << marker(variant, x, y, colour) << "<title>" << xml_text(row.spelling) << ": " << fixed(row.stored_bits, 3)
      << " bits, PPL " << fixed(row.perplexity.ppl, 3) << "</title></" << marker_element(variant) << ">\n";
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
