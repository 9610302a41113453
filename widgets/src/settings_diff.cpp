#include "widgets/settings_diff.h"

#include <QCoreApplication>

#include <map>
#include <string>

namespace widgets {

namespace {
void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object() && !j.empty()) {
    for (const auto& [key, value] : j.items()) flatten(value, prefix.empty() ? key : prefix + "." + key, out);
    return;
  }
  out[prefix] = j.is_string() ? j.get<std::string>() : j.dump();
}
}  // namespace

std::vector<SettingDifference> settingsDiff(const nlohmann::json& a, const nlohmann::json& b) {
  std::map<std::string, std::string> fa, fb;
  flatten(a, "", fa);
  flatten(b, "", fb);
  const QString absent = QCoreApplication::translate("SettingsDiff", "(absent)");
  std::vector<SettingDifference> out;
  for (const auto& [key, value] : fa) {
    const auto other = fb.find(key);
    if (other == fb.end())
      out.push_back({QString::fromStdString(key), QString::fromStdString(value), absent});
    else if (other->second != value)
      out.push_back(
          {QString::fromStdString(key), QString::fromStdString(value), QString::fromStdString(other->second)});
  }
  for (const auto& [key, value] : fb)
    if (!fa.count(key)) out.push_back({QString::fromStdString(key), absent, QString::fromStdString(value)});
  return out;
}

}  // namespace widgets
