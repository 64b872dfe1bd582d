#include "pinnxde/geometry/time_domain.hpp"

#include <cmath>

namespace pinnxde::geometry {

double TimeDomain::checked_t0(double t0, double t1) {
  if (!std::isfinite(t0) || !std::isfinite(t1))
    detail::fail("TimeDomain: t0 = ", t0, " and t1 = ", t1, " must be finite");
  if (!(t0 < t1)) detail::fail("TimeDomain: t0 = ", t0, " must be < t1 = ", t1);
  return t0;
}

TimeDomain::TimeDomain(double t0, double t1) : Cloneable(checked_t0(t0, t1), t1) {}

Mask TimeDomain::on_initial(const Points& t) const {
  check_points(t, "on_initial");
  return (t.col(0).array() - t0()).abs() <= boundary_tol();
}

}  // namespace pinnxde::geometry
