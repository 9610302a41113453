#pragma once
// A whole file (a text to evaluate or calibrate on, a JSON or tokenizer file) as bytes; a
// missing or unreadable file is an InputError naming it.
#include <filesystem>
#include <string>

namespace quantcore {

std::string read_file(const std::filesystem::path& path);

}  // namespace quantcore
