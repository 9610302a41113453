#include "quantcore/export/staging_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/temporaries.h"

namespace quantcore::outputs {

namespace fs = std::filesystem;

namespace {

fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : r;
}

std::vector<fs::path> components(const fs::path& p) {
  std::vector<fs::path> out;
  for (const fs::path& c : p)
    if (!c.empty()) out.push_back(c);  // a trailing separator gives an empty one
  return out;
}

// Whether `outer` is `inner` or one of its ancestors, component by component.
bool is_within(const fs::path& inner, const fs::path& outer) {
  const std::vector<fs::path> i = components(inner), o = components(outer);
  return o.size() <= i.size() && std::equal(o.begin(), o.end(), i.begin());
}

// summary.json and the dumps record paths as JSON strings, which must be UTF-8: a path that is
// not would fail only when the finished run is written.
void check_utf8(const fs::path& p) {
  try {
    (void)nlohmann::json(p.string()).dump();
  } catch (const nlohmann::json::type_error&) {
    throw InputError(p.string(), "is not valid UTF-8; QuantLens records paths in JSON, so rename it");
  }
}

bool is_empty_directory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(fs::symlink_status(p)) && fs::is_empty(p, ec) && !ec;
}

// InputError unless `dest` (which exists and is not an empty directory) may be replaced.
void check_replaceable(const fs::path& dest, bool force) {
  const fs::file_status s = fs::symlink_status(dest);
  if (fs::is_symlink(s)) throw InputError(dest.string(), "is a symbolic link; choose another output");
  if (!force) throw InputError(dest.string(), "exists and is not empty; pass --force to replace it");
  if (!fs::is_directory(s) || !fs::exists(dest / kOutputMarker))
    throw InputError(dest.string(),
                     std::string("exists and is not a directory QuantLens wrote (no ") + kOutputMarker +
                         " in it); --force replaces only those: remove it yourself or choose another --out");
}

}  // namespace

StagingDir::StagingDir(const fs::path& dest) {
  std::string tmpl = dest.string() + ".tmp-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw InputError(dest.string(), "cannot create a directory beside it");
  path_ = tmpl;
  // mkdtemp makes it private; the result should look like any directory the user creates.
  const mode_t mask = umask(0);
  umask(mask);
  try {
    fs::permissions(path_, static_cast<fs::perms>(0777 & ~mask));
    lock_ = TemporaryLock(path_ / kLockFile);
    std::ofstream marker(path_ / kOutputMarker);
    marker << "Written by QuantLens; `--force` may replace this directory.\n";
    if (!marker) throw InputError(path_.string(), "cannot write into it");
  } catch (...) {
    std::error_code ec;
    fs::remove_all(path_, ec);
    throw;
  }
}

StagingDir::~StagingDir() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

namespace {

// The entries beside `dest` named as mkdtemp names `dest`'s name + `infix` + "XXXXXX".
std::vector<fs::path> made_beside(const fs::path& dest, const std::string& infix) {
  const std::string prefix = dest.filename().string() + infix;
  std::vector<fs::path> found;
  std::error_code ec;
  for (fs::directory_iterator it(dest.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() == prefix.size() + 6 && name.rfind(prefix, 0) == 0 &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                    [](unsigned char c) { return std::isalnum(c) != 0; }))
      found.push_back(it->path());
  }
  return found;
}

// Previous outputs that commit() moved aside beside `dest` (ours: they carry the marker).
std::vector<fs::path> replaced_outputs(const fs::path& dest) {
  std::vector<fs::path> found = made_beside(dest, ".replaced-");
  std::erase_if(found, [](const fs::path& p) {
    return !fs::is_directory(fs::symlink_status(p)) || !fs::exists(p / kOutputMarker);
  });
  return found;
}

// Whether a live run is staging an output for `dest` (its commit may be between its renames).
bool live_staging_beside(const fs::path& dest) {
  const std::vector<fs::path> staging = made_beside(dest, ".tmp-");
  return std::any_of(staging.begin(), staging.end(),
                     [](const fs::path& p) { return locked_by_a_live_process(p / kLockFile); });
}

