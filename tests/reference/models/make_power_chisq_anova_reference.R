#!/usr/bin/env Rscript
# Reference for serostudy.models.power_chisq and power_anova: R pwr::pwr.chisq.test and
# pwr::pwr.anova.test.  Run from this folder:  Rscript make_power_chisq_anova_reference.R
#
# pwr solves for w, N, f and n with uniroot at its default tol (eps^0.25 ~ 1.2e-4); we
# record its answer ("*_pwr") and the root of the same pwr power function found with
# uniroot(tol = 1e-13) ("*_tight"), so the tests can compare at rtol 1e-6 with the root
# and not with uniroot's stopping rule.  Output: power_chisq_anova.json, with versions.

suppressPackageStartupMessages({
  library(pwr)
  library(jsonlite)
})

tight <- function(f, interval) uniroot(f, interval, tol = 1e-13, maxiter = 10000)$root

chisq_power <- list()
for (cs in list(c(0.1, 50, 1, 0.05), c(0.3, 100, 1, 0.05), c(0.3, 100, 2, 0.05), c(0.5, 60, 4, 0.01),
                c(0.2, 200, 3, 0.05), c(0.05, 30, 1, 0.05), c(0.6, 500, 2, 0.001), c(0.25, 88, 5, 0.1))) {
  r <- pwr.chisq.test(w = cs[1], N = cs[2], df = cs[3], sig.level = cs[4])
  chisq_power[[length(chisq_power) + 1]] <- list(w = cs[1], N = cs[2], df = cs[3], sig_level = cs[4],
                                                 power = r$power)
}

chisq_solve <- list()
for (cs in list(c(100, 1, 0.8, 0.05), c(100, 3, 0.9, 0.05), c(35, 2, 0.8, 0.01), c(500, 1, 0.5, 0.05))) {
  N <- cs[1]; df <- cs[2]; pw <- cs[3]; a <- cs[4]
  w_pwr <- pwr.chisq.test(N = N, df = df, power = pw, sig.level = a)$w
  w_tight <- tight(function(w) pwr.chisq.test(w = w, N = N, df = df, sig.level = a)$power - pw, c(1e-10, 1e+09))
  chisq_solve[[length(chisq_solve) + 1]] <- list(solve = "w", N = N, df = df, power = pw, sig_level = a,
                                                 w_pwr = w_pwr, w_tight = w_tight)
}
for (cs in list(c(0.3, 1, 0.8, 0.05), c(0.3, 2, 0.8, 0.05), c(0.1, 4, 0.9, 0.01), c(0.5, 1, 0.95, 0.05))) {
  w <- cs[1]; df <- cs[2]; pw <- cs[3]; a <- cs[4]
  N_pwr <- pwr.chisq.test(w = w, df = df, power = pw, sig.level = a)$N
  N_tight <- tight(function(N) pwr.chisq.test(w = w, N = N, df = df, sig.level = a)$power - pw, c(1 + 1e-10, 1e+09))
  chisq_solve[[length(chisq_solve) + 1]] <- list(solve = "N", w = w, df = df, power = pw, sig_level = a,
                                                 N_pwr = N_pwr, N_tight = N_tight)
}

anova_power <- list()
for (cs in list(c(3, 20, 0.25, 0.05), c(4, 10, 0.4, 0.05), c(2, 50, 0.1, 0.05), c(5, 30, 0.5, 0.01),
                c(3, 5, 0.05, 0.05), c(6, 100, 0.3, 0.001), c(3, 12.5, 0.35, 0.05))) {
  r <- pwr.anova.test(k = cs[1], n = cs[2], f = cs[3], sig.level = cs[4])
  anova_power[[length(anova_power) + 1]] <- list(k = cs[1], n = cs[2], f = cs[3], sig_level = cs[4],
                                                 power = r$power)
}

anova_solve <- list()
for (cs in list(c(3, 0.25, 0.8, 0.05), c(4, 0.4, 0.9, 0.05), c(2, 0.1, 0.8, 0.01), c(5, 0.5, 0.95, 0.05))) {
  k <- cs[1]; f <- cs[2]; pw <- cs[3]; a <- cs[4]
  n_pwr <- pwr.anova.test(k = k, f = f, power = pw, sig.level = a)$n
  n_tight <- tight(function(n) pwr.anova.test(k = k, n = n, f = f, sig.level = a)$power - pw, c(2 + 1e-10, 1e+09))
  anova_solve[[length(anova_solve) + 1]] <- list(solve = "n", k = k, f = f, power = pw, sig_level = a,
                                                 n_pwr = n_pwr, n_tight = n_tight)
}
for (cs in list(c(3, 20, 0.8, 0.05), c(4, 10, 0.9, 0.05), c(2, 100, 0.8, 0.01), c(6, 8, 0.5, 0.05))) {
  k <- cs[1]; n <- cs[2]; pw <- cs[3]; a <- cs[4]
  f_pwr <- pwr.anova.test(k = k, n = n, power = pw, sig.level = a)$f
  f_tight <- tight(function(f) pwr.anova.test(k = k, n = n, f = f, sig.level = a)$power - pw, c(1e-07, 1e+07))
  anova_solve[[length(anova_solve) + 1]] <- list(solve = "f", k = k, n = n, power = pw, sig_level = a,
                                                 f_pwr = f_pwr, f_tight = f_tight)
}

out <- list(
  meta = list(R = R.version.string, pwr = as.character(packageVersion("pwr")),
              generated_by = "tests/reference/models/make_power_chisq_anova_reference.R"),
  chisq_power = chisq_power, chisq_solve = chisq_solve,
  anova_power = anova_power, anova_solve = anova_solve
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "power_chisq_anova.json")
cat("wrote power_chisq_anova.json with", R.version.string, "pwr", as.character(packageVersion("pwr")), "\n")
