#include "analysis/zero_shot_text.h"

namespace analysis {

namespace {

bool python_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

// Latin-1 letters in UTF-8 are 0xC3 followed by 0x80..0xBF: U+00C0..U+00DE upper case (but
// U+00D7 x), U+00E0..U+00FE lower case (but U+00F7 /), 0x20 apart.
bool latin1_upper(unsigned char second) { return second >= 0x80 && second <= 0x9e && second != 0x97; }
bool latin1_lower(unsigned char second) { return second >= 0xa0 && second <= 0xbe && second != 0xb7; }

}  // namespace

std::string_view python_rstrip(std::string_view text) {
  while (!text.empty() && python_space(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string_view python_strip(std::string_view text) {
  text = python_rstrip(text);
  while (!text.empty() && python_space(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  return text;
}

std::string python_capitalize(std::string_view text) {
  std::string out(text);
  bool first = true;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      if (first && c >= 'a' && c <= 'z') out[i] = static_cast<char>(c - 32);
      if (!first && c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c + 32);
    } else if (c == 0xc3 && i + 1 < out.size()) {
      const auto second = static_cast<unsigned char>(out[i + 1]);
      if (first && latin1_lower(second)) out[i + 1] = static_cast<char>(second - 0x20);
      if (!first && latin1_upper(second)) out[i + 1] = static_cast<char>(second + 0x20);
      ++i;
    } else if ((c & 0xc0) == 0x80) {
      continue;  // continuation byte of a character already counted
    }
    first = false;
  }
  return out;
}

int64_t python_length(std::string_view utf8) {
  int64_t n = 0;
  for (const char ch : utf8) n += (static_cast<unsigned char>(ch) & 0xc0) != 0x80;
  return n;
}

std::string hellaswag_preprocess(std::string_view raw) {
  const std::string_view stripped = python_strip(raw);

  std::string titled;
  for (size_t i = 0; i < stripped.size();) {
    if (stripped.substr(i, 8) == " [title]") {
      titled += ". ";
      i += 8;
    } else {
      titled += stripped[i++];
    }
  }

  // re.sub(r"\[.*?\]", "", text): the shortest "[...]" from each "[", never across a newline.
  std::string unbracketed;
  for (size_t i = 0; i < titled.size();) {
    if (titled[i] == '[') {
      const size_t close = titled.find_first_of("]\n", i + 1);
      if (close != std::string::npos && titled[close] == ']') {
        i = close + 1;
        continue;
      }
    }
    unbracketed += titled[i++];
  }

  std::string out;
  for (size_t i = 0; i < unbracketed.size();) {
    if (unbracketed.compare(i, 2, "  ") == 0) {
      out += ' ';
      i += 2;
    } else {
      out += unbracketed[i++];
    }
  }
  return out;
}

}  // namespace analysis
