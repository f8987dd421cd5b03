# Sourced by make_extreme.R (adds sections to `res`).  Kept separate only to keep each
# file readable; run make_extreme.R, never this file alone.

# ------------------------------------------------------------ odds ratio (2 x 2)
# fisher.test's conditional MLE and exact CI use uniroot at its default tolerance;
# tight_* re-solve the same noncentral-hypergeometric equations on the log-OR scale
# with uniroot(tol = 1e-12).
or_tight <- function(tab, conf = 0.95) {
  x <- tab[1, 1]; m <- sum(tab[, 1]); n <- sum(tab[, 2]); k <- sum(tab[1, ])
  lo <- max(0, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dn <- function(lor) { d <- logdc + lor * support; d <- d - max(d); exp(d) / sum(exp(d)) }
  mn <- function(lor) sum(support * dn(lor))
  pn <- function(q, lor, upper) { d <- dn(lor); if (upper) sum(d[support >= q]) else sum(d[support <= q]) }
  big <- 60
  est <- if (x == lo) 0 else if (x == hi) Inf else exp(uniroot(function(l) mn(l) - x, c(-big, big), tol = 1e-12)$root)
  a <- (1 - conf) / 2
  low <- if (x == lo) 0 else exp(uniroot(function(l) pn(x, l, TRUE) - a, c(-big, big), tol = 1e-12)$root)
  upp <- if (x == hi) Inf else exp(uniroot(function(l) pn(x, l, FALSE) - a, c(-big, big), tol = 1e-12)$root)
  c(est, low, upp)
}
or_tabs <- list(
  zero_a = c(0, 20, 30, 25), zero_b = c(12, 0, 7, 9), zero_c = c(5, 9, 0, 14), zero_d = c(8, 3, 6, 0),
  zero_two = c(0, 10, 10, 0), zero_small = c(0, 1, 2, 1), one_each = c(1, 1, 1, 1), n3 = c(1, 0, 1, 1),
  null_small = c(3, 3, 3, 3), near1_n1e5 = c(25000, 25010, 24990, 25000), strong_n1e5 = c(45000, 5000, 5000, 45000),
  strong_n200 = c(95, 5, 4, 96), near0_n400 = c(100, 100, 101, 99), lopsided = c(1, 500, 40, 460),
  zero_n1e5 = c(0, 50000, 40, 49960))
odds <- list()
for (nm in names(or_tabs)) {
  tab <- matrix(or_tabs[[nm]], 2, 2, byrow = TRUE)
  ft <- fisher.test(tab)
  tg <- or_tight(tab)
  odds[[length(odds) + 1]] <- list(case = nm, table = lapply(1:2, function(i) tab[i, ]),
    fisher_estimate = one(ft$estimate), fisher_ci = num(ft$conf.int), fisher_p = one(ft$p.value),
    tight_estimate = one(tg[1]), tight_ci = num(tg[2:3]))
}
res$odds_ratio <- odds
