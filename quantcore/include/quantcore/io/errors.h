#pragma once
#include <stdexcept>
#include <string>

namespace quantcore {

// A problem with something the user gave us (a file, a flag, a text). The message is one line
// that names the file and the problem; the CLI prints it and exits non-zero.
class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  InputError(const std::string& file, const std::string& problem) : std::runtime_error(file + ": " + problem) {}
};

}  // namespace quantcore
