#pragma once
// A method's parameters (name, type, default, range, help) and one set of values for them, with
// the one spelling used wherever several methods are named at once: `NAME[:KEY=VALUE]...`
// (e.g. `rtn:bits=2:group-size=128`; a flag may be written `KEY` alone). Torch-free.
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace quantcore::methods {

class QuantMethod;

enum class ParameterType { Integer, Real, Flag, Choice, List };
const char* parameter_type_name(ParameterType type);  // "integer", "real", "flag", "choice", "list"

struct MethodParameter {
  std::string name;  // as on the command line without "--": "salient-ratio"
  ParameterType type = ParameterType::Real;
  std::string default_value;  // as written: "0.2", "false", "max", "" (empty list)
  std::string help;
  double min = -std::numeric_limits<double>::infinity();  // Integer and Real, inclusive
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices;  // Choice: one of them; List: a comma-separated subset
};

// Values for every parameter of one method, starting from the defaults. Every value is checked
// when set; the accessors throw std::logic_error for a name the method does not declare or a
// type that does not match (a programming error, not an input error).
class MethodSettings {
public:
  explicit MethodSettings(const QuantMethod& method);

  const QuantMethod& method() const { return *method_; }
  std::string_view method_name() const;

  // Throws InputError(where, ...) naming the parameter, the bad value and the accepted range.
  void set(std::string_view name, std::string_view value, std::string_view where);
  bool takes(std::string_view name) const;
  bool is_default(std::string_view name) const;

  int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool flag(std::string_view name) const;
  const std::string& choice(std::string_view name) const;
  std::vector<std::string> list(std::string_view name) const;
  const std::string& text(std::string_view name) const;  // the value as written

  // {"parameter": typed value, ...} for every parameter.
  nlohmann::json to_json() const;
  // `NAME` followed by every parameter that differs from its default: `rtn:bits=2`.
  std::string spelling() const;

private:
  const MethodParameter& parameter(std::string_view name, ParameterType type) const;
  const QuantMethod* method_;
  std::map<std::string, std::string, std::less<>> values_;
};

// The shortest text that reads back to `value` ("0.2", "5e-04"): how real values are spelled.
std::string format_real(double value);
// How flag values are spelled: "true", "false".
inline const char* flag_text(bool value) { return value ? "true" : "false"; }

// Parameter rows several methods share, with the same name, bounds and help.
MethodParameter percdamp_parameter(double default_value);     // "percdamp", baselines-spec §0.4
MethodParameter no_compensation_parameter(bool default_off);  // "no-compensation" (the code's --disable_gptq)

// Parses the method spelling; an unknown method or parameter, or a bad value, is an InputError
// naming `where` (the option or file it came from).
MethodSettings parse_method_spelling(std::string_view spelling, std::string_view where);

// Several spellings separated by commas: `ptq161,rtn:bits=2,gptq:bits=3:group-size=128`. After
// a list parameter's value (`ptq161:paper=no-mean,alpha-l1,rtn`) a comma continues the value
// unless what follows is a method name or a spelling with settings. Empty or unknown entries
// are InputErrors naming `where`.
std::vector<MethodSettings> parse_method_list(std::string_view list, std::string_view where);

}  // namespace quantcore::methods
