#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pinnxde/pinnxde.hpp>

namespace dde = pinnxde;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

namespace {

TEST(FNN, ShapesParametersAndZeroBiases) {
  dde::nn::FNN net({2, 8, 8, 3}, "tanh", "Glorot normal");
  EXPECT_EQ(net->input_dim(), 2);
  EXPECT_EQ(net->output_dim(), 3);
  EXPECT_EQ(net->parameters().size(), 6u);
  auto y = net(torch::rand({5, 2}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{5, 3}));
  for (const auto& l : net->linears()) EXPECT_EQ(l->bias.abs().sum().item<double>(), 0.0);
}

TEST(FNN, GlorotNormalHasTheExpectedSpread) {
  torch::manual_seed(0);
  dde::nn::FNN net({400, 400, 1}, "tanh", "Glorot normal");
  const double std = net->linears()[0]->weight.std().item<double>();
  EXPECT_NEAR(std, std::sqrt(2.0 / 800.0), 0.002);
}

TEST(FNN, EveryActivationAndInitializerRuns) {
  for (const auto& a : dde::nn::activation_names())
    for (const auto& i : dde::nn::initializer_names()) {
      dde::nn::FNN net({2, 4, 1}, a, i);
      EXPECT_TRUE(torch::isfinite(net(torch::rand({3, 2}))).all().item<bool>()) << a << " / " << i;
    }
}

TEST(FNN, OutputTransformIsApplied) {
  dde::nn::FNN net({1, 4, 1});
  net->apply_output_transform([](const torch::Tensor& x, const torch::Tensor& y) { return x * (1 - x) * y; });
  auto y = net(torch::tensor({{0.0}, {1.0}}));
  EXPECT_DOUBLE_EQ(y.abs().sum().item<double>(), 0.0);
}

TEST(FNN, BadArgumentsNameTheValueAndTheChoices) {
  EXPECT_THAT([] { dde::nn::FNN({2, 8, 1}, "tanhh"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("unknown activation 'tanhh'; valid: tanh, sin, relu")));
  EXPECT_THAT([] { dde::nn::FNN({2, 8, 1}, "tanh", "Glorot"); },
              ThrowsMessage<dde::ValueError>(HasSubstr("unknown initializer 'Glorot'; valid: Glorot normal")));
  EXPECT_THAT([] { dde::nn::FNN({2}); }, ThrowsMessage<dde::ValueError>(HasSubstr("at least 2")));
  EXPECT_THAT([] { dde::nn::FNN({2, 0, 1}); }, ThrowsMessage<dde::ValueError>(HasSubstr("layer_sizes[1] = 0")));
  dde::nn::FNN net({2, 4, 1});
  EXPECT_THAT([&] { net(torch::rand({3, 3})); }, ThrowsMessage<dde::ValueError>(HasSubstr("expected (N, 2)")));
}

}  // namespace
