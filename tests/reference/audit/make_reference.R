# Reference values for serostudy.audit, computed with R.
# Run from the repository root:  Rscript tests/reference/audit/make_reference.R
# Writes CSV files beside this script; every row records R's version.
out <- function(name) file.path("tests/reference/audit", name)
rv <- R.version.string

# Data with an exact sample mean and SD (what a paper's summary describes).
with_stats <- function(m, s, n, seed) {
  set.seed(seed)
  z <- rnorm(n)
  m + s * (z - mean(z)) / sd(z)
}

# --- two-sample t-tests from summaries (t.test with a formula on such data) --------
tt_cases <- data.frame(
  case = c("seed_age", "seed_b12", "seed_b12_sex_nmosd", "seed_b12_sex_control", "small", "neg_big"),
  m1 = c(42.1, 55.4, 53.3, 54.3, 2.13, 10.2),
  s1 = c(12.1, 29.7, 24.2, 25.1, 1.05, 3.1),
  n1 = c(35, 35, 12, 20, 8, 15),
  m2 = c(46.1, 59.3, 56.6, 62.7, 3.40, 13.9),
  s2 = c(16.2, 37.2, 23.7, 28.7, 1.60, 4.4),
  n2 = c(53, 53, 23, 33, 11, 14)
)
rows <- list()
for (i in seq_len(nrow(tt_cases))) {
  cc <- tt_cases[i, ]
  d <- data.frame(
    y = c(with_stats(cc$m1, cc$s1, cc$n1, 1), with_stats(cc$m2, cc$s2, cc$n2, 2)),
    g = factor(rep(c("a", "b"), c(cc$n1, cc$n2)))
  )
  for (ve in c(TRUE, FALSE)) for (alt in c("two.sided", "less", "greater")) {
    r <- t.test(y ~ g, data = d, var.equal = ve, alternative = alt)
    rows[[length(rows) + 1]] <- data.frame(
      case = cc$case, m1 = cc$m1, s1 = cc$s1, n1 = cc$n1, m2 = cc$m2, s2 = cc$s2, n2 = cc$n2,
      var_equal = ve, alternative = alt, statistic = unname(r$statistic),
      df = unname(r$parameter), p = r$p.value, r_version = rv)
  }
}
write.csv(do.call(rbind, rows), out("ttest.csv"), row.names = FALSE)

# --- one-way ANOVA from summaries ----------------------------------------------------
an <- list(m = c(10.1, 12.4, 11.0), s = c(2.3, 3.1, 2.8), n = c(12, 15, 10))
y <- unlist(lapply(1:3, function(k) with_stats(an$m[k], an$s[k], an$n[k], 10 + k)))
g <- factor(rep(1:3, an$n))
rows <- list()
for (ve in c(TRUE, FALSE)) {
  r <- oneway.test(y ~ g, var.equal = ve)
  rows[[length(rows) + 1]] <- data.frame(
    m = paste(an$m, collapse = ";"), s = paste(an$s, collapse = ";"), n = paste(an$n, collapse = ";"),
    var_equal = ve, statistic = unname(r$statistic), df1 = unname(r$parameter[1]),
    df2 = unname(r$parameter[2]), p = r$p.value, r_version = rv)
}
write.csv(do.call(rbind, rows), out("anova.csv"), row.names = FALSE)

# --- contingency tables -------------------------------------------------------------
tabs <- list(
  seed_sex = matrix(c(12, 23, 20, 33), nrow = 2, byrow = TRUE),
  seed_b12_category = matrix(c(1, 32, 1, 2, 45, 2), nrow = 2, byrow = TRUE),
  small_2x2 = matrix(c(3, 9, 8, 2), nrow = 2, byrow = TRUE),
  t2x3 = matrix(c(10, 5, 7, 4, 12, 9), nrow = 2, byrow = TRUE),
  t3x3 = matrix(c(6, 2, 4, 3, 8, 2, 1, 3, 9), nrow = 3, byrow = TRUE)
)
rows <- list()
for (nm in names(tabs)) {
  m <- tabs[[nm]]
  cells <- paste(as.vector(t(m)), collapse = ";")
  p0 <- suppressWarnings(chisq.test(m, correct = FALSE))
  p1 <- suppressWarnings(chisq.test(m, correct = TRUE))
  fi <- fisher.test(m)
  rows[[length(rows) + 1]] <- data.frame(
    case = nm, nrow = nrow(m), cells = cells,
    chi2 = unname(p0$statistic), p_chi2 = p0$p.value,
    chi2_yates = unname(p1$statistic), p_chi2_yates = p1$p.value,
    p_fisher = fi$p.value, r_version = rv)
}
write.csv(do.call(rbind, rows), out("contingency.csv"), row.names = FALSE)

# --- correlation p from r and n (cor.test on data with that exact r) --------------------
with_r <- function(r, n, seed) {
  set.seed(seed)
  x <- as.vector(scale(rnorm(n)))
  e <- rnorm(n)
  e <- resid(lm(e ~ x))
  e <- as.vector(e / sd(e))
  list(x = x, y = r * x + sqrt(1 - r^2) * e)
}
cases <- data.frame(r = c(-0.284, -0.238, 0.227, 0.07, 0.1, 0.03, 0.5, -0.61),
                    n = c(35, 35, 35, 35, 53, 35, 12, 20))
rows <- list()
for (i in seq_len(nrow(cases))) {
  d <- with_r(cases$r[i], cases$n[i], 100 + i)
  for (alt in c("two.sided", "less", "greater")) {
    ct <- cor.test(d$x, d$y, alternative = alt)
    rows[[length(rows) + 1]] <- data.frame(
      r = cases$r[i], n = cases$n[i], r_data = unname(ct$estimate), alternative = alt,
      statistic = unname(ct$statistic), p = ct$p.value, r_version = rv)
  }
}
write.csv(do.call(rbind, rows), out("correlation.csv"), row.names = FALSE)
