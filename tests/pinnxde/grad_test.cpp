// jacobian/hessian against closed-form derivatives, in float64 to 1e-10, and the cache's behaviour.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;
using ::testing::HasSubstr;

namespace {

torch::Tensor points() {
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  return torch::tensor({{0.1, -0.3}, {0.7, 0.2}, {-1.2, 0.9}, {2.0, -1.5}}, opts).requires_grad_(true);
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, double tol = 1e-10) {
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_LT((a - b).abs().max().item<double>(), tol) << a << "\nvs\n" << b;
}

class GradTest : public ::testing::Test {
 protected:
  void TearDown() override { dde::grad::clear(); }
};

TEST_F(GradTest, JacobianAndHessianOfScalarFunction) {
  auto x = points();
  auto x0 = x.select(1, 0).unsqueeze(1), x1 = x.select(1, 1).unsqueeze(1);
  auto y = torch::sin(x0) * torch::exp(x1);  // (N, 1)
  auto xd0 = x0.detach(), xd1 = x1.detach();
  expect_close(dde::grad::jacobian(y, x, 0, 0), torch::cos(xd0) * torch::exp(xd1));
  expect_close(dde::grad::jacobian(y, x, 0, 1), torch::sin(xd0) * torch::exp(xd1));
  expect_close(dde::grad::jacobian(y, x), torch::cat({torch::cos(xd0), torch::sin(xd0)}, 1) * torch::exp(xd1));
  expect_close(dde::grad::hessian(y, x, 0, 0), -torch::sin(xd0) * torch::exp(xd1));
  expect_close(dde::grad::hessian(y, x, 0, 1), torch::cos(xd0) * torch::exp(xd1));
  expect_close(dde::grad::hessian(y, x, 1, 0), torch::cos(xd0) * torch::exp(xd1));
  expect_close(dde::grad::hessian(y, x, 1, 1), torch::sin(xd0) * torch::exp(xd1));
}

TEST_F(GradTest, JacobianAndHessianOfVectorFunction) {
  auto x = points();
  auto x0 = x.select(1, 0).unsqueeze(1), x1 = x.select(1, 1).unsqueeze(1);
  auto y = torch::cat({x0 * x0 * x1, x0 * x1 * x1 * x1}, 1);  // (N, 2)
  auto a = x0.detach(), b = x1.detach();
  expect_close(dde::grad::jacobian(y, x, 0, 0), 2 * a * b);
  expect_close(dde::grad::jacobian(y, x, 1, 1), 3 * a * b * b);
  expect_close(dde::grad::hessian(y, x, 0, 0, 0), 2 * b);
  expect_close(dde::grad::hessian(y, x, 0, 0, 1), 2 * a);
  expect_close(dde::grad::hessian(y, x, 1, 1, 1), 6 * a * b);
  expect_close(dde::grad::hessian(y, x, 1, 0, 1), 3 * b * b);
}

TEST_F(GradTest, CachedRowsAreReusedUntilCleared) {
  auto x = points();
  auto y = (x * x).sum(1, true);
  auto first = dde::grad::jacobian(y, x);
  auto again = dde::grad::jacobian(y, x, 0, 1);
  // a view of the same cached row: same storage, no second backward pass
  EXPECT_EQ(first.storage().unsafeGetStorageImpl(), again.storage().unsafeGetStorageImpl());
  dde::grad::clear();
  auto fresh = dde::grad::jacobian(y, x);
  EXPECT_NE(first.storage().unsafeGetStorageImpl(), fresh.storage().unsafeGetStorageImpl());
  expect_close(fresh, 2 * x.detach());
}

TEST_F(GradTest, DerivativeOfOutputIndependentOfInputIsZero) {
  auto x = points();
  auto y = torch::ones({4, 1}, torch::kFloat64);
  expect_close(dde::grad::jacobian(y, x), torch::zeros({4, 2}, torch::kFloat64));
  expect_close(dde::grad::hessian(y, x, 0, 1), torch::zeros({4, 1}, torch::kFloat64));
}

TEST_F(GradTest, BadIndicesAreRejectedWithTheValue) {
  auto x = points();
  auto y = torch::cat({x, x}, 1);  // (N, 4)
  EXPECT_THAT([&] { dde::grad::jacobian(y, x, 4, 0); },
              ::testing::ThrowsMessage<dde::ValueError>(HasSubstr("i = 4 out of range")));
  EXPECT_THAT([&] { dde::grad::jacobian(y, x, 0, 2); },
              ::testing::ThrowsMessage<dde::ValueError>(HasSubstr("j = 2 out of range")));
  EXPECT_THAT([&] { dde::grad::hessian(y, x, 0, 0); },
              ::testing::ThrowsMessage<dde::ValueError>(HasSubstr("the component must be given")));
  EXPECT_THAT([&] { dde::grad::jacobian(y, x.detach(), 0, 0); },
              ::testing::ThrowsMessage<dde::ValueError>(HasSubstr("does not require grad")));
}

}  // namespace
