#!/usr/bin/env Rscript
# Reference values for serostudy.stats (tests/stats/).
#
# Run from the repository root:
#   Rscript tests/reference/stats/make_reference.R
# Writes tests/reference/stats/data/*.csv (the raw data, so Python reads exactly what R
# used) and tests/reference/stats/reference.json (inputs + R's results, R and package
# versions).  Every value comes from the R call named beside it; where R's own
# numerical tolerance is coarse (uniroot/optim), a tight re-solution of the same
# equation in R is written too ("tight_*"), computed from the definition with
# uniroot(tol = 1e-13).  (R warns "full precision may not have been achieved in
# 'pnt{final}'" while uniroot probes far-off noncentralities; the roots are unaffected.)
suppressPackageStartupMessages({
  library(jsonlite)
  library(effectsize)
})

out_dir <- "tests/reference/stats"
dat_dir <- file.path(out_dir, "data")
dir.create(dat_dir, showWarnings = FALSE, recursive = TRUE)

num <- function(v) {  # JSON-safe numbers: +-Inf as strings
  v <- as.numeric(v)
  lapply(v, function(z) if (is.na(z)) NULL else if (is.infinite(z)) (if (z > 0) "Inf" else "-Inf") else z)
}
one <- function(v) num(v)[[1]]

# ------------------------------------------------------------------ datasets
# simulated data, rounded so the CSV holds them exactly
set.seed(20250101)
sim_a  <- round(rnorm(12, 10, 2), 4)          # small, no ties
sim_b  <- round(rnorm(15, 12, 3), 4)
sim_c  <- round(rlnorm(40, 4, 0.6), 3)        # skewed (like B12)
sim_d  <- round(rlnorm(45, 4.1, 0.5), 3)
sim_e  <- round(rnorm(60, 0, 1), 4)           # n >= 50: normal approximation
sim_f  <- round(rnorm(70, 0.4, 1.5), 4)
sim_g  <- round(rnorm(3000, 0, 1), 5)         # large: n1 * n2 = 7.5e6 pairwise differences
sim_h  <- round(rnorm(2500, 0.05, 1.2), 5)
sim_i  <- sample(0:6, 25, replace = TRUE)     # heavy ties (count-like)
sim_j  <- sample(1:8, 30, replace = TRUE)
# correlation: B12-like exposure and ARR-like outcome in 35 patients
cor_x  <- round(rlnorm(35, 3.9, 0.5), 2)
cor_y  <- round(pmax(0, 1.2 - 0.01 * cor_x + rnorm(35, 0, 0.6)), 3)
cor_x7 <- round(rnorm(7), 4); cor_y7 <- round(cor_x7 + rnorm(7), 4)
cor_x9 <- round(rnorm(9), 4); cor_y9 <- round(-cor_x9 + rnorm(9), 4)
cor_x10 <- round(rnorm(10), 4); cor_y10 <- round(cor_x10 + rnorm(10, 0, 2), 4)
cor_xb <- round(rnorm(400), 5); cor_yb <- round(0.1 * cor_xb + rnorm(400), 5)

write_vec <- function(name, v) write.csv(data.frame(value = v), file.path(dat_dir, paste0(name, ".csv")), row.names = FALSE)
sims <- list(sim_a = sim_a, sim_b = sim_b, sim_c = sim_c, sim_d = sim_d, sim_e = sim_e,
             sim_f = sim_f, sim_g = sim_g, sim_h = sim_h, sim_i = sim_i, sim_j = sim_j,
             cor_x = cor_x, cor_y = cor_y, cor_x7 = cor_x7, cor_y7 = cor_y7,
             cor_x9 = cor_x9, cor_y9 = cor_y9, cor_x10 = cor_x10, cor_y10 = cor_y10,
             cor_xb = cor_xb, cor_yb = cor_yb)
for (nm in names(sims)) write_vec(nm, sims[[nm]])
write.csv(datasets::sleep, file.path(dat_dir, "sleep.csv"), row.names = FALSE)
write.csv(datasets::mtcars, file.path(dat_dir, "mtcars.csv"), row.names = TRUE)
write.csv(datasets::ToothGrowth, file.path(dat_dir, "toothgrowth.csv"), row.names = FALSE)
write.csv(datasets::airquality, file.path(dat_dir, "airquality.csv"), row.names = FALSE)

