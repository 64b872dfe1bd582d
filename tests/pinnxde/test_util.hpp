#pragma once
// What the pinnxde tests share.
#include <gtest/gtest.h>

#include <cstdint>
#include <pinnxde/pinnxde.hpp>

namespace pinnxde::testing {

/// Runs a test in float64 (closed forms hold to round-off) with a fixed seed; float32 again afterwards.
class Float64Test : public ::testing::Test {
 protected:
  void SetUp() override {
    config::set_default_float("float64");
    config::set_random_seed(seed());
  }
  void TearDown() override { config::set_default_float("float32"); }
  virtual std::uint64_t seed() const { return 0; }
};

}  // namespace pinnxde::testing
