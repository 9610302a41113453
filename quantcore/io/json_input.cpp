#include "quantcore/io/json_input.h"

#include <fstream>
#include <set>
#include <sstream>

#include "quantcore/io/errors.h"

namespace quantcore::detail {
namespace {

constexpr int kMaxJsonDepth = 64;
constexpr std::size_t kMaxQuotedChars = 120;

// Thrown from inside the parser callback to stop parsing at once.
struct StructureProblem {
  std::string what;
};

constexpr std::size_t kMaxProblemChars = 240;
const char* const kHex = "0123456789abcdef";

void append_escaped(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// The part of nlohmann's message after its "[json.exception...] " tag. It quotes the token it
// stopped at, which may be long or hold any bytes: shorten it and keep it printable ASCII.
std::string parse_problem(const nlohmann::json::exception& e) {
  std::string_view message = e.what();
  const std::size_t tag_end = message.find("] ");
  if (tag_end != std::string_view::npos) message.remove_prefix(tag_end + 2);
  std::string out;
  for (const char ch : message.substr(0, kMaxProblemChars)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      append_escaped(out, c);
    } else {
      out += ch;
    }
  }
  if (message.size() > kMaxProblemChars) out += "...";
  return out;
}

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string& file) {
  std::vector<std::set<std::string>> keys_per_open_object;
  auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (depth >= kMaxJsonDepth) {
          throw StructureProblem{"JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
        }
        if (event == Event::object_start) keys_per_open_object.emplace_back();
        break;
      case Event::object_end: keys_per_open_object.pop_back(); break;
      case Event::key:
        if (!keys_per_open_object.back().insert(parsed.get<std::string>()).second) {
          throw StructureProblem{"duplicate key " + in_quotes(parsed.get<std::string>())};
        }
        break;
      default: break;
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), check);
  } catch (const StructureProblem& p) {
    throw InputError(file, p.what);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(file, "not valid JSON: " + parse_problem(e));
  } catch (const nlohmann::json::out_of_range& e) {  // a number beyond double, e.g. 1e400
    throw InputError(file, "not valid JSON: " + parse_problem(e));
  }
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), "cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path.string(), "cannot read");
  return parse_json_text(text.str(), path.string());
}

std::string in_quotes(std::string_view text) {
  std::string out = "'";
  std::size_t shown = text.size();
  if (shown > kMaxQuotedChars) {
    shown = kMaxQuotedChars;
    // Never cut a UTF-8 sequence in half: back up over continuation bytes (10xxxxxx).
    while (shown > 0 && (static_cast<unsigned char>(text[shown]) & 0xc0) == 0x80) --shown;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == shown) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      append_escaped(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

std::string json_kind(const nlohmann::json& value) {
  if (value.is_number_float()) return "a fractional number";
  if (value.is_number()) return "a number";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_null()) return "null";
  return std::string("a ") + value.type_name();
}

}  // namespace quantcore::detail
