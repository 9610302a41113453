#include "quantcore/methods/method_settings.h"

#include <charconv>
#include <cmath>
#include <system_error>
#include <stdexcept>

#include "quantcore/io/errors.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/methods/registry.h"

namespace quantcore::methods {

namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string range_text(const MethodParameter& p) {
  const bool low = std::isfinite(p.min), high = std::isfinite(p.max);
  if (low && high) return "in [" + format_real(p.min) + ", " + format_real(p.max) + "]";
  if (low) return ">= " + format_real(p.min);
  if (high) return "<= " + format_real(p.max);
  return "finite";
}

bool parse_integer(std::string_view text, int64_t& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

// std::from_chars, not strtod: the GUI's C locale may write decimals with a comma.
bool parse_real(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty() && std::isfinite(out);
}

bool parse_flag(std::string_view text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return out = true, true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return out = false, true;
  return false;
}

bool contains(const std::vector<std::string>& names, std::string_view n) {
  for (const std::string& c : names)
    if (c == n) return true;
  return false;
}

// The canonical text of a valid value, or an error message.
std::string checked_value(const MethodParameter& p, std::string_view value, std::string& error) {
  switch (p.type) {
    case ParameterType::Integer: {
      int64_t v = 0;
      if (!parse_integer(value, v) || double(v) < p.min || double(v) > p.max) error = "an integer " + range_text(p);
      return std::to_string(v);
    }
    case ParameterType::Real: {
      double v = 0;
      if (!parse_real(value, v) || v < p.min || v > p.max) error = "a number " + range_text(p);
      return format_real(v);  // one text per value: "5e-4" and "0.0005" spell the same
    }
    case ParameterType::Flag: {
      bool v = false;
      if (!parse_flag(value, v)) error = "true or false";
      return v ? "true" : "false";
    }
    case ParameterType::Choice:
      if (!contains(p.choices, value)) error = "one of " + joined(p.choices);
      return std::string(value);
    case ParameterType::List:
      for (const std::string& item : split(value, ','))
        if (!value.empty() && !contains(p.choices, item)) error = "a comma-separated list of " + joined(p.choices);
      return std::string(value);
  }
  return std::string(value);
}

}  // namespace

std::string format_real(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

MethodParameter percdamp_parameter(double default_value) {
  return {"percdamp", ParameterType::Real, format_real(default_value), "Damping as a fraction of mean(diag H) (§0.4)",
          0.0, 1.0};
}

MethodParameter no_compensation_parameter(bool default_off) {
  return {"no-compensation", ParameterType::Flag, flag_text(default_off),
          "Quantise every block of W as is, without the inverse-Hessian error compensation (the code's --disable_gptq)"};
}

const char* parameter_type_name(ParameterType type) {
  switch (type) {
    case ParameterType::Integer: return "integer";
    case ParameterType::Real: return "real";
    case ParameterType::Flag: return "flag";
    case ParameterType::Choice: return "choice";
    case ParameterType::List: return "list";
  }
  return "?";
}

MethodSettings::MethodSettings(const QuantMethod& method) : method_(&method) {
  for (const MethodParameter& p : method.parameters()) {
    std::string error;
    values_[p.name] = checked_value(p, p.default_value, error);
  }
}

std::string_view MethodSettings::method_name() const { return method_->name(); }

bool MethodSettings::takes(std::string_view name) const { return values_.find(name) != values_.end(); }

void MethodSettings::set(std::string_view name, std::string_view value, std::string_view where) {
  for (const MethodParameter& p : method_->parameters()) {
    if (p.name != name) continue;
    std::string error;
    std::string canonical = checked_value(p, value, error);
    if (!error.empty())
      throw InputError(std::string(where), std::string(method_->name()) + " parameter " + p.name + " must be " + error +
                                               ", not \"" + std::string(value) + "\"");
    values_[p.name] = std::move(canonical);
    return;
  }
  std::vector<std::string> names;
  for (const MethodParameter& p : method_->parameters()) names.push_back(p.name);
  throw InputError(std::string(where), std::string(method_->name()) + " takes no parameter " + std::string(name) +
                                           (names.empty() ? " (it has none)" : " (it takes " + joined(names) + ")"));
}

bool MethodSettings::is_default(std::string_view name) const {
  for (const MethodParameter& p : method_->parameters()) {
    if (p.name != name) continue;
    std::string error;
    return values_.find(name)->second == checked_value(p, p.default_value, error);
  }
  return false;
}

const MethodParameter& MethodSettings::parameter(std::string_view name, ParameterType type) const {
  for (const MethodParameter& p : method_->parameters())
    if (p.name == name) {
      if (p.type != type)
        throw std::logic_error(std::string(method_->name()) + " parameter " + std::string(name) + " is a " +
                               parameter_type_name(p.type));
      return p;
    }
  throw std::logic_error(std::string(method_->name()) + " has no parameter " + std::string(name));
}

const std::string& MethodSettings::text(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error(std::string(method_->name()) + " has no parameter " + std::string(name));
  return it->second;
}

int64_t MethodSettings::integer(std::string_view name) const {
  parameter(name, ParameterType::Integer);
  int64_t v = 0;
  parse_integer(text(name), v);
  return v;
}

double MethodSettings::real(std::string_view name) const {
  parameter(name, ParameterType::Real);
  double v = 0;
  parse_real(text(name), v);
  return v;
}

bool MethodSettings::flag(std::string_view name) const {
  parameter(name, ParameterType::Flag);
  return text(name) == "true";
}

const std::string& MethodSettings::choice(std::string_view name) const {
  parameter(name, ParameterType::Choice);
  return text(name);
}

std::vector<std::string> MethodSettings::list(std::string_view name) const {
  parameter(name, ParameterType::List);
  const std::string& t = text(name);
  return t.empty() ? std::vector<std::string>{} : split(t, ',');
}

nlohmann::json MethodSettings::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const MethodParameter& p : method_->parameters()) {
    switch (p.type) {
      case ParameterType::Integer: j[p.name] = integer(p.name); break;
      case ParameterType::Real: j[p.name] = real(p.name); break;
      case ParameterType::Flag: j[p.name] = flag(p.name); break;
      case ParameterType::Choice: j[p.name] = choice(p.name); break;
      case ParameterType::List: j[p.name] = list(p.name); break;
    }
  }
  return j;
}

