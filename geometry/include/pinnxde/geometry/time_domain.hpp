#pragma once
// The time interval [t0, t1]. Port of deepxde.geometry.TimeDomain.
//
//   dde::geometry::TimeDomain timedomain(0, 1);
#include "pinnxde/geometry/interval.hpp"

namespace pinnxde::geometry {

class TimeDomain : public Cloneable<TimeDomain, Interval> {
 public:
  /// Throws ValueError unless t0 < t1: "TimeDomain: t0 = 1 must be < t1 = 0".
  TimeDomain(double t0, double t1);

  double t0() const { return l(); }
  double t1() const { return r(); }
  /// |t - t0| <= boundary_tol(). t: (N, 1).
  Mask on_initial(const Points& t) const override;

  std::string name() const override { return "TimeDomain"; }

 private:
  static double checked_t0(double t0, double t1);
};

}  // namespace pinnxde::geometry
