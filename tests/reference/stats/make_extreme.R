#!/usr/bin/env Rscript
# Extreme-value reference grid for every interval serostudy finds by root search
# (issue 9, defence 3), plus Welch's ANOVA and Kendall's tau.
#
# Run from the repository root:
#   Rscript tests/reference/stats/make_extreme.R
# Writes tests/reference/stats/extreme.json: for each case the inputs, R's own answer
# (effectsize / fisher.test / wilcox.test / cor.test / oneway.test), and, where R's
# answer comes from a coarse search (optim, uniroot at its default tol), a tight
# re-solution of the defining equation ("tight_*", uniroot(tol ~ 1e-13 relative)).
# Where R's pt() itself is an approximation (|ncp| > 37.62 or df > 4e5 it switches to
# Abramowitz & Stegun 26.7.10), the tight root uses the noncentral t cdf computed by
# integrate() over the chi-square mixing density instead ("tight_source").
suppressPackageStartupMessages({
  library(jsonlite)
  library(effectsize)
})
out <- "tests/reference/stats/extreme.json"
num <- function(v) lapply(as.numeric(v), function(z) if (is.na(z)) NULL else if (is.infinite(z)) (if (z > 0) "Inf" else "-Inf") else z)
one <- function(v) num(v)[[1]]

# ------------------------------------------------------------------ Hedges' g
# Exact-moment samples: x = m + s * scale(z), so mean/sd are the given values.
pt_int <- function(q, df, ncp) {  # P(T <= q), T = (Z + ncp) / sqrt(V / df), V ~ chi2(df)
  lo <- qchisq(1e-17, df); hi <- qchisq(1e-17, df, lower.tail = FALSE)
  f <- function(v) pnorm(q * sqrt(v / df) - ncp) * dchisq(v, df)
  integrate(f, lo, hi, rel.tol = 1e-13, abs.tol = 0, subdivisions = 5000L)$value /
    (1 - 2e-17)
}
tight_ncp <- function(t, df, p, exact_pt) {
  cdf <- if (exact_pt) function(x) pt(t, df, x) else function(x) pt_int(t, df, x)
  s <- sqrt(1 + t^2 / (2 * df))
  start <- t - qnorm(p) * s
  lo <- start - 2 * s - 1; hi <- start + 2 * s + 1
  while (cdf(lo) < p) lo <- lo - 2 * s - 1
  while (cdf(hi) > p) hi <- hi + 2 * s + 1
  uniroot(function(x) cdf(x) - p, c(lo, hi), tol = 1e-13 * max(1, abs(start)), maxiter = 1000)$root
}
hedges_case <- function(name, n, d) {
  z1 <- rnorm(n[1]); z2 <- rnorm(n[2])
  x <- 10 + 2 * as.numeric(scale(z1)); y <- 10 - 2 * d + 2 * as.numeric(scale(z2))
  m1 <- mean(x); m2 <- mean(y); s1 <- sd(x); s2 <- sd(y)
  df <- sum(n) - 2
  tt <- unname(t.test(x, y, var.equal = TRUE)$statistic)
  g <- suppressWarnings(hedges_g(x, y, ci = 0.95))
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  ncps <- sapply(c(0.975, 0.025), function(p) {
    r <- suppressWarnings(tight_ncp(tt, df, p, df <= 4e5))
    if (abs(r) > 37.62) r <- tight_ncp(tt, df, p, FALSE)
    r
  })
  list(case = name, m1 = m1, s1 = s1, n1 = n[1], m2 = m2, s2 = s2, n2 = n[2],
       t = tt, df = df, effectsize_g = one(g$Hedges_g), effectsize_ci = num(c(g$CI_low, g$CI_high)),
       tight_ci = num(ncps * sqrt(1 / n[1] + 1 / n[2]) * J),
       tight_source = ifelse(abs(ncps) > 37.62, "integrate", "pt"))
}
set.seed(9)
hedges <- list(
  # the two cases of issue 9, finding 1 (t = -12.9, df = 206; t = -9.2, n = 200)
  hedges_case("issue9_t-12.9_df206", c(104, 104), -12.9 * sqrt(2 / 104)),
  hedges_case("issue9_t-9.2_n200", c(100, 100), -9.2 * sqrt(2 / 100)))
for (n in list(c(2, 2), c(2, 3), c(3, 3), c(5, 8), c(10, 10), c(50, 60),
               c(100, 100), c(1000, 1200), c(50000, 50000))) {
  for (d in c(0, 1e-3, 0.2, -1, 3, -10, 25)) {
    if (prod(n) > 1e8 && abs(d) > 3) next
    hedges[[length(hedges) + 1]] <- hedges_case(sprintf("n%d_%d_d%s", n[1], n[2], format(d)), n, d)
  }
}

res <- list(R = R.version.string, packages = list(effectsize = as.character(packageVersion("effectsize")),
                                                    jsonlite = as.character(packageVersion("jsonlite"))),
            hedges_g = hedges)
if (file.exists("tests/reference/stats/extreme_more.R")) source("tests/reference/stats/extreme_more.R")
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), out)
