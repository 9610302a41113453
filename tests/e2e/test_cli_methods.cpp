// `quantlens methods` prints the method registry, and `quantize --help` offers every registered
// method's parameters as options with their defaults.
#include <gtest/gtest.h>

#include "cli_support.h"
#include "quantcore/methods/registry.h"

namespace qm = quantcore::methods;

namespace {

TEST(CliMethods, JsonListsEveryRegisteredMethodWithItsParameters) {
  auto r = quantlens_test::run_cli({"methods", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json listed = r.json().at("methods");
  ASSERT_EQ(listed.size(), qm::registered_methods().size());
  size_t i = 0;
  for (const qm::QuantMethod* m : qm::registered_methods()) {
    const nlohmann::json& j = listed.at(i++);
    EXPECT_EQ(j.at("name"), std::string(m->name()));
    ASSERT_EQ(j.at("parameters").size(), m->parameters().size());
    for (size_t k = 0; k < m->parameters().size(); ++k) {
      EXPECT_EQ(j.at("parameters").at(k).at("name"), m->parameters()[k].name);
      EXPECT_EQ(j.at("parameters").at(k).at("default"), m->parameters()[k].default_value);
      EXPECT_EQ(j.at("parameters").at(k).at("type"), qm::parameter_type_name(m->parameters()[k].type));
    }
    EXPECT_TRUE(j.at("needs").contains("calibration"));
  }
}

TEST(CliMethods, QuantizeHelpOffersEveryParameter) {
  auto r = quantlens_test::run_cli({"quantize", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const qm::QuantMethod* m : qm::registered_methods()) {
    EXPECT_NE(r.out.find(std::string(m->name()) + ": "), std::string::npos) << m->name();
    for (const qm::MethodParameter& p : m->parameters())
      EXPECT_NE(r.out.find("--" + p.name), std::string::npos) << p.name;
  }
}

}  // namespace