# data with exactly the seed paper's printed mean and SD (so summaries = printed values)
exact_ms <- function(n, m, s, seed) { set.seed(seed); z <- rnorm(n); m + s * (z - mean(z)) / sd(z) }

# vectors: (name -> list(x, y, source))
pairs <- list(
  seed_age   = list(x = exact_ms(35, 42.1, 12.1, 1), y = exact_ms(53, 46.1, 16.2, 2), src = "seed paper age: 42.1 +- 12.1 (35) vs 46.1 +- 16.2 (53)"),
  seed_b12   = list(x = exact_ms(35, 55.4, 29.7, 3), y = exact_ms(53, 59.3, 37.2, 4), src = "seed paper B12: 55.4 +- 29.7 vs 59.3 +- 37.2"),
  seed_b12_sex_nmosd = list(x = exact_ms(12, 53.3, 24.2, 5), y = exact_ms(23, 56.6, 23.7, 6), src = "seed paper B12 by sex, patients: men vs women"),
  sleep      = list(x = sleep$extra[sleep$group == "1"], y = sleep$extra[sleep$group == "2"], src = "sleep: extra by group (as independent samples)"),
  toothgrowth = list(x = ToothGrowth$len[ToothGrowth$supp == "OJ"], y = ToothGrowth$len[ToothGrowth$supp == "VC"], src = "ToothGrowth: len OJ vs VC"),
  mtcars_mpg_am = list(x = mtcars$mpg[mtcars$am == 1], y = mtcars$mpg[mtcars$am == 0], src = "mtcars: mpg manual vs automatic"),
  sim_ab     = list(x = sim_a, y = sim_b, src = "simulated normal, n 12 vs 15, no ties"),
  sim_cd     = list(x = sim_c, y = sim_d, src = "simulated lognormal, n 40 vs 45"),
  sim_ef     = list(x = sim_e, y = sim_f, src = "simulated normal, n 60 vs 70"),
  sim_ij     = list(x = sim_i, y = sim_j, src = "simulated integers with heavy ties")
)

vec_json <- lapply(pairs, function(p) list(x = num(p$x), y = num(p$y), source = p$src))

