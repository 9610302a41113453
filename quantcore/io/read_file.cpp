#include "quantcore/io/read_file.h"

#include <fstream>
#include <sstream>

#include "quantcore/io/errors.h"

namespace quantcore {

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path.string(), "no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string(), "cannot be read");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw InputError(path.string(), "cannot be read");
  return std::move(bytes).str();
}

}  // namespace quantcore
