#pragma once
// Reading a file that may crash or hang the library that parses it (libhdf5 1.10 on a corrupted
// or crafted dump: heap overflows in the global heap, endless loops in attribute iteration): the
// whole read runs first in a child process, so that a crash or a hang becomes one InputError
// naming the file and the caller's process (the CLI, the Studio) survives.
#include <chrono>
#include <filesystem>
#include <functional>

namespace analysis {

// Runs `read` in a forked child within `limit`. Returns when the child finished cleanly; throws
// quantcore::InputError(file, ...) when it died of a signal, ran past the limit (it is killed)
// or threw (its message comes back). The child leaves at once (_exit): no destructor, atexit
// handler or Qt state of the parent runs in it.
void read_in_child(const std::filesystem::path& file, std::chrono::milliseconds limit,
                   const std::function<void()>& read);

// The limit for reading `file`: 30 s plus 1 s per 16 MiB.
std::chrono::milliseconds read_limit_for(const std::filesystem::path& file);

}  // namespace analysis
