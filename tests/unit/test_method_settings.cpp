// The method registry's settings: defaults from the parameter table, the one spelling
// NAME[:KEY=VALUE]..., typed values, and one-line errors naming where a bad value came from.
#include <gtest/gtest.h>

#include <set>

#include "quantcore/io/errors.h"
#include "quantcore/methods/method_settings.h"
#include "quantcore/methods/ptq161/method.h"
#include "quantcore/methods/registry.h"

namespace qm = quantcore::methods;
namespace ptq161 = quantcore::methods::ptq161;

namespace {

std::string error_of(const std::string& spelling) {
  try {
    qm::parse_method_spelling(spelling, "--method");
  } catch (const quantcore::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(MethodRegistry, NamesAreUniqueAndFound) {
  std::set<std::string_view> names;
  for (const qm::QuantMethod* m : qm::registered_methods()) {
    EXPECT_TRUE(names.insert(m->name()).second) << m->name();
    EXPECT_EQ(qm::find_method(m->name()), m);
    EXPECT_FALSE(m->description().empty()) << m->name();
  }
  EXPECT_EQ(qm::find_method("no-such-method"), nullptr);
  EXPECT_NE(qm::find_method(ptq161::kName), nullptr);
}

TEST(MethodRegistry, EveryDefaultIsAValidValue) {
  for (const qm::QuantMethod* m : qm::registered_methods()) {
    qm::MethodSettings s(*m);
    for (const qm::MethodParameter& p : m->parameters()) {
      EXPECT_NO_THROW(s.set(p.name, p.default_value, "default")) << m->name() << " " << p.name;
      EXPECT_TRUE(s.is_default(p.name));
    }
    EXPECT_EQ(s.spelling(), std::string(m->name()));
    EXPECT_NO_THROW(m->check(s, "default"));
  }
}

TEST(MethodSettings, SpellingSetsTypedValuesAndSpellsOnlyWhatDiffers) {
  const qm::MethodSettings s =
      qm::parse_method_spelling("ptq161:epochs=3:salient-ratio=0.3:no-learn:paper=no-mean,l2-distance", "--method");
  EXPECT_EQ(s.method_name(), ptq161::kName);
  EXPECT_EQ(s.integer("epochs"), 3);
  EXPECT_DOUBLE_EQ(s.real("salient-ratio"), 0.3);
  EXPECT_TRUE(s.flag("no-learn"));
  EXPECT_EQ(s.list("paper"), (std::vector<std::string>{"no-mean", "l2-distance"}));
  EXPECT_EQ(s.choice("mask-stat"), "max");
  EXPECT_EQ(s.spelling(), "ptq161:salient-ratio=0.3:epochs=3:no-learn=true:paper=no-mean,l2-distance");
  const nlohmann::json j = s.to_json();
  EXPECT_EQ(j.at("epochs"), 3);
  EXPECT_EQ(j.at("no-learn"), true);
  EXPECT_EQ(j.at("mask-stat"), "max");
  // The spelling reads back to the same settings.
  EXPECT_EQ(qm::parse_method_spelling(s.spelling(), "--method").to_json(), j);
}

TEST(MethodSettings, ANumberHasOneSpellingWhateverItsText) {
  // 5e-4 is lr-alpha's default however it is written; the spelling names only what differs.
  EXPECT_EQ(qm::parse_method_spelling("ptq161:lr-alpha=0.0005:salient-ratio=0.20", "--method").spelling(), "ptq161");
  EXPECT_EQ(qm::parse_method_spelling("ptq161:lr-alpha=+1e-4", "--method").spelling(), "ptq161:lr-alpha=1e-04");
  EXPECT_NE(error_of("ptq161:lr-alpha=1e400").find("lr-alpha must be a number"), std::string::npos);
  EXPECT_NE(error_of("ptq161:lr-alpha=0,0005").find("lr-alpha must be a number"), std::string::npos);
}

TEST(MethodSettings, Ptq161OptionsRoundTripThroughTheSettings) {
  ptq161::Ptq161Options o;
  o.epochs = 7;
  o.salient_ratio = 0.35;
  o.salient_bits = 3;
  o.lr_alpha = 1e-4;
  o.learn = false;
  o.loss.quantized_branch = false;
  o.loss.nlc = false;
  o.loss.l2_distance = true;
  o.paper.alpha_all = true;
  o.mask_statistic = ptq161::MaskStatistic::MeanAbs;
  o.vector_dtype = quantcore::VectorDType::F32;
  const ptq161::Ptq161Options back = ptq161::options_from(ptq161::settings_from(o));
  EXPECT_EQ(back.epochs, 7);
  EXPECT_DOUBLE_EQ(back.salient_ratio, 0.35);
  EXPECT_EQ(back.salient_bits, 3);
  EXPECT_DOUBLE_EQ(back.lr_alpha, 1e-4);
  EXPECT_FALSE(back.learn);
  EXPECT_FALSE(back.loss.quantized_branch);
  EXPECT_FALSE(back.loss.nlc);
  EXPECT_TRUE(back.loss.l2_distance);
  EXPECT_TRUE(back.paper.alpha_all);
  EXPECT_FALSE(back.paper.no_mean);
  EXPECT_EQ(back.mask_statistic, ptq161::MaskStatistic::MeanAbs);
  EXPECT_EQ(back.vector_dtype, quantcore::VectorDType::F32);
  // The defaults of the table are the engine's defaults.
  const ptq161::Ptq161Options d = ptq161::options_from(qm::MethodSettings(ptq161::method()));
  EXPECT_DOUBLE_EQ(d.salient_ratio, ptq161::kDefaultSalientRatio);
  EXPECT_EQ(d.salient_bits, ptq161::kDefaultSalientBits);
  EXPECT_EQ(d.epochs, ptq161::Ptq161Options{}.epochs);
  EXPECT_TRUE(d.learn);
}

TEST(MethodSettings, BadSpellingsAreOneLineErrorsNamingTheOption) {
  EXPECT_EQ(
      error_of("nosuch"), "--method: unknown method \"nosuch\" (one of: " + [] {
        std::string names;
        for (const qm::QuantMethod* m : qm::registered_methods())
          names += (names.empty() ? "" : ", ") + std::string(m->name());
        return names;
      }() + ")");
  EXPECT_NE(error_of("ptq161:group-size=128").find("ptq161 takes no parameter group-size"), std::string::npos);
  EXPECT_NE(error_of("ptq161:salient-ratio=1.5").find("salient-ratio must be a number in [0, 1], not \"1.5\""),
            std::string::npos);
  EXPECT_NE(error_of("ptq161:epochs=two").find("epochs must be an integer"), std::string::npos);
  EXPECT_NE(error_of("ptq161:epochs=2.5").find("epochs must be an integer"), std::string::npos);
  EXPECT_NE(error_of("ptq161:salient-ratio=nan").find("salient-ratio must be a number"), std::string::npos);
  EXPECT_NE(error_of("ptq161:mask-stat=median").find("one of max, mean, none"), std::string::npos);
  EXPECT_NE(error_of("ptq161:paper=no-mean,typo").find("comma-separated list of"), std::string::npos);
  EXPECT_NE(error_of("ptq161:no-learn=maybe").find("true or false"), std::string::npos);
  for (const std::string& e : {error_of("nosuch"), error_of("ptq161:epochs=two")}) {
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    EXPECT_EQ(e.rfind("--method: ", 0), 0u) << e;
  }
}

TEST(MethodSettings, AListOfSpellingsSplitsAtMethodsAndKeepsListValuesWhole) {
  const auto list = qm::parse_method_list("ptq161:paper=no-mean,alpha-l1,rtn:bits=2,gptq,ptq161", "--methods");
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].spelling(), "ptq161:paper=no-mean,alpha-l1");
  EXPECT_EQ(list[1].spelling(), "rtn:bits=2");
  EXPECT_EQ(list[2].spelling(), "gptq");
  EXPECT_EQ(list[3].spelling(), "ptq161");
  const auto error_of = [](const std::string& s) {
    try {
      qm::parse_method_list(s, "--methods");
    } catch (const quantcore::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("rtn,nosuch").find("nosuch"), std::string::npos);  // not a list value: a method
  EXPECT_NE(error_of("rtn,").find("empty method"), std::string::npos);
  EXPECT_NE(error_of("").find("empty method"), std::string::npos);
}

}  // namespace
