#pragma once
// pinnxde: physics-informed neural networks in C++ on LibTorch. The one header users include.
//
//   #include <pinnxde/pinnxde.hpp>
//   namespace dde = pinnxde;
// The tensor API (torch::Tensor, the ATen operations, torch::fft / linalg / special, autograd, manual_seed,
// NoGradGuard, torch::cuda) comes with it; the rest of LibTorch's front end (torch::nn's module zoo,
// torch::data, torch::jit, serialization) does not: include <torch/torch.h> where you use those (it costs
// each translation unit ~5 s more to compile).
#include <torch/types.h>  // first: torch/fft.h, linalg.h and special.h are not self-contained
//
#include <torch/autograd.h>
#include <torch/cuda.h>
#include <torch/fft.h>
#if __has_include(<torch/linalg.h>)  // LibTorch 1.13; PyTorch 2.11's headers have none
#include <torch/linalg.h>
#endif
#include <torch/special.h>
#include <torch/utils.h>
#include <torch/version.h>

#include "pinnxde/conditions/boundary_condition.hpp"
#include "pinnxde/conditions/convert.hpp"
#include "pinnxde/conditions/dirichlet_bc.hpp"
#include "pinnxde/conditions/ic.hpp"
#include "pinnxde/conditions/interface_2d_bc.hpp"
#include "pinnxde/conditions/neumann_bc.hpp"
#include "pinnxde/conditions/operator_bc.hpp"
#include "pinnxde/conditions/periodic_bc.hpp"
#include "pinnxde/conditions/point_set_bc.hpp"
#include "pinnxde/conditions/point_set_operator_bc.hpp"
#include "pinnxde/conditions/robin_bc.hpp"
#include "pinnxde/config.hpp"
#include "pinnxde/data/data.hpp"
#include "pinnxde/data/dataset.hpp"
#include "pinnxde/data/function.hpp"
#include "pinnxde/data/ide.hpp"
#include "pinnxde/data/pde.hpp"
#include "pinnxde/data/trajectory.hpp"
#include "pinnxde/error.hpp"
#include "pinnxde/geometry.hpp"
#include "pinnxde/grad.hpp"
#include "pinnxde/loss_weighting.hpp"
#include "pinnxde/adaptive.hpp"
#include "pinnxde/callbacks.hpp"
#include "pinnxde/metrics.hpp"
#include "pinnxde/model.hpp"
#include "pinnxde/nn/activations.hpp"
#include "pinnxde/nn/embeddings.hpp"
#include "pinnxde/nn/fnn.hpp"
#include "pinnxde/nn/initializers.hpp"
#include "pinnxde/nn/modified_mlp.hpp"
#include "pinnxde/nn/msffn.hpp"
#include "pinnxde/nn/pfnn.hpp"
#include "pinnxde/nn/resnet.hpp"
#include "pinnxde/odeint.hpp"
#include "pinnxde/optimizers.hpp"
#include "pinnxde/quadrature.hpp"
#include "pinnxde/runtime.hpp"
#include "pinnxde/saveplot.hpp"
#include "pinnxde/variable.hpp"
#include "pinnxde/version.hpp"

namespace pinnxde {
// DeepXDE exposes the conditions both as dde.icbc.X and dde.X.
using icbc::DirichletBC;
using icbc::IC;
using icbc::Interface2DBC;
using icbc::NeumannBC;
using icbc::on_boundary;
using icbc::on_initial;
using icbc::OperatorBC;
using icbc::PeriodicBC;
using icbc::PointSetBC;
using icbc::PointSetOperatorBC;
using icbc::RobinBC;
namespace utils {
using geometry::isclose;
}
}  // namespace pinnxde
