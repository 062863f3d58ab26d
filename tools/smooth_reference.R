# Reference numbers for lib/stats/smooth.ts, from R's mgcv, loess and lowess.
# Run: Rscript tools/smooth_reference.R   (R 4.2.2, mgcv 1.8-41 here)
# Prints, per dataset: gam(y ~ s(x, bs = "cr", k = 10)) smoothing parameter, EDF,
# GCV, scale, fitted values and predict(se.fit = TRUE) at a few points; loess with
# surface = "direct" (fitted values, standard errors); lowess. 15 significant digits;
# tests/stats/smooth_test.ts pastes them.
suppressMessages(library(mgcv))
g <- function(v) paste(sprintf("%.15g", v), collapse = ", ")

# B: a learning curve, F1 against training sentences (as in tools/segmented_reference.R).
s <- c( 140, 267, 269, 288, 292, 336, 342, 344, 368, 422, 459, 478, 483, 530, 548, 617, 638, 641, 652, 664, 667, 701, 726, 756, 761, 784, 794, 836, 853, 914, 918, 952, 954, 1014, 1020, 1046, 1048, 1103, 1120, 1146, 1179, 1211, 1223, 1239, 1241, 1255, 1259, 1328, 1345, 1364, 1401, 1430, 1461, 1526, 1570, 1664, 1664, 1717, 1732, 1747, 1827, 1836, 1839, 1885, 1970, 2022, 2054, 2109, 2131, 2188, 2220, 2228, 2241, 2245, 2265, 2267, 2277, 2289, 2290, 2309 )
f <- c( 0.7222, 0.8055, 0.82, 0.8054, 0.8293, 0.8272, 0.8445, 0.8426, 0.8504, 0.8754, 0.8632, 0.905, 0.8721, 0.8964, 0.8919, 0.9071, 0.9439, 0.9194, 0.9051, 0.9022, 0.9276, 0.9256, 0.9243, 0.9194, 0.9131, 0.9197, 0.9453, 0.9284, 0.9202, 0.9621, 0.9449, 0.9383, 0.9539, 0.9537, 0.9358, 0.9704, 0.9409, 0.9281, 0.9437, 0.9484, 0.9741, 0.9481, 0.9525, 0.9463, 0.9432, 0.9469, 0.9569, 0.9729, 0.9605, 0.9628, 0.9338, 0.9605, 0.9515, 0.9315, 0.9555, 0.9476, 0.9671, 0.9404, 0.9444, 0.9385, 0.9476, 0.9546, 0.941, 0.9598, 0.9354, 0.9373, 0.9672, 0.9377, 0.9549, 0.9454, 0.9549, 0.9702, 0.969, 0.946, 0.9225, 0.9799, 0.958, 0.9565, 0.9498, 0.9561 )
# S: 100 points of a sine wave with noise from an integer formula (no RNG).
i <- 1:100
xs <- i / 100
ys <- sin(2 * pi * xs) + 0.3 * (((i * 1103515245 + 12345) %% 2147483648) / 2147483648 - 0.5)

report <- function(name, x, y, at, idx) {
  b <- gam(y ~ s(x, bs = "cr", k = 10))
  cat(sprintf("== %s\n", name))
  cat("sp:", g(b$sp), "\n")
  cat("edf:", g(summary(b)$edf), "\n")
  cat("edfTotal:", g(sum(b$edf)), "\n")
  cat("gcv:", g(b$gcv.ubre), "\n")
  cat("sig2:", g(b$sig2), "\n")
  cat("fitted:", g(fitted(b)[idx]), "\n")
  p <- predict(b, data.frame(x = at), se.fit = TRUE)
  cat("pred:", g(p$fit), "\n")
  cat("se:", g(p$se.fit), "\n")
  for (deg in c(2, 1)) {
    l <- loess(y ~ x, span = 0.75, degree = deg,
      control = loess.control(surface = "direct", statistics = "exact"))
    pl <- predict(l, data.frame(x = at), se = TRUE)
    cat(sprintf("loess%d fitted: %s\n", deg, g(fitted(l)[idx])))
    cat(sprintf("loess%d pred: %s\n", deg, g(pl$fit)))
    cat(sprintf("loess%d se: %s\n", deg, g(pl$se.fit)))
    cat(sprintf("loess%d enp: %s sigma: %s df: %s\n", deg, g(l$enp), g(l$s), g(pl$df)))
  }
  l <- loess(y ~ x, span = 0.3, degree = 2, control = loess.control(surface = "direct"))
  cat("loess span0.3 fitted:", g(fitted(l)[idx]), "\n")
  lw <- lowess(x, y)
  cat("lowess:", g(lw$y[idx]), "\n")
  lw <- lowess(x, y, f = 0.3, iter = 0)
  cat("lowess f0.3 iter0:", g(lw$y[idx]), "\n")
}
report("B", s, f, c(140, 500, 688.5, 1500, 2309), c(1, 10, 40, 57, 80))
report("S", xs, ys, c(0.01, 0.25, 0.5, 0.733, 1), c(1, 10, 40, 57, 100))