bool overlaps_an_input(const fs::path& p, const std::vector<fs::path>& inputs) {
  try {
    check_output_apart_from_inputs(p, inputs);
    return false;
  } catch (const InputError&) {
    return true;
  }
}

}  // namespace

fs::path destination_path(const std::string& out) {
  fs::path dest = fs::absolute(out).lexically_normal();
  return dest.has_filename() ? dest : dest.parent_path();
}

std::vector<fs::path> remove_abandoned_staging(const fs::path& dest) {
  std::vector<fs::path> removed = remove_abandoned_temporaries(dest, kOutputMarker);
  // A previous output moved aside by a commit that was killed before removing it: garbage once
  // the new output is in place (restore_interrupted_replacement brings it back otherwise).
  std::error_code ec;
  if (!fs::exists(dest / kOutputMarker, ec)) return removed;
  for (const fs::path& p : replaced_outputs(dest)) {
    std::error_code rm;
    fs::remove_all(p, rm);
    if (!rm) removed.push_back(p);
  }
  return removed;
}

std::optional<fs::path> restore_interrupted_replacement(const std::string& out, const std::vector<fs::path>& inputs) {
  const fs::path dest = destination_path(out);
  std::error_code ec;
  // An empty directory (made by a file dialog or mkdir) holds nothing to lose: rename replaces it.
  if (fs::exists(fs::symlink_status(dest, ec)) && !is_empty_directory(dest)) return std::nullopt;
  if (overlaps_an_input(dest, inputs) || live_staging_beside(dest)) return std::nullopt;
  const std::vector<fs::path> aside = replaced_outputs(dest);
  // Two would mean two interrupted commits with nothing in between: which was last is not ours
  // to guess, so both are left for the user.
  if (aside.size() != 1 || overlaps_an_input(aside.front(), inputs)) return std::nullopt;
  fs::rename(aside.front(), dest, ec);
  if (ec) return std::nullopt;
  return aside.front();
}

void StagingDir::commit(const fs::path& dest, bool force) {
  fs::path previous;  // the replaced output, moved aside until the new one is in place
  if (fs::exists(fs::symlink_status(dest))) {
    if (is_empty_directory(dest)) {
      fs::remove(dest);
    } else {
      check_replaceable(dest, force);
      std::string aside = dest.string() + ".replaced-XXXXXX";  // unique, and renamed over while empty
      if (!mkdtemp(aside.data())) throw InputError(dest.string(), "cannot create a directory beside it");
      previous = aside;
      fs::rename(dest, previous);
    }
  }
  // The lock is held until the new output is in place, so that a run starting between the two
  // renames sees a live commit and does not restore the aside (restore_interrupted_replacement).
  std::error_code ec;
  fs::rename(path_, dest, ec);
  if (ec) {
    if (!previous.empty()) fs::rename(previous, dest);
    throw fs::filesystem_error("cannot move the finished output into place", path_, dest, ec);
  }
  fs::remove(dest / kLockFile, ec);  // the output keeps only the marker
  lock_.release();
  path_.clear();
  if (!previous.empty()) fs::remove_all(previous, ec);
}

void check_output_apart_from_inputs(const fs::path& output, const std::vector<fs::path>& inputs,
                                    const std::string& what) {
  const fs::path out = resolved(output);
  for (const fs::path& input : inputs) {
    if (input.empty()) continue;
    const fs::path in = resolved(input);
    if (out == in) throw InputError(output.string(), "is " + what + " " + in.string() + "; choose another output");
    if (is_within(in, out))
      throw InputError(output.string(), "contains " + what + " " + in.string() + "; choose another output");
    if (is_within(out, in))
      throw InputError(output.string(), "lies inside " + what + " " + in.string() + "; choose another output");
  }
}

fs::path checked_destination(const std::string& out, bool force, const std::vector<fs::path>& inputs) {
  const fs::path dest = destination_path(out);
  check_utf8(dest);
  for (const fs::path& input : inputs) check_utf8(input);
  check_output_apart_from_inputs(dest, inputs);
  check_folder_writable(dest);
  if (fs::exists(fs::symlink_status(dest)) && !is_empty_directory(dest)) check_replaceable(dest, force);
  return dest;
}

}  // namespace quantcore::outputs