# ------------------------------------------------------------------ describe
describe <- list()
for (nm in c("airquality_ozone", "mtcars_mpg", "sim_c", "sim_i")) {
  v <- switch(nm, airquality_ozone = airquality$Ozone, mtcars_mpg = mtcars$mpg, sim_c = sim_c, sim_i = sim_i)
  w <- v[!is.na(v)]
  q <- quantile(w, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
  describe[[length(describe) + 1]] <- list(
    case = nm, x = num(v), call = "mean, sd, quantile(type = 7), min, max",
    n = length(w), missing = sum(is.na(v)), mean = mean(w), sd = sd(w),
    q1 = q[1], median = q[2], q3 = q[3], min = min(w), max = max(w))
}

# ------------------------------------------------------------------ t.test
alts <- c("two.sided", "less", "greater")
ttests <- list()
for (nm in names(pairs)) for (ve in c(FALSE, TRUE)) for (alt in alts) {
  p <- pairs[[nm]]
  r <- t.test(p$x, p$y, var.equal = ve, alternative = alt)
  ttests[[length(ttests) + 1]] <- list(
    case = nm, var_equal = ve, alternative = alt,
    call = sprintf("t.test(x, y, var.equal = %s, alternative = '%s')", ve, alt),
    mean1 = mean(p$x), sd1 = sd(p$x), n1 = length(p$x),
    mean2 = mean(p$y), sd2 = sd(p$y), n2 = length(p$y),
    statistic = unname(r$statistic), df = unname(r$parameter), p_value = r$p.value,
    estimate = unname(r$estimate[1] - r$estimate[2]),
    conf_low = one(r$conf.int[1]), conf_high = one(r$conf.int[2]), method = r$method)
}

# ------------------------------------------------------------------ wilcox.test
wilcox_pairs <- c("sleep", "toothgrowth", "mtcars_mpg_am", "sim_ab", "sim_cd", "sim_ef", "sim_ij")
wilcox <- list()
add_wilcox <- function(nm, x, y, exact, correct, alt) {
  r <- suppressWarnings(wilcox.test(x, y, alternative = alt, exact = exact, correct = correct, conf.int = TRUE))
  d <- sort(outer(x, y, "-"))
  wilcox[[length(wilcox) + 1]] <<- list(
    case = nm, exact = if (is.null(exact)) "auto" else exact, correct = correct, alternative = alt,
    call = sprintf("wilcox.test(x, y, alternative = '%s', exact = %s, correct = %s, conf.int = TRUE)",
                   alt, if (is.null(exact)) "NULL" else exact, correct),
    statistic = unname(r$statistic), p_value = r$p.value, method = r$method,
    estimate = unname(r$estimate), conf_low = one(r$conf.int[1]), conf_high = one(r$conf.int[2]),
    conf_level = attr(r$conf.int, "conf.level"), median_of_differences = median(d))
}
for (nm in wilcox_pairs) for (ex in list(NULL, TRUE, FALSE)) for (co in c(TRUE, FALSE)) for (alt in alts) {
  p <- pairs[[nm]]
  if (isTRUE(ex) && length(p$x) * length(p$y) > 20000) next
  add_wilcox(nm, p$x, p$y, ex, co, alt)
}
# large: 3000 vs 2500 (normal approximation; 7.5e6 pairwise differences)
for (alt in alts) add_wilcox("sim_gh", sim_g, sim_h, NULL, TRUE, alt)
vec_json$sim_gh <- list(x = num(sim_g), y = num(sim_h), source = "simulated normal, n 3000 vs 2500")

# ------------------------------------------------------------------ hedges_g
ncp_t_tight <- function(t, df, p) uniroot(function(ncp) pt(t, df, ncp) - p, c(t - 50, t + 50), tol = 1e-13)$root
hedges <- list()
for (nm in names(pairs)) for (alt in alts) {
  p <- pairs[[nm]]
  g <- hedges_g(p$x, p$y, ci = 0.95, alternative = alt)
  n1 <- length(p$x); n2 <- length(p$y); df <- n1 + n2 - 2
  sp <- sqrt(((n1 - 1) * var(p$x) + (n2 - 1) * var(p$y)) / df)
  d <- (mean(p$x) - mean(p$y)) / sp
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  hn <- 1 / n1 + 1 / n2
  t <- d / sqrt(hn)
  lev <- if (alt == "two.sided") 0.95 else 0.90
  lo <- ncp_t_tight(t, df, 1 - (1 - lev) / 2) * sqrt(hn) * J
  hi <- ncp_t_tight(t, df, (1 - lev) / 2) * sqrt(hn) * J
  if (alt == "less") lo <- -Inf
  if (alt == "greater") hi <- Inf
  hedges[[length(hedges) + 1]] <- list(
    case = nm, alternative = alt, call = sprintf("effectsize::hedges_g(x, y, ci = 0.95, alternative = '%s')", alt),
    mean1 = mean(p$x), sd1 = sd(p$x), n1 = n1, mean2 = mean(p$y), sd2 = sd(p$y), n2 = n2,
    estimate = g$Hedges_g, conf_low = one(g$CI_low), conf_high = one(g$CI_high),
    tight_conf_low = one(lo), tight_conf_high = one(hi))
}

# ------------------------------------------------------------------ tables
tables <- list(
  seed_sex = matrix(c(12, 23, 20, 33), 2, dimnames = list(c("male", "female"), c("nmosd", "control"))),
  seed_b12_category = matrix(c(1, 32, 1, 2, 45, 2), 3, dimnames = list(c("low", "normal", "high"), c("nmosd", "control"))),
  tea = matrix(c(3, 1, 1, 3), 2),
  zero_cell = matrix(c(0, 6, 5, 2), 2),
  mtcars_vs_am = unclass(table(mtcars$vs, mtcars$am)),
  mtcars_cyl_am = unclass(table(mtcars$cyl, mtcars$am)),
  mtcars_gear_am = unclass(table(mtcars$gear, mtcars$am)),
  mtcars_cyl_gear = unclass(table(mtcars$cyl, mtcars$gear)),
  big_2x2 = matrix(c(45, 30, 25, 50), 2),
  sim_3x2_n100 = matrix(c(20, 15, 13, 18, 22, 12), 3),
  sim_4x3_n200 = matrix(c(10, 7, 9, 30, 5, 12, 9, 40, 8, 3, 20, 47), 4),
  sim_5x2 = matrix(c(3, 8, 12, 6, 1, 5, 4, 15, 9, 2), 5),
  sim_3x3_n150 = matrix(c(20, 18, 10, 15, 22, 17, 12, 16, 20), 3),
  sim_5x3_n90 = matrix(c(5, 7, 9, 4, 6, 8, 4, 3, 8, 5, 3, 6, 5, 7, 10), 5)   # exact path loops over one column
)
tab_json <- lapply(tables, function(m) lapply(seq_len(nrow(m)), function(i) as.numeric(m[i, ])))

chisq <- list()
for (nm in names(tables)) for (co in c(FALSE, TRUE)) {
  r <- suppressWarnings(chisq.test(tables[[nm]], correct = co))
  chisq[[length(chisq) + 1]] <- list(case = nm, correct = co,
    call = sprintf("chisq.test(table, correct = %s)", co),
    statistic = unname(r$statistic), df = unname(r$parameter), p_value = r$p.value, method = r$method)
}

# conditional MLE odds ratio and exact CI from the definition, solved tightly
tight_or <- function(m, conf = 0.95, alt = "two.sided") {
  x <- m[1, 1]; mm <- sum(m[, 1]); nn <- sum(m[, 2]); k <- sum(m[1, ])
  lo <- max(0, k - nn); hi <- min(k, mm); support <- lo:hi
  logdc <- dhyper(support, mm, nn, k, log = TRUE)
  dn <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mn <- function(ncp) if (ncp == 0) lo else if (ncp == Inf) hi else sum(support * dn(ncp))
  pn <- function(q, ncp, upper = FALSE) {
    if (ncp == 1) return(if (upper) phyper(q - 1, mm, nn, k, lower.tail = FALSE) else phyper(q, mm, nn, k))
    if (ncp == 0) return(as.numeric(if (upper) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper) q <= hi else q >= hi))
    sum(dn(ncp)[if (upper) support >= q else support <= q])
  }
  # solve on the log scale for precision
  est <- if (x == lo) 0 else if (x == hi) Inf else exp(uniroot(function(l) mn(exp(l)) - x, c(-50, 50), tol = 1e-13)$root)
  ncp_u <- function(a) if (x == hi) Inf else exp(uniroot(function(l) pn(x, exp(l)) - a, c(-50, 50), tol = 1e-13)$root)
  ncp_l <- function(a) if (x == lo) 0 else exp(uniroot(function(l) pn(x, exp(l), upper = TRUE) - a, c(-50, 50), tol = 1e-13)$root)
  ci <- switch(alt, two.sided = c(ncp_l((1 - conf) / 2), ncp_u((1 - conf) / 2)),
               less = c(0, ncp_u(1 - conf)), greater = c(ncp_l(1 - conf), Inf))
  c(est, ci)
}
fisher <- list()
for (nm in names(tables)) {
  m <- tables[[nm]]
  if (all(dim(m) == 2)) {
    for (alt in alts) {
      r <- fisher.test(m, alternative = alt)
      tt <- tight_or(m, 0.95, alt)
      a <- m[1, 1]; b <- m[1, 2]; c <- m[2, 1]; d <- m[2, 2]
      woolf <- if (all(m > 0)) {
        lor <- log(a * d / (b * c)); se <- sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        c(exp(lor), exp(lor - qnorm(0.975) * se), exp(lor + qnorm(0.975) * se))
      } else c(NA, NA, NA)
      fisher[[length(fisher) + 1]] <- list(case = nm, alternative = alt,
        call = sprintf("fisher.test(table, alternative = '%s')", alt),
        p_value = r$p.value, estimate = one(r$estimate), conf_low = one(r$conf.int[1]), conf_high = one(r$conf.int[2]),
        tight_estimate = one(tt[1]), tight_conf_low = one(tt[2]), tight_conf_high = one(tt[3]),
        sample_or = one(woolf[1]), woolf_low = one(woolf[2]), woolf_high = one(woolf[3]),
        woolf_call = "exp(log(ad/bc) +- qnorm(0.975) sqrt(1/a + 1/b + 1/c + 1/d))")
    }
  } else {
    r <- fisher.test(m, workspace = 2e8)
    fisher[[length(fisher) + 1]] <- list(case = nm, alternative = "two.sided",
      call = "fisher.test(table, workspace = 2e8)", p_value = r$p.value)
  }
}

