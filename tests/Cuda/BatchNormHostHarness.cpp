// Runs the batch-norm kernels of kernels.cu on the host, for tests/Cuda/BatchNormKernelHostTests.cs.
//
// The test cuts the batch-norm sections of the Normalization family into bn_family.inc, the Dense family's
// activation helpers (the fused ReLU's forward and mask) into dense_helpers.inc, and compiles this file
// with -ffp-contract=off; blocks run as HostBlockEmulation.h emulates them.
//
// argv: rows features rowsPerSplit normaliseBlocksY offset kind (0 plain, 1 fused ReLU). Runs batchnorm_statistics, batchnorm_forward_training,
// batchnorm_backward_sums, batchnorm_backward, and layer norm's group_norm_backward_parameters + column_partials_sum
// on seeded data (normal, std 3, plus offset) and prints the worst errors against a float64 reference, one
// "name value" pair per line: mean (relative to |μ| + σ), invstd and running var (relative), dbeta and dgamma (both
// norms: relative to √N·3 + |value|), y and dx (relative to 1 + |value|). With the ReLU the reference is
// max(z, 0) and its gradients mask dy where the kernel's y is ≤ 0 (so a z at the kink cannot flip between them).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>
#include "HostBlockEmulation.h"
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float x) { return std::sqrt(x); }
#include "dense_helpers.inc"
#include "bn_family.inc"
#include "gn_parameters.inc"

int main(int argc, char** argv) {
    int rows = atoi(argv[1]), features = atoi(argv[2]), rowsPerSplit = atoi(argv[3]), normBlocksY = atoi(argv[4]);
    double offset = atof(argv[5]);
    int kind = atoi(argv[6]);
    int splits = (rows + rowsPerSplit - 1) / rowsPerSplit;
    std::mt19937 rng(rows * 31 + features);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::vector<float> x(rows * features), dy(rows * features), gamma(features), beta(features);
    for (auto& v : x) v = (float)(offset + normal(rng));
    for (auto& v : dy) v = normal(rng);
    for (int f = 0; f < features; f++) { gamma[f] = 0.5f + 0.01f * f; beta[f] = 0.1f * f; }
    std::vector<float> y(x.size()), mean(features), invStd(features), rm(features, 0.0f), rv(features, 1.0f);
    std::vector<float> partials(2 * splits * features), dx(x.size()), dg(features, 7.0f), db(features, 7.0f);
    unsigned tiles = (features + 31) / 32;
    launch(tiles, splits, 32, 8, [&] { batchnorm_statistics(partials.data(), x.data(), rows, features, rowsPerSplit); });
    launch(tiles, normBlocksY, 32, 8, [&] { batchnorm_forward_training(y.data(), mean.data(), invStd.data(), rm.data(), rv.data(), x.data(), gamma.data(), beta.data(), partials.data(), rows, features, rowsPerSplit, 0.1f, 1e-5f, kind); });
    launch(tiles, splits, 32, 8, [&] { batchnorm_backward_sums(partials.data(), dy.data(), y.data(), x.data(), mean.data(), rows, features, rowsPerSplit, kind); });
    launch(tiles, normBlocksY, 32, 8, [&] { batchnorm_backward(dx.data(), dg.data(), db.data(), dy.data(), y.data(), x.data(), gamma.data(), mean.data(), invStd.data(), partials.data(), rows, features, rowsPerSplit, kind); });
    // Layer norm's parameter gradients (group_norm_backward_parameters with one group, then column_partials_sum)
    // from float row statistics.
    std::vector<float> rowMean(rows), rowInvStd(rows), lnGamma(features, 7.0f), lnBeta(features, 7.0f);
    for (int r = 0; r < rows; r++) {
        double mu = 0, m2 = 0;
        for (int f = 0; f < features; f++) mu += x[r * features + f];
        mu /= features;
        for (int f = 0; f < features; f++) m2 += (x[r * features + f] - mu) * (x[r * features + f] - mu);
        rowMean[r] = (float)mu;
        rowInvStd[r] = (float)(1 / std::sqrt(m2 / features + 1e-5));
    }
    launch(tiles, splits, 32, 8, [&] { group_norm_backward_parameters(partials.data(), dy.data(), x.data(), rowMean.data(), rowInvStd.data(), rows, features, 1, rowsPerSplit); });
    launch((features + 255) / 256, 1, 256, 1, [&] { column_partials_sum(lnBeta.data(), lnGamma.data(), partials.data(), splits, features); });
    double worst[9] = {0};
    for (int f = 0; f < features; f++) {
        double mu = 0, m2 = 0, sdy = 0, sdyc = 0;
        for (int r = 0; r < rows; r++) mu += x[r * features + f];
        mu /= rows;
        for (int r = 0; r < rows; r++) { double d = x[r * features + f] - mu; m2 += d * d; }
        double is = 1 / std::sqrt(m2 / rows + 1e-5);
        auto dz = [&](int i) { return kind == 1 && y[i] <= 0.0f ? 0.0 : (double)dy[i]; };
        for (int r = 0; r < rows; r++) { sdy += dz(r * features + f); sdyc += dz(r * features + f) * (x[r * features + f] - mu); }
        double dgam = sdyc * is, lnDbeta = 0, lnDgamma = 0;
        for (int r = 0; r < rows; r++) lnDbeta += dy[r * features + f];
        for (int r = 0; r < rows; r++) lnDgamma += (double)dy[r * features + f] * ((x[r * features + f] - (double)rowMean[r]) * rowInvStd[r]);
        worst[7] = std::max(worst[7], std::fabs(lnBeta[f] - lnDbeta) / (std::sqrt((double)rows) * 3 + std::fabs(lnDbeta)));
        worst[8] = std::max(worst[8], std::fabs(lnGamma[f] - lnDgamma) / (std::sqrt((double)rows) * 3 + std::fabs(lnDgamma)));
        auto rel = [](double a, double b) { return std::fabs(a - b) / (std::fabs(b) + 1e-3); };
        worst[0] = std::max(worst[0], std::fabs(mean[f] - mu) / (std::fabs(mu) + std::sqrt(m2 / rows)));
        worst[1] = std::max(worst[1], rel(invStd[f], is));
        worst[2] = std::max(worst[2], rel(rv[f], 0.1 * m2 / (rows - 1) + 0.9));
        worst[3] = std::max(worst[3], std::fabs(db[f] - sdy) / (std::sqrt((double)rows) * 3 + std::fabs(sdy)));
        worst[4] = std::max(worst[4], std::fabs(dg[f] - dgam) / (std::sqrt((double)rows) * 3 + std::fabs(dgam)));
        for (int r = 0; r < rows; r++) {
            int i = r * features + f;
            double yy = (x[i] - mu) * is * gamma[f] + beta[f];
            if (kind == 1) yy = std::max(yy, 0.0);
            worst[5] = std::max(worst[5], std::fabs(y[i] - yy) / (1 + std::fabs(yy)));
            double dxx = gamma[f] * is / rows * (rows * dz(i) - sdy - (x[i] - mu) * is * dgam);
            worst[6] = std::max(worst[6], std::fabs(dx[i] - dxx) / (1 + std::fabs(dxx)));
        }
    }
    const char* names[] = {"mean", "invstd", "running_var", "dbeta", "dgamma", "y", "dx", "layernorm_dbeta", "layernorm_dgamma"};
    for (int k = 0; k < 9; k++) printf("%s %.17g\n", names[k], worst[k]);
}
