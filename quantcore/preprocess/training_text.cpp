#include "quantcore/preprocess/training_text.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/read_file.h"
#include "quantcore/tokenize/tokenizer.h"

namespace quantcore::preprocess {

namespace {

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string trimmed_lines(std::string_view doc) {
  // Drop blank lines at either end (and the newline before a separator).
  size_t begin = 0, end = doc.size();
  while (begin < end) {
    const size_t nl = doc.find('\n', begin);
    const size_t stop = nl == std::string_view::npos ? end : std::min(nl, end);
    if (!blank(doc.substr(begin, stop - begin))) break;
    begin = stop == end ? end : stop + 1;
  }
  while (end > begin) {
    const size_t nl = doc.rfind('\n', end - 1);
    const size_t start = nl == std::string_view::npos || nl < begin ? begin : nl + 1;
    if (!blank(doc.substr(start, end - start))) break;
    end = start == begin ? begin : start - 1;
  }
  return std::string(doc.substr(begin, end - begin));
}

}  // namespace

std::vector<std::string> split_documents(std::string_view text, const std::string& separator) {
  std::vector<std::string> docs;
  auto add = [&](std::string_view piece) {
    std::string doc = trimmed_lines(piece);
    if (!doc.empty()) docs.push_back(std::move(doc));
  };
  if (!separator.empty()) {
    size_t start = 0;
    for (size_t at = text.find(separator); at != std::string_view::npos; at = text.find(separator, start)) {
      add(text.substr(start, at - start));
      start = at + separator.size();
    }
    add(text.substr(start));
    return docs;
  }
  size_t doc_start = 0, line_start = 0;
  while (line_start < text.size()) {
    size_t nl = text.find('\n', line_start);
    if (nl == std::string_view::npos) nl = text.size();
    if (blank(text.substr(line_start, nl - line_start))) {
      add(text.substr(doc_start, line_start - doc_start));
      doc_start = nl + 1;
    }
    line_start = nl + 1;
  }
  if (doc_start < text.size()) add(text.substr(doc_start));
  return docs;
}

int64_t TrainingText::tokens() const {
  int64_t n = 0;
  for (const auto& s : sequences) n += static_cast<int64_t>(s.size());
  return n;
}

TrainingText training_text(const std::string& path, const Tokenizer& tokenizer, const TrainingSettings& settings) {
  const std::string text = read_file(path);
  TrainingText out;
  if (settings.window > 0) {
    const std::vector<int32_t> ids = tokenizer.encode(text);
    for (size_t start = 0; start + static_cast<size_t>(settings.window) <= ids.size();
         start += static_cast<size_t>(settings.window))
      out.sequences.emplace_back(ids.begin() + static_cast<std::ptrdiff_t>(start),
                                 ids.begin() + static_cast<std::ptrdiff_t>(start + settings.window));
    out.documents = static_cast<int64_t>(out.sequences.size());
    if (out.sequences.empty())
      throw InputError(path, "holds " + std::to_string(ids.size()) + " tokens, fewer than one --window of " +
                                 std::to_string(settings.window));
    return out;
  }
  for (const std::string& doc : split_documents(text, settings.doc_separator)) {
    ++out.documents;
    std::vector<int32_t> ids = tokenizer.encode(doc);
    if (static_cast<int64_t>(ids.size()) > settings.max_len) ids.resize(static_cast<size_t>(settings.max_len));
    if (ids.size() >= 2) out.sequences.push_back(std::move(ids));
  }
  if (out.sequences.empty())
    throw InputError(path, out.documents == 0 ? "holds no document (it is empty or blank)"
                                              : "holds no document of at least 2 tokens to train on");
  return out;
}

SequenceOrder::SequenceOrder(int64_t count, uint64_t seed) : count_(count), seed_(seed) {}

void SequenceOrder::shuffle_pass(int64_t pass) {
  order_.resize(static_cast<size_t>(count_));
  std::iota(order_.begin(), order_.end(), int64_t{0});
  std::mt19937_64 engine(seed_ + static_cast<uint64_t>(pass));
  for (int64_t i = count_ - 1; i > 0; --i)
    std::swap(order_[static_cast<size_t>(i)],
              order_[static_cast<size_t>(uniform_below(engine, static_cast<uint64_t>(i + 1)))]);
  pass_ = pass;
}

int64_t SequenceOrder::at(int64_t n) {
  const int64_t pass = n / count_;
  if (pass != pass_) shuffle_pass(pass);
  return order_[static_cast<size_t>(n % count_)];
}

}  // namespace quantcore::preprocess