# ------------------------------------------------------------------ cramers_v
ncp_chi_tight <- function(chi, df, p) {
  f <- function(ncp) pchisq(chi, df, ncp) - p
  if (f(0) <= 0) return(0)
  uniroot(f, c(0, max(10, 10 * chi)), tol = 1e-13, extendInt = "downX")$root
}
cramer <- list()
for (nm in names(tables)) for (adj in c(FALSE, TRUE)) for (alt in c("two.sided", "greater")) {
  m <- tables[[nm]]
  v <- cramers_v(m, adjust = adj, ci = 0.95, alternative = alt)
  n <- sum(m); r <- nrow(m); k <- ncol(m); df <- (r - 1) * (k - 1)
  e <- outer(rowSums(m), colSums(m)) / n; chi <- sum((m - e)^2 / e)
  lev <- if (alt == "two.sided") 0.95 else 0.90
  nl <- ncp_chi_tight(chi, df, 1 - (1 - lev) / 2); nh <- ncp_chi_tight(chi, df, (1 - lev) / 2)
  kk <- if (adj) r - (r - 1)^2 / (n - 1) else r; ll <- if (adj) k - (k - 1)^2 / (n - 1) else k
  tov <- function(x) { p2 <- x / n; if (adj) p2 <- max(0, p2 - df / (n - 1)); sqrt(p2) / sqrt(min(kk, ll) - 1) }
  hi <- if (alt == "greater") 1 else min(1, tov(nh))
  # how well effectsize's optim solved its own equation: P(X <= chi; ncp) at its upper bound
  # (target (1 - level) / 2); inverts tov() for the bound effectsize printed
  fromv <- function(V) { p2 <- (V * sqrt(min(kk, ll) - 1))^2; if (adj && V > 0) p2 <- p2 + df / (n - 1); p2 * n }
  es_prob_high <- if (alt == "two.sided" && v$CI_high > 0 && v$CI_high < 1) pchisq(chi, df, fromv(v$CI_high)) else NA
  cramer[[length(cramer) + 1]] <- list(case = nm, adjust = adj, alternative = alt,
    call = sprintf("effectsize::cramers_v(table, adjust = %s, ci = 0.95, alternative = '%s')", adj, alt),
    estimate = v[[1]], conf_low = v$CI_low, conf_high = v$CI_high,
    tight_conf_low = tov(nl), tight_conf_high = hi,
    effectsize_upper_tail_prob = one(es_prob_high), target_upper_tail_prob = (1 - lev) / 2)
}

