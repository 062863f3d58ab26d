"""Developer tool: reference numbers for tests/stats/learning_curve_test.ts.

Fits the learning-curve models of lib/stats/learning_curve.ts with SciPy 1.10's
curve_fit (Debian's python3-scipy) on fixed datasets given here as literals, and
prints every number the TypeScript functions report, with 17 significant digits:
parameters, standard errors (sigma = 1 / sqrt(w), absolute_sigma=False), the weighted
RSS, R's AIC of a weighted nls fit, the delta-method confidence and prediction
intervals at a few sizes (t quantiles from scipy.stats.t), and the sizes where the
confidence band crosses a target (scipy.optimize.brentq).

Dataset B is tests/stats/fixtures/learning_curve.ts (0.95 - 0.4 exp(-s / 250) + noise).
Dataset C, a noisier power law with four runs per size, was drawn once with numpy's
default_rng(19): y = 0.9 - 1.2 n^-0.45 + N(0, 0.03), rounded to 4 decimals.

Each fit is run with an analytic Jacobian and tight tolerances from a crude start of
its own, and checked against least_squares (trust region) from another start, so the
optimum does not depend on the TypeScript code's start. Both stop where the RSS is flat
to rounding along the ill-conditioned b-c direction, up to ~2e-7 relative apart; a few
Gauss-Newton steps (numpy lstsq) take curve_fit's answer to where the gradient vanishes
(cosines below 1e-12). "curveFit" holds curve_fit's own numbers; "parameters",
"standardErrors" (s^2 (J'WJ)^-1 at that point, numpy inv) and everything after are at
the polished optimum.

Usage: /usr/bin/python3 tools/learning_curve_reference.py
"""
import json

import numpy as np
from scipy.optimize import brentq, curve_fit, least_squares
from scipy.stats import t as student_t

SB = [140, 267, 269, 288, 292, 336, 342, 344, 368, 422, 459, 478, 483, 530, 548, 617, 638,
      641, 652, 664, 667, 701, 726, 756, 761, 784, 794, 836, 853, 914, 918, 952, 954, 1014,
      1020, 1046, 1048, 1103, 1120, 1146, 1179, 1211, 1223, 1239, 1241, 1255, 1259, 1328,
      1345, 1364, 1401, 1430, 1461, 1526, 1570, 1664, 1664, 1717, 1732, 1747, 1827, 1836,
      1839, 1885, 1970, 2022, 2054, 2109, 2131, 2188, 2220, 2228, 2241, 2245, 2265, 2267,
      2277, 2289, 2290, 2309]
FB = [0.7222, 0.8055, 0.82, 0.8054, 0.8293, 0.8272, 0.8445, 0.8426, 0.8504, 0.8754, 0.8632,
      0.905, 0.8721, 0.8964, 0.8919, 0.9071, 0.9439, 0.9194, 0.9051, 0.9022, 0.9276, 0.9256,
      0.9243, 0.9194, 0.9131, 0.9197, 0.9453, 0.9284, 0.9202, 0.9621, 0.9449, 0.9383,
      0.9539, 0.9537, 0.9358, 0.9704, 0.9409, 0.9281, 0.9437, 0.9484, 0.9741, 0.9481,
      0.9525, 0.9463, 0.9432, 0.9469, 0.9569, 0.9729, 0.9605, 0.9628, 0.9338, 0.9605,
      0.9515, 0.9315, 0.9555, 0.9476, 0.9671, 0.9404, 0.9444, 0.9385, 0.9476, 0.9546,
      0.941, 0.9598, 0.9354, 0.9373, 0.9672, 0.9377, 0.9549, 0.9454, 0.9549, 0.9702, 0.969,
      0.946, 0.9225, 0.9799, 0.958, 0.9565, 0.9498, 0.9561]
SC = [25, 25, 25, 25, 50, 50, 50, 50, 75, 75, 75, 75, 100, 100, 100, 100, 150, 150, 150, 150,
      200, 200, 200, 200, 300, 300, 300, 300, 400, 400, 400, 400, 500, 500, 500, 500, 600,
      600, 600, 600]
FC = [0.607, 0.6479, 0.6306, 0.5995, 0.7138, 0.6501, 0.7114, 0.6768, 0.747, 0.7412, 0.705,
      0.7439, 0.7592, 0.7295, 0.809, 0.773, 0.7387, 0.7445, 0.7836, 0.7835, 0.7676, 0.8259,
      0.7923, 0.7635, 0.7966, 0.8025, 0.7613, 0.7829, 0.7647, 0.8102, 0.8374, 0.7805,
      0.8364, 0.7913, 0.8219, 0.8113, 0.7962, 0.8161, 0.7958, 0.8414]


def ipl(n, a, b, c):
    return a - b * n ** -c


def ipl_grad(n, a, b, c):
    g = n ** -c
    return np.column_stack([np.ones_like(n), -g, b * g * np.log(n)])


def expo(n, a, b, c):
    return a - b * np.exp(-c * n)


def expo_grad(n, a, b, c):
    g = np.exp(-c * n)
    return np.column_stack([np.ones_like(n), -g, b * n * g])


def loga(n, a, b):
    return a + b * np.log(n)


def loga_grad(n, a, b):
    return np.column_stack([np.ones_like(n), np.log(n)])


MODELS = {
    "inverse-power-law": (ipl, ipl_grad),
    "exponential": (expo, expo_grad),
    "logarithmic": (loga, loga_grad),
}


