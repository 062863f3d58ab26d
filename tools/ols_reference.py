"""Developer tool: reference numbers for tests/stats/ols_test.ts.

Runs statsmodels 0.13 (Debian's python3-statsmodels) OLS on fixed datasets given
here as literals and prints every number the TypeScript `ols` reports, with 17
significant digits. The mtcars columns are R's built-in `mtcars` (mpg, wt, hp),
printed by `Rscript -e 'deparse(mtcars$mpg)'` etc.; R 4.2's summary(lm(mpg ~ wt + hp))
gives the same coefficients, standard errors, R^2, F and sigma to ~1e-15.
The simulated dataset was drawn once with numpy's default_rng(2024)
(y = 1.5 + 0.8 x1 - 0.5 x2 + 2 x3 + heteroskedastic noise, rounded to 3 decimals).

Usage: /usr/bin/python3 tools/ols_reference.py
"""
import json

import numpy as np
import statsmodels.api as sm

MTCARS = {
    "mpg": [21, 21, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2,
            10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26, 30.4,
            15.8, 19.7, 15, 21.4],
    "wt": [2.62, 2.875, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15, 3.44, 3.44, 4.07, 3.73,
           3.78, 5.25, 5.424, 5.345, 2.2, 1.615, 1.835, 2.465, 3.52, 3.435, 3.84, 3.845,
           1.935, 2.14, 1.513, 3.17, 2.77, 3.57, 2.78],
    "hp": [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215, 230,
           66, 52, 65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109],
}

SIM = {
    "y": [5.959, 3.111, 3.087, 7.528, 3.332, -0.526, 2.644, 1.324, 2.394, -1.109, 4.804,
          3.646, -0.68, 1.495, 0.875, 1.546, 5.252, 5.057, 4.887, 1.468, 0.18, 2.964, 2.181,
          6.817, 2.043, 3.174, 8.57, -0.76, 3.278, 0.73, 4.264, 1.715, 8.002, 3.367, 5.428,
          1.155, 3.22, 5.727, 2.125, 1.722],
    "x1": [6.758, 2.143, 3.095, 7.995, 9.958, 1.422, 0.787, 1.808, 3.596, 1.696, 5.888,
           6.168, 1.054, 5.657, 0.046, 4.651, 9.756, 7.994, 5.968, 3.253, 2.063, 4.427, 2.78,
           8.75, 2.132, 2.742, 8.072, 2.684, 2.681, 0.709, 4.672, 2.642, 8.889, 2.863, 7.738,
           4.872, 4.68, 9.649, 8.982, 0.79],
    "x2": [7.422, 4.121, 4.225, 2.223, 0.804, 6.269, 2.669, 6.557, 8.696, 4.77, 2.747, 5.788,
           6.523, 4.476, 5.035, 7.671, 7.531, 6.42, 3.267, 4.893, 6.206, 4.576, 3.78, 3.469,
           3.736, 3.657, 4.098, 7.291, 3.399, 6.774, 5.835, 5.279, 3.345, 4.087, 8.947, 5.198,
           6.076, 6.326, 7.111, 4.525],
    "x3": [1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0,
           1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1],
}


def report(name, y, cols, cov_type):
    X = sm.add_constant(np.column_stack([np.asarray(c, float) for c in cols]))
    if cov_type == "nonrobust":
        r = sm.OLS(np.asarray(y, float), X).fit()
    else:
        r = sm.OLS(np.asarray(y, float), X).fit(cov_type=cov_type, use_t=True)
    ci = r.conf_int(0.05)
    out = {
        "case": name,
        "cov_type": cov_type,
        "params": r.params.tolist(),
        "bse": r.bse.tolist(),
        "tvalues": r.tvalues.tolist(),
        "pvalues": r.pvalues.tolist(),
        "ci": ci.tolist(),
        "rsquared": r.rsquared,
        "rsquared_adj": r.rsquared_adj,
        "fvalue": float(r.fvalue),
        "f_pvalue": float(r.f_pvalue),
        "df_model": r.df_model,
        "df_resid": r.df_resid,
        "sigma": float(np.sqrt(r.scale)),
        "llf": r.llf,
        "aic": r.aic,
        "bic": r.bic,
        "condition_number": r.condition_number,
        "resid_first3": r.resid[:3].tolist(),
    }
    print(json.dumps(out, default=lambda v: repr(v)))


np.set_printoptions(precision=17)
for cov in ("nonrobust", "HC3"):
    report("mtcars mpg ~ wt + hp", MTCARS["mpg"], [MTCARS["wt"], MTCARS["hp"]], cov)
    report("sim y ~ x1 + x2 + x3", SIM["y"], [SIM["x1"], SIM["x2"], SIM["x3"]], cov)
# Ill-conditioned design: mpg ~ hp + hp^2 (statsmodels warns "condition number is large").
report("mtcars mpg ~ hp + hp2", MTCARS["mpg"], [MTCARS["hp"], [h * h for h in MTCARS["hp"]]],
       "nonrobust")
