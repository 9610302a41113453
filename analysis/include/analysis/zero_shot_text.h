#pragma once
// The string operations the harness's task formatting uses, as Python does them.
#include <cstdint>
#include <string>
#include <string_view>

namespace analysis {

// str.strip() / str.rstrip() over ASCII whitespace (and the \x1c-\x1f separators Python counts).
std::string_view python_strip(std::string_view text);
std::string_view python_rstrip(std::string_view text);
// str.capitalize(): the first character upper case, the rest lower case. ASCII and Latin-1
// letters (UTF-8) are mapped; other characters are kept as they are.
std::string python_capitalize(std::string_view text);
// len(str): Unicode code points of UTF-8 text (what acc_norm divides by).
int64_t python_length(std::string_view utf8);

// lm-eval's hellaswag preprocess: strip, " [title]" -> ". ", drop "[...]" spans (within a line),
// then one pass of "  " -> " ".
std::string hellaswag_preprocess(std::string_view text);

}  // namespace analysis
