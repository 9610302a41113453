#include "quantcore/quantize/loss_csv.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "quantcore/io/errors.h"

namespace quantcore::quantize {

namespace {
constexpr std::string_view kHeader = "block,epoch,step,mse_fp,mse_q,nlc_fp,nlc_q,total";

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == ',') {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

template <typename T>
bool number(std::string_view s, T& value) {
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  return error == std::errc() && end == s.data() + s.size();
}
}  // namespace

std::vector<LossEvent> events_in_step_order(const LossHistory& history) {
  std::vector<RecordedLoss> all;
  for (const auto& [block, events] : history.blocks()) all.insert(all.end(), events.begin(), events.end());
  std::sort(all.begin(), all.end(), [](const RecordedLoss& a, const RecordedLoss& b) { return a.step < b.step; });
  std::vector<LossEvent> out;
  out.reserve(all.size());
  for (const RecordedLoss& r : all) out.push_back(r.event);
  return out;
}

std::string loss_events_csv(const std::vector<LossEvent>& events) {
  std::string out(kHeader);
  out += '\n';
  char line[256];
  for (const LossEvent& e : events) {
    const LossValues& v = e.loss;
    std::snprintf(line, sizeof line, "%lld,%lld,%lld,%.17g,%.17g,%.17g,%.17g,%.17g\n", static_cast<long long>(e.block),
                  static_cast<long long>(e.epoch), static_cast<long long>(e.step), v.mse_fp, v.mse_q, v.nlc_fp, v.nlc_q,
                  v.total);
    out += line;
  }
  return out;
}

std::vector<LossEvent> parse_loss_events_csv(std::string_view text, const std::string& where) {
  std::vector<LossEvent> events;
  size_t lineNo = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (lineNo == 1) {
      if (line != kHeader) throw InputError(where, "line 1: expected the header '" + std::string(kHeader) + "'");
      continue;
    }
    if (line.empty()) continue;
    const std::vector<std::string_view> f = fields(line);
    LossEvent e;
    double* terms[5] = {&e.loss.mse_fp, &e.loss.mse_q, &e.loss.nlc_fp, &e.loss.nlc_q, &e.loss.total};
    bool ok = f.size() == 8 && number(f[0], e.block) && number(f[1], e.epoch) && number(f[2], e.step) && e.block >= 0 &&
              e.epoch >= 0 && e.step >= 0;
    for (int i = 0; ok && i < 5; ++i) ok = number(f[size_t(3 + i)], *terms[i]);
    if (!ok)
      throw InputError(where, "line " + std::to_string(lineNo) +
                                  ": expected 3 non-negative integers and 5 numbers separated by commas");
    events.push_back(e);
  }
  if (lineNo == 0) throw InputError(where, "empty file (expected the header '" + std::string(kHeader) + "')");
  return events;
}

}  // namespace quantcore::quantize