std::string MethodSettings::spelling() const {
  std::string out(method_->name());
  for (const MethodParameter& p : method_->parameters())
    if (!is_default(p.name)) out += ":" + p.name + "=" + text(p.name);
  return out;
}

MethodSettings parse_method_spelling(std::string_view spelling, std::string_view where) {
  const std::vector<std::string> parts = split(spelling, ':');
  MethodSettings settings(method_named(parts.front(), where));
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      settings.set(part, "true", where);  // a flag written alone
    } else {
      settings.set(std::string_view(part).substr(0, eq), std::string_view(part).substr(eq + 1), where);
    }
  }
  settings.method().check(settings, where);
  return settings;
}

namespace {
// Whether `spelling` ends in KEY=VALUE with KEY a list parameter of its method, so that a
// following comma continues that value.
bool ends_in_list_value(const std::string& spelling) {
  const std::vector<std::string> parts = split(spelling, ':');
  const QuantMethod* method = find_method(parts.front());
  if (!method || parts.size() < 2) return false;
  const std::string key = parts.back().substr(0, parts.back().find('='));
  for (const MethodParameter& p : method->parameters())
    if (p.name == key) return p.type == ParameterType::List && parts.back().find('=') != std::string::npos;
  return false;
}
}  // namespace

std::vector<MethodSettings> parse_method_list(std::string_view list, std::string_view where) {
  std::vector<std::string> spellings;
  for (const std::string& item : split(list, ',')) {
    const bool continues = !spellings.empty() && item.find(':') == std::string::npos && !find_method(item) &&
                           ends_in_list_value(spellings.back());
    if (continues) {
      spellings.back() += "," + item;
    } else {
      spellings.push_back(item);
    }
  }
  std::vector<MethodSettings> out;
  for (const std::string& s : spellings) {
    if (s.empty()) throw InputError(std::string(where), "an empty method in the list \"" + std::string(list) + "\"");
    out.push_back(parse_method_spelling(s, where));
  }
  if (out.empty()) throw InputError(std::string(where), "an empty method in the list \"\"");
  return out;
}

}  // namespace quantcore::methods