def fit(name, xs, ys, model, weights, p0, p0_check, predict_at, targets):
    f, grad = MODELS[model]
    x = np.asarray(xs, float)
    y = np.asarray(ys, float)
    w = x / x.max() if weights == "size" else np.ones_like(x)
    sigma = 1 / np.sqrt(w)
    popt, pcov = curve_fit(f, x, y, p0=p0, sigma=sigma, absolute_sigma=False,
                           jac=lambda n, *p: grad(n, *p), method="lm", ftol=1e-15,
                           xtol=1e-15, gtol=1e-15, maxfev=100000)
    check = least_squares(lambda p: np.sqrt(w) * (y - f(x, *p)), p0_check,
                          jac=lambda p: -np.sqrt(w)[:, None] * grad(x, *p), method="trf",
                          ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=100000)
    # Both stop where the RSS is flat to rounding along b and c (MINPACK's ftol cannot
    # go below machine precision); Gauss-Newton steps from there reach the point where
    # the gradient vanishes, which both lie within 1e-6 of.
    p = popt.copy()
    for _ in range(20):
        J = np.sqrt(w)[:, None] * grad(x, *p)
        p = p + np.linalg.lstsq(J, np.sqrt(w) * (y - f(x, *p)), rcond=None)[0]
    assert np.allclose(check.x, popt, rtol=1e-6, atol=0), (name, check.x, popt)
    assert np.allclose(p, popt, rtol=1e-6, atol=0), (name, p, popt)
    N, k = len(x), len(popt)
    J = np.sqrt(w)[:, None] * grad(x, *p)
    r = np.sqrt(w) * (y - f(x, *p))
    cosine = np.abs(J.T @ r) / (np.linalg.norm(J, axis=0) * np.linalg.norm(r))
    assert cosine.max() < 1e-12, (name, cosine)
    curve_fit_popt, curve_fit_se = popt, np.sqrt(np.diag(pcov))
    popt = p
    rss = float(np.sum(w * (y - f(x, *popt)) ** 2))
    pcov = rss / (N - k) * np.linalg.inv(J.T @ J)
    assert np.allclose(np.sqrt(np.diag(pcov)), curve_fit_se, rtol=1e-6, atol=0)
    aic = N * (np.log(2 * np.pi * rss / N) + 1) - np.sum(np.log(w)) + 2 * (k + 1)
    s2 = rss / (N - k)
    tq = student_t.ppf(0.975, N - k)

    def band(n, sign):
        g = grad(np.array([float(n)]), *popt)[0]
        return f(n, *popt) + sign * tq * np.sqrt(g @ pcov @ g)

    predictions = []
    for n in predict_at:
        g = grad(np.array([float(n)]), *popt)[0]
        se = float(np.sqrt(g @ pcov @ g))
        est = float(f(n, *popt))
        weight = n / x.max() if weights == "size" else 1.0
        se_run = float(np.sqrt(se ** 2 + s2 / weight))
        predictions.append({"n": n, "estimate": est, "se": se,
                            "ci": [est - tq * se, est + tq * se],
                            "pi": [est - tq * se_run, est + tq * se_run]})
    sizes = []
    for target in targets:
        a, b = popt[0], popt[1]
        if model == "inverse-power-law":
            est = (b / (a - target)) ** (1 / popt[2])
        elif model == "exponential":
            est = np.log(b / (a - target)) / popt[2]
        else:
            est = np.exp((target - a) / b)
        # The band around the estimate: down to where its upper edge leaves the target,
        # up to where its lower edge reaches it (none: the asymptote's CI holds it).
        down = next(n for n in np.geomspace(est, est / 1e6, 2000) if band(n, +1) < target)
        lo = brentq(lambda n: band(n, +1) - target, down, est)
        up = [n for n in np.geomspace(est, est * 1e6, 2000) if band(n, -1) >= target]
        hi = float(brentq(lambda n: band(n, -1) - target, est, up[0])) if up else "Infinity"
        sizes.append({"target": target, "estimate": float(est), "ci": [float(lo), hi]})
    out = {"case": name, "model": model, "weights": weights,
           "curveFit": {"parameters": curve_fit_popt.tolist(),
                        "standardErrors": curve_fit_se.tolist()},
           "parameters": popt.tolist(), "standardErrors": np.sqrt(np.diag(pcov)).tolist(),
           "rss": rss, "aic": float(aic),
           "df": N - k, "t": float(tq), "predictions": predictions, "sizes": sizes}
    print(json.dumps(out))


fit("B ipl", SB, FB, "inverse-power-law", "size", [1, 1, 0.5], [0.9, 10, 1],
    [500, 2309, 4000], [0.95, 0.96])
fit("B exp", SB, FB, "exponential", "size", [1, 0.5, 0.001], [0.9, 0.3, 0.01],
    [500, 2309, 4000], [0.94, 0.95])
fit("B log", SB, FB, "logarithmic", "size", [0, 0], [1, 1], [500, 2309, 4000], [0.95])
fit("C ipl", SC, FC, "inverse-power-law", "size", [1, 1, 0.5], [0.8, 3, 1],
    [100, 600, 1000], [0.8, 0.83])
fit("C ipl unweighted", SC, FC, "inverse-power-law", "unit", [1, 1, 0.5], [0.8, 3, 1],
    [100, 600, 1000], [0.8, 0.83])
fit("C exp", SC, FC, "exponential", "size", [1, 0.5, 0.01], [0.8, 0.2, 0.001],
    [100, 600, 1000], [0.8])
