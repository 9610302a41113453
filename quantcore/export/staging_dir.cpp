#include "quantcore/export/staging_dir.h"

#include <sys/stat.h>

#include <cstdlib>

#include "quantcore/io/errors.h"

namespace quantcore::outputs {

namespace fs = std::filesystem;

StagingDir::StagingDir(const fs::path& dest) {
  std::string tmpl = dest.string() + ".tmp-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw InputError(dest.string(), "cannot create a directory beside it");
  path_ = tmpl;
  // mkdtemp makes it private; the result should look like any directory the user creates.
  const mode_t mask = umask(0);
  umask(mask);
  fs::permissions(path_, static_cast<fs::perms>(0777 & ~mask));
}

StagingDir::~StagingDir() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

void StagingDir::commit(const fs::path& dest, bool force) {
  if (fs::exists(dest)) {
    if (fs::is_directory(dest) && fs::is_empty(dest))
      fs::remove(dest);
    else if (force)
      fs::remove_all(dest);
    else
      throw InputError(dest.string(), "exists and is not empty; pass --force to replace it");
  }
  fs::rename(path_, dest);
  path_.clear();
}

fs::path checked_destination(const std::string& out, bool force) {
  fs::path dest = fs::absolute(out).lexically_normal();
  if (!dest.has_filename()) dest = dest.parent_path();
  if (fs::exists(dest) && !force && !(fs::is_directory(dest) && fs::is_empty(dest)))
    throw InputError(dest.string(), "exists and is not empty; pass --force to replace it");
  return dest;
}

}  // namespace quantcore::outputs