# ------------------------------------------------------------------ cor.test
cor_pairs <- list(
  mtcars_mpg_wt = list(x = mtcars$mpg, y = mtcars$wt),
  airquality_ozone_temp = list(x = airquality$Ozone, y = airquality$Temp),
  airquality_ozone_solar = list(x = airquality$Ozone, y = airquality$Solar.R),
  b12_arr_sim = list(x = cor_x, y = cor_y),
  sim_n7 = list(x = cor_x7, y = cor_y7),
  sim_n9 = list(x = cor_x9, y = cor_y9),
  sim_n10 = list(x = cor_x10, y = cor_y10),
  sim_n400 = list(x = cor_xb, y = cor_yb)
)
cor_json <- lapply(cor_pairs, function(p) list(x = num(p$x), y = num(p$y)))
cors <- list()
for (nm in names(cor_pairs)) for (meth in c("pearson", "spearman")) for (alt in alts) {
  p <- cor_pairs[[nm]]
  r <- suppressWarnings(cor.test(p$x, p$y, method = meth, alternative = alt))
  ok <- complete.cases(p$x, p$y); n <- sum(ok)
  est <- unname(r$estimate)
  z <- atanh(est); se <- 1 / sqrt(n - 3)
  fz <- switch(alt, two.sided = tanh(z + c(-1, 1) * qnorm(0.975) * se),
               less = c(-1, tanh(z + qnorm(0.95) * se)), greater = c(tanh(z - qnorm(0.95) * se), 1))
  ties <- any(duplicated(p$x[ok])) || any(duplicated(p$y[ok]))
  cors[[length(cors) + 1]] <- list(case = nm, method = meth, alternative = alt,
    call = sprintf("cor.test(x, y, method = '%s', alternative = '%s')", meth, alt),
    n = n, ties = ties, estimate = est, statistic = unname(r$statistic), p_value = r$p.value,
    conf_low = if (meth == "pearson") r$conf.int[1] else NULL,
    conf_high = if (meth == "pearson") r$conf.int[2] else NULL,
    fisher_z_low = fz[1], fisher_z_high = fz[2],
    fisher_z_call = "tanh(atanh(r) +- qnorm(q) / sqrt(n - 3))")
}

