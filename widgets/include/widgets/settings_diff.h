#pragma once
// Two runs' settings side by side: the keys (dotted paths into the settings JSON, e.g.
// "parameters.salient-ratio") whose values differ, with both values as text.
#include <QString>

#include <nlohmann/json.hpp>
#include <vector>

namespace widgets {

struct SettingDifference {
  QString key;
  QString a, b;  // "(absent)" where one side has no such key
};

std::vector<SettingDifference> settingsDiff(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace widgets
