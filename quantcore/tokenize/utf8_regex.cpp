#include "utf8_regex.h"

#include "quantcore/io/errors.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

#include "utf8.h"

namespace quantcore {
namespace {

std::string pcre2_message(int error_code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(error_code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

// Long runs (a megabyte of spaces against `\s+(?!\S)`) can outgrow JIT's default 32 KiB stack.
constexpr std::size_t kJitStackStart = 32 * 1024;
constexpr std::size_t kJitStackMax = 16 * 1024 * 1024;

}  // namespace

struct Utf8Regex::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Compiled() { pcre2_code_free(code); }
};

Utf8Regex::Utf8Regex(const std::string& pattern, Syntax syntax) : compiled_(new Compiled) {
  // PCRE2_LITERAL admits PCRE2_UTF but not PCRE2_UCP.
  const uint32_t options = syntax == Syntax::kLiteral ? PCRE2_UTF | PCRE2_LITERAL : PCRE2_UTF | PCRE2_UCP;
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &error_code,
                                  &error_offset, nullptr);
  if (compiled_->code == nullptr) {
    throw std::invalid_argument("regex `" + pattern + "` does not compile at offset " + std::to_string(error_offset) +
                                ": " + pcre2_message(error_code));
  }
  compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

Utf8Regex::~Utf8Regex() = default;
Utf8Regex::Utf8Regex(Utf8Regex&&) noexcept = default;
Utf8Regex& Utf8Regex::operator=(Utf8Regex&&) noexcept = default;

void Utf8Regex::for_each_match(std::string_view text,
                               const std::function<void(std::size_t, std::size_t)>& on_match) const {
  using MatchData = std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)>;
  using MatchContext = std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)>;
  using JitStack = std::unique_ptr<pcre2_jit_stack, decltype(&pcre2_jit_stack_free)>;
  MatchData match(pcre2_match_data_create_from_pattern(compiled_->code, nullptr), &pcre2_match_data_free);
  MatchContext context(pcre2_match_context_create(nullptr), &pcre2_match_context_free);
  JitStack jit_stack(nullptr, &pcre2_jit_stack_free);
  if (!match || !context) throw std::bad_alloc();
  if (compiled_->jit) {
    jit_stack.reset(pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr));
    if (jit_stack) pcre2_jit_stack_assign(context.get(), nullptr, jit_stack.get());
  }
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t start = 0;
  while (start < text.size()) {
    const int rc =
        pcre2_match(compiled_->code, subject, text.size(), start, PCRE2_NO_UTF_CHECK, match.get(), context.get());
    if (rc == PCRE2_ERROR_NOMATCH) return;
    // A limit (match, depth, JIT stack) is the text's doing on this pattern: bad input, not a bug.
    if (rc < 0)
      throw InputError("text at byte " + std::to_string(start),
                       "the tokenizer's pre-tokenizer pattern failed on it: " + pcre2_message(rc));
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
    const std::size_t begin = ovector[0];
    const std::size_t end = ovector[1];
    if (end > begin) {
      on_match(begin, end);
      start = end;
    } else {
      // An empty match yields no piece; step over one whole character and go on.
      start = begin;
      next_code_point(text, start);
    }
  }
}

}  // namespace quantcore
