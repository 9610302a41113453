#include "pre_tokenizer.h"

#include <optional>
#include <stdexcept>

#include "utf8_regex.h"

namespace quantcore {
namespace {

// The split ByteLevel does with use_regex (GPT-2's pattern, as in HF tokenizers).
constexpr const char* kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// What happens to the matched parts of a piece (HF's SplitDelimiterBehavior).
enum class Behavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

Behavior parse_behavior(const std::string& name) {
  if (name == "Removed") return Behavior::kRemoved;
  if (name == "Isolated") return Behavior::kIsolated;
  if (name == "MergedWithPrevious") return Behavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return Behavior::kMergedWithNext;
  if (name == "Contiguous") return Behavior::kContiguous;
  throw std::invalid_argument("unsupported Split behavior \"" + name + "\"");
}

struct Span {
  std::size_t begin;
  std::size_t end;
  bool is_match;
};

// Matches and the gaps between them, covering the whole piece.
std::vector<Span> match_spans(const Utf8Regex& regex, std::string_view piece, bool invert) {
  std::vector<Span> spans;
  std::size_t previous_end = 0;
  regex.for_each_match(piece, [&](std::size_t begin, std::size_t end) {
    if (begin > previous_end) spans.push_back({previous_end, begin, invert});
    spans.push_back({begin, end, !invert});
    previous_end = end;
  });
  if (previous_end < piece.size()) spans.push_back({previous_end, piece.size(), invert});
  return spans;
}

// Mirrors the folds of HF's NormalizedString::split.
std::vector<Span> apply_behavior(std::vector<Span> spans, Behavior behavior) {
  std::vector<Span> out;
  bool previous_match = false;
  switch (behavior) {
    case Behavior::kIsolated: return spans;
    case Behavior::kRemoved:
      for (const Span& s : spans) {
        if (!s.is_match) out.push_back(s);
      }
      return out;
    case Behavior::kMergedWithPrevious:
      for (const Span& s : spans) {
        if (s.is_match && !previous_match && !out.empty()) {
          out.back().end = s.end;
        } else {
          out.push_back(s);
        }
        previous_match = s.is_match;
      }
      return out;
    case Behavior::kMergedWithNext:
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_match && !previous_match && !out.empty()) {
          out.back().begin = it->begin;
        } else {
          out.push_back(*it);
        }
        previous_match = it->is_match;
      }
      return {out.rbegin(), out.rend()};
    case Behavior::kContiguous:
      for (const Span& s : spans) {
        if (s.is_match == previous_match && !out.empty()) {
          out.back().end = s.end;
        } else {
          out.push_back(s);
        }
        previous_match = s.is_match;
      }
      return out;
  }
  return spans;
}

}  // namespace

struct PreTokenizer::Step {
  std::optional<Utf8Regex> regex;
  Behavior behavior = Behavior::kIsolated;
  bool invert = false;
  bool add_prefix_space = false;  // ByteLevel's: prepend " " to a piece not starting with one

  void apply(std::vector<std::string>& pieces) const {
    std::vector<std::string> out;
    out.reserve(pieces.size());
    for (std::string& piece : pieces) {
      if (add_prefix_space && (piece.empty() || piece[0] != ' ')) piece.insert(0, 1, ' ');
      if (!regex) {
        out.push_back(std::move(piece));
        continue;
      }
      for (const Span& s : apply_behavior(match_spans(*regex, piece, invert), behavior)) {
        if (s.end > s.begin) out.emplace_back(piece, s.begin, s.end - s.begin);
      }
    }
    pieces = std::move(out);
  }
};

PreTokenizer::PreTokenizer(const nlohmann::json& spec) {
  if (spec.is_null()) {
    throw std::invalid_argument("pre_tokenizer is null; only byte-level BPE (ByteLevel) is supported");
  }
  std::vector<nlohmann::json> step_specs;
  const std::string type = spec.at("type").get<std::string>();
  if (type == "Sequence") {
    for (const auto& s : spec.at("pretokenizers")) step_specs.push_back(s);
  } else {
    step_specs.push_back(spec);
  }
  for (std::size_t i = 0; i < step_specs.size(); ++i) {
    const nlohmann::json& s = step_specs[i];
    const std::string step_type = s.at("type").get<std::string>();
    Step step;
    if (step_type == "ByteLevel") {
      // Later steps would have to split the mapped characters ("Ġ"...); no known model does that.
      if (i + 1 != step_specs.size()) {
        throw std::invalid_argument("pre_tokenizer ByteLevel must be the last step");
      }
      step.add_prefix_space = s.value("add_prefix_space", false);
      if (s.value("use_regex", true)) step.regex.emplace(kGpt2Pattern);
    } else if (step_type == "Split") {
      const nlohmann::json& pattern = s.at("pattern");
      if (pattern.contains("Regex")) {
        step.regex.emplace(pattern.at("Regex").get<std::string>());
      } else if (pattern.contains("String")) {
        step.regex.emplace(pattern.at("String").get<std::string>(), Utf8Regex::Syntax::kLiteral);
      } else {
        throw std::invalid_argument("Split pattern is neither {\"Regex\": ..} nor {\"String\": ..}");
      }
      step.behavior = parse_behavior(s.at("behavior").get<std::string>());
      step.invert = s.value("invert", false);
    } else if (step_type == "Digits") {
      // HF splits on each numeric char, then Isolated or Contiguous.
      step.regex.emplace(s.value("individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)");
    } else {
      throw std::invalid_argument("unsupported pre_tokenizer type \"" + step_type +
                                  "\" (supported: ByteLevel, Split, Digits, Sequence)");
    }
    steps_.push_back(std::move(step));
  }
  if (step_specs.empty() || step_specs.back().at("type") != "ByteLevel") {
    throw std::invalid_argument("pre_tokenizer has no final ByteLevel step; only byte-level BPE is supported");
  }
}

PreTokenizer::~PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
  std::vector<std::string> pieces;
  if (!text.empty()) pieces.emplace_back(text);
  for (const Step& step : steps_) step.apply(pieces);
  return pieces;
}

}  // namespace quantcore
