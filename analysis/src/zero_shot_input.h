#pragma once
// What the zero-shot task readers share: the file's text (bzip2 or plain), its JSON lines, and
// typed fields with one-line errors that name the file and line.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/zero_shot_task.h"

namespace analysis::zero_shot_input {

// The file's bytes, decompressed when they are a bzip2 stream ("BZh" magic).
std::string read_task_text(const std::filesystem::path& file);

// The lines of `text` without their "\n" (and "\r"), numbered from 1; a last empty line is dropped.
struct Line {
  int64_t number = 0;
  std::string_view text;
};
std::vector<Line> split_lines(std::string_view text);

// One JSON object per non-blank line, with where it came from ("FILE:LINE") for messages.
struct JsonLine {
  std::string where;
  nlohmann::json value;
};
std::vector<JsonLine> read_json_lines(const std::filesystem::path& file);
std::vector<JsonLine> parse_json_lines(std::string_view text, const std::filesystem::path& file);

const nlohmann::json& field(const JsonLine& line, const char* key);
std::string string_field(const JsonLine& line, const char* key);
std::string string_of(const JsonLine& line, const nlohmann::json& value, const std::string& name);
// An index into `count` choices: a JSON integer or a string of digits (HF datasets keep labels
// as strings).
int64_t label_field(const JsonLine& line, const char* key, int64_t count);

// Throws InputError(where, problem) when the file holds no item.
void require_items(const std::filesystem::path& file, const std::vector<ZeroShotItem>& items);

}  // namespace analysis::zero_shot_input
