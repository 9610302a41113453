#include "zero_shot_input.h"

#include <bzlib.h>

#include <memory>

#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "quantcore/io/read_file.h"

namespace analysis::zero_shot_input {

namespace {

std::string bunzip2(const std::string& packed, const std::filesystem::path& file) {
  std::string out;
  size_t consumed = 0;
  // A .bz2 file may hold several streams one after another (pbzip2, cat a.bz2 b.bz2).
  while (consumed < packed.size()) {
    bz_stream stream{};
    if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK) throw quantcore::InputError(file.string(), "cannot start bzip2");
    std::unique_ptr<bz_stream, int (*)(bz_stream*)> end(&stream, BZ2_bzDecompressEnd);
    stream.next_in = const_cast<char*>(packed.data() + consumed);
    stream.avail_in = static_cast<unsigned>(packed.size() - consumed);
    int status = BZ_OK;
    char buffer[1 << 16];
    while (status == BZ_OK) {
      stream.next_out = buffer;
      stream.avail_out = sizeof buffer;
      status = BZ2_bzDecompress(&stream);
      out.append(buffer, sizeof buffer - stream.avail_out);
      if (status == BZ_OK && stream.avail_in == 0 && stream.avail_out != 0)
        throw quantcore::InputError(file.string(), "bzip2 stream ends early (truncated file?)");
    }
    if (status != BZ_STREAM_END)
      throw quantcore::InputError(file.string(),
                                  "is not a valid bzip2 stream (libbz2 status " + std::to_string(status) + ")");
    consumed = packed.size() - stream.avail_in;
  }
  return out;
}

}  // namespace

std::string read_task_text(const std::filesystem::path& file) {
  std::string bytes = quantcore::read_file(file);
  if (bytes.size() >= 4 && bytes.compare(0, 3, "BZh") == 0 && bytes[3] >= '1' && bytes[3] <= '9')
    return bunzip2(bytes, file);
  return bytes;
}

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  int64_t number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({++number, line});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<JsonLine> read_json_lines(const std::filesystem::path& file) {
  return parse_json_lines(read_task_text(file), file);
}

std::vector<JsonLine> parse_json_lines(std::string_view text, const std::filesystem::path& file) {
  std::vector<JsonLine> out;
  for (const Line& line : split_lines(text)) {
    if (line.text.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string where = file.string() + ":" + std::to_string(line.number);
    nlohmann::json value = quantcore::detail::parse_json_text(line.text, where);
    if (!value.is_object())
      throw quantcore::InputError(where, "expected a JSON object, found " + quantcore::detail::json_kind(value));
    out.push_back({std::move(where), std::move(value)});
  }
  return out;
}

const nlohmann::json& field(const JsonLine& line, const char* key) {
  const auto it = line.value.find(key);
  if (it == line.value.end()) throw quantcore::InputError(line.where, std::string("missing field \"") + key + "\"");
  return *it;
}

std::string string_of(const JsonLine& line, const nlohmann::json& value, const std::string& name) {
  if (!value.is_string())
    throw quantcore::InputError(line.where, name + " must be a string, not " + quantcore::detail::json_kind(value));
  return value.get<std::string>();
}

std::string string_field(const JsonLine& line, const char* key) {
  return string_of(line, field(line, key), std::string("\"") + key + "\"");
}

int64_t label_field(const JsonLine& line, const char* key, int64_t count) {
  const nlohmann::json& value = field(line, key);
  int64_t label = -1;
  if (value.is_number_integer()) {
    label = value.get<int64_t>();
  } else if (value.is_string() && !value.get<std::string>().empty() && value.get<std::string>().size() < 10 &&
             value.get<std::string>().find_first_not_of("0123456789") == std::string::npos) {
    label = std::stoll(value.get<std::string>());
  } else {
    const std::string shown = value.is_string() ? " " + quantcore::detail::in_quotes(value.get<std::string>()) : "";
    throw quantcore::InputError(line.where, std::string("\"") + key + "\" must be a choice index, not " +
                                                quantcore::detail::json_kind(value) + shown);
  }
  if (label < 0 || label >= count)
    throw quantcore::InputError(line.where, std::string("\"") + key + "\" " + std::to_string(label) +
                                                " is out of range for " + std::to_string(count) + " choices");
  return label;
}

void require_items(const std::filesystem::path& file, const std::vector<ZeroShotItem>& items) {
  if (items.empty()) throw quantcore::InputError(file.string(), "holds no items");
}

}  // namespace analysis::zero_shot_input
