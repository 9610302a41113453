#pragma once
#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace quantcore {

// Writes `path` through a temporary file in the same folder that is renamed over it only
// when `fill` returned and the stream is good: a failed or interrupted write leaves nothing
// under the final name.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& fill);
void write_text_atomically(const std::filesystem::path& path, std::string_view text);

// InputError naming `path` unless the folder it would be created in exists and is writable: the
// check every output makes before any long work.
void check_folder_writable(const std::filesystem::path& path);

}  // namespace quantcore
