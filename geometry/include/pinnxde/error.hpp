#pragma once
// pinnxde's exception hierarchy. Every message names where, the argument, its value and what was
// expected, e.g. "TimePDE: num_initial = -5 (expected >= 0)".
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace pinnxde {

/// Root of every exception pinnxde throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad user input: an argument with a value outside what is expected.
class ValueError : public Error {
 public:
  using Error::Error;
};

/// Calls in the wrong order (e.g. Model::train before Model::compile).
class StateError : public Error {
 public:
  using Error::Error;
};

/// A feature a geometry or object does not provide.
class NotImplementedError : public Error {
 public:
  using Error::Error;
};

namespace detail {
/// Builds a message from streamable pieces: fail<ValueError>("Interval: l = ", l, " (expected l < r)").
template <class E = ValueError, class... Args>
[[noreturn]] void fail(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  throw E(os.str());
}
/// "a, b, c": the valid choices in a message.
inline std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}
}  // namespace detail

}  // namespace pinnxde
