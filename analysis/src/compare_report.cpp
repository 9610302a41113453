#include "analysis/compare_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "report_text.h"

namespace analysis {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
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
                    {"settings", row.settings},
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
          {"setup", r.setup},
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

}  // namespace analysis