# ------------------------------------------------------------------ SMD (tableone's formulas)
smd <- list()
for (nm in c("seed_age", "seed_b12", "sleep", "sim_cd")) {
  p <- pairs[[nm]]
  smd[[length(smd) + 1]] <- list(case = nm, kind = "continuous",
    call = "(mean1 - mean2) / sqrt((sd1^2 + sd2^2) / 2)  [tableone:::StdDiff]",
    mean1 = mean(p$x), sd1 = sd(p$x), mean2 = mean(p$y), sd2 = sd(p$y),
    smd = (mean(p$x) - mean(p$y)) / sqrt((sd(p$x)^2 + sd(p$y)^2) / 2))
}
yang_dalton <- function(m) {  # rows = levels, cols = 2 groups
  p1 <- m[, 1] / sum(m[, 1]); p2 <- m[, 2] / sum(m[, 2])
  T <- (p1 - p2)[-1]
  S1 <- -outer(p1[-1], p1[-1]); diag(S1) <- p1[-1] * (1 - p1[-1])
  S2 <- -outer(p2[-1], p2[-1]); diag(S2) <- p2[-1] * (1 - p2[-1])
  S <- (S1 + S2) / 2
  sqrt(drop(t(T) %*% MASS::ginv(S) %*% T))
}
for (nm in c("seed_sex", "seed_b12_category", "mtcars_cyl_am", "mtcars_gear_am", "sim_5x2")) {
  smd[[length(smd) + 1]] <- list(case = nm, kind = "categorical",
    call = "Yang & Dalton (2012): sqrt(T' S^-1 T), S = mean of multinomial covariances (tableone:::StdDiffMulti)",
    smd = yang_dalton(tables[[nm]]))
}

ref <- list(
  r_version = R.version.string,
  packages = list(effectsize = as.character(packageVersion("effectsize")),
                  jsonlite = as.character(packageVersion("jsonlite")),
                  MASS = as.character(packageVersion("MASS")),
                  stats = as.character(packageVersion("stats"))),
  generated_by = "tests/reference/stats/make_reference.R",
  effectsize_defaults = list(cramers_v_adjust = formals(effectsize::cramers_v)$adjust,
                             cramers_v_alternative = formals(effectsize::cramers_v)$alternative),
  vectors = vec_json, tables = tab_json, cor_vectors = cor_json,
  describe = describe, ttest = ttests, wilcox = wilcox, hedges_g = hedges,
  chisq = chisq, fisher = fisher, cramers_v = cramer, cor = cors, smd = smd)
write_json(ref, file.path(out_dir, "reference.json"), auto_unbox = TRUE, digits = NA, null = "null", na = "null")
cat("wrote", file.path(out_dir, "reference.json"), "\n")
