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

# ------------------------------------------------------------ one-way ANOVA (oneway.test)
set.seed(11)
anova_sets <- list(
  PlantGrowth = split(PlantGrowth$weight, PlantGrowth$group),
  InsectSprays = split(InsectSprays$count, InsectSprays$spray),
  chickwts = split(chickwts$weight, chickwts$feed),
  iris_sepal = split(iris$Sepal.Length, iris$Species),
  sim_unequal = list(a = rnorm(5, 0, 1), b = rnorm(40, 0.5, 4), c = rnorm(12, 1, 0.3)),
  sim_n2 = list(a = c(1.2, 1.9), b = c(3.1, 2.2), c = c(0.4, 0.5, 0.9)),
  sim_huge = list(a = rnorm(30000, 0, 1), b = rnorm(40000, 0.01, 2), c = rnorm(30000, 0, 1.5)),
  sim_separated = list(a = rnorm(20, 0, 1), b = rnorm(25, 30, 1), c = rnorm(15, 60, 2), d = rnorm(10, 90, 0.5)))
anova <- list()
for (nm in names(anova_sets)) {
  xs <- anova_sets[[nm]]
  y <- unlist(xs); g <- factor(rep(names(xs), lengths(xs)), levels = names(xs))
  for (ve in c(FALSE, TRUE)) {
    o <- oneway.test(y ~ g, var.equal = ve)
    anova[[length(anova) + 1]] <- list(case = nm, var_equal = ve,
      means = num(sapply(xs, mean)), sds = num(sapply(xs, sd)), ns = as.integer(lengths(xs)),
      statistic = one(o$statistic), df1 = one(o$parameter[1]), df2 = one(o$parameter[2]),
      p_value = one(o$p.value), method = o$method)
  }
}
res$anova <- anova

# ------------------------------------------------------------ Fisher-Freeman-Halton, small p
# 4 x 3 tables with n = 200 (numpy default_rng(5) multinomial draws, written out here);
# serostudy's old enumeration was off by a factor 2.5 at p ~ 1e-19 (issue 9 finding 2).
ffh_tabs <- list(
  c(47, 18, 20, 12, 0, 13, 9, 3, 3, 20, 31, 24),
  c(22, 1, 36, 0, 46, 22, 2, 15, 21, 13, 6, 16),
  c(21, 7, 4, 43, 19, 24, 2, 19, 12, 2, 22, 25),
  c(4, 31, 49, 8, 16, 7, 23, 21, 20, 0, 17, 4))
ffh <- list()
for (i in seq_along(ffh_tabs)) {
  tab <- matrix(ffh_tabs[[i]], 4, 3, byrow = TRUE)
  ffh[[i]] <- list(case = sprintf("ffh_4x3_n200_%d", i), table = lapply(1:4, function(r) tab[r, ]),
                   p_value = fisher.test(tab, workspace = 2e8)$p.value)
}
res$fisher_rxc <- ffh

# ------------------------------------------------------------ Kendall's tau (cor.test)
set.seed(13)
kx <- list(
  n5 = list(x = c(1.2, 3.4, 2.2, 5.1, 4.0), y = c(2.5, 6.1, 7.3, 5.5, 6.8)),
  n10_perfect = list(x = 1:10, y = (1:10) * 2),
  n10_reverse = list(x = 1:10, y = 10:1),
  n30 = local({ x <- round(rnorm(30), 4); list(x = x, y = round(0.4 * x + rnorm(30), 4)) }),
  n49 = local({ x <- round(rnorm(49), 4); list(x = x, y = round(-0.2 * x + rnorm(49), 4)) }),
  n50 = local({ x <- round(rnorm(50), 4); list(x = x, y = round(0.1 * x + rnorm(50), 4)) }),
  n12_ties = list(x = c(1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8), y = c(2, 1, 3, 3, 5, 4, 6, 6, 8, 7, 9, 9)),
  n300_ties = local({ x <- sample(1:6, 300, TRUE); list(x = x, y = pmin(7, x + sample(0:2, 300, TRUE))) }),
  n2000 = local({ x <- round(rnorm(2000), 5); list(x = x, y = round(0.05 * x + rnorm(2000), 5)) }),
  n8_null = list(x = c(3, 1, 4, 1.5, 5, 9, 2, 6), y = c(2, 7, 1, 8, 2.8, 1.8, 2.9, 4.5)))
kendall <- list()
for (nm in names(kx)) for (alt in c("two.sided", "less", "greater")) {
  ct <- suppressWarnings(cor.test(kx[[nm]]$x, kx[[nm]]$y, method = "kendall", alternative = alt))
  kendall[[length(kendall) + 1]] <- list(case = nm, alternative = alt, x = num(kx[[nm]]$x), y = num(kx[[nm]]$y),
    estimate = one(ct$estimate), statistic = one(ct$statistic), statistic_name = names(ct$statistic),
    p_value = one(ct$p.value))
}
res$kendall <- kendall

# ------------------------------------------------------------ Cramér's V (effectsize)
# tight_*: pchisq(chi, df, ncp) = p solved with uniroot(tol ~ 1e-13), mapped to V with
# effectsize's formula (adjust: Bergsma's bias correction).
ncp_tight <- function(chi, df, p) {
  f <- function(ncp) pchisq(chi, df, ncp) - p
  if (f(0) <= 0) return(0)
  hi <- max(1, 2 * chi + 10 * sqrt(df + chi))
  while (f(hi) > 0) hi <- hi * 2
  uniroot(f, c(0, hi), tol = 1e-13 * max(1, chi))$root
}
v_tabs <- list(
  weak_3x4_n600 = c(50, 51, 50, 49, 50, 49, 50, 51, 50, 50, 50, 50),
  null_2x3_n6 = c(1, 1, 1, 1, 1, 1), tiny_2x3_n3 = c(1, 0, 1, 0, 1, 0),
  moderate_3x3_n90 = c(15, 8, 7, 5, 14, 11, 10, 8, 12),
  strong_3x3_n300 = c(90, 5, 5, 5, 90, 5, 5, 5, 90),
  perfect_2x3_n60 = c(20, 0, 0, 0, 20, 20),
  weak_4x5_n1e5 = c(5000, 5010, 4990, 5000, 5005, 4995, 5000, 5000, 5000, 5000, 5000, 5002, 4998, 5000, 5000, 5000, 5000, 5000, 5010, 4990),
  strong_2x4_n1e5 = c(20000, 5000, 5000, 20000, 5000, 20000, 20000, 5000),
  near_perfect_3x3_n3000 = c(999, 1, 0, 0, 999, 1, 1, 0, 999))
v_shapes <- list(weak_3x4_n600 = c(3, 4), null_2x3_n6 = c(2, 3), tiny_2x3_n3 = c(2, 3), moderate_3x3_n90 = c(3, 3),
                 strong_3x3_n300 = c(3, 3), perfect_2x3_n60 = c(2, 3), weak_4x5_n1e5 = c(4, 5),
                 strong_2x4_n1e5 = c(2, 4), near_perfect_3x3_n3000 = c(3, 3))
cramer <- list()
for (nm in names(v_tabs)) {
  sh <- v_shapes[[nm]]
  tab <- matrix(v_tabs[[nm]], sh[1], sh[2], byrow = TRUE)
  chi <- unname(suppressWarnings(chisq.test(tab, correct = FALSE))$statistic)
  n <- sum(tab); df <- (sh[1] - 1) * (sh[2] - 1)
  nl <- ncp_tight(chi, df, 0.975); nh <- ncp_tight(chi, df, 0.025)
  for (adj in c(TRUE, FALSE)) {
    k <- if (adj) sh[1] - (sh[1] - 1)^2 / (n - 1) else sh[1]
    l <- if (adj) sh[2] - (sh[2] - 1)^2 / (n - 1) else sh[2]
    tov <- function(x) { ph <- x / n; if (adj) ph <- max(0, ph - df / (n - 1)); min(1, sqrt(ph / (min(k, l) - 1))) }
    es <- tryCatch(suppressWarnings(cramers_v(tab, adjust = adj, ci = 0.95, alternative = "two.sided")), error = function(e) NULL)
    cramer[[length(cramer) + 1]] <- list(case = nm, adjust = adj, table = lapply(1:sh[1], function(i) tab[i, ]),
      chi = chi, estimate = if (min(k, l) > 1) tov(chi) else NULL,
      tight_ci = if (min(k, l) > 1) num(c(tov(nl), tov(nh))) else NULL,
      effectsize_estimate = if (is.null(es)) NULL else one(es[[1]]),
      effectsize_ci = if (is.null(es)) NULL else num(c(es$CI_low, es$CI_high)))
  }
}
res$cramers_v <- cramer

# ------------------------------------------------------------ Hodges-Lehmann (wilcox.test)
set.seed(17)
hl_sets <- list(
  n3_3 = list(x = c(1.1, 2.3, 3.7), y = c(0.2, 1.9, 2.8)),
  n5_4_sep = list(x = c(10.1, 11.4, 12.2, 13.8, 14.5), y = c(1.2, 2.5, 0.7, 3.3)),
  n12_15_null = list(x = round(rnorm(12), 4), y = round(rnorm(15), 4)),
  n40_45_shift = list(x = round(rnorm(40, 1e-3), 5), y = round(rnorm(45), 5)),
  n60_70_huge = list(x = round(rnorm(60, 1e4), 3), y = round(rnorm(70), 3)),
  n300_250 = list(x = round(rnorm(300, 0.05), 5), y = round(rnorm(250), 5)),
  # n = 1e5 without storing 1e5 numbers: integer sequences both R and Python build exactly
  n50000_50000_modular = list(x = ((1:50000) * 7919) %% 100003, y = ((1:50000) * 104729) %% 100003 - 1000))
hl <- list()
for (nm in names(hl_sets)) {
  w <- suppressWarnings(wilcox.test(hl_sets[[nm]]$x, hl_sets[[nm]]$y, conf.int = TRUE))
  big <- grepl("modular", nm)
  hl[[length(hl) + 1]] <- list(case = nm, x = if (big) NULL else num(hl_sets[[nm]]$x), y = if (big) NULL else num(hl_sets[[nm]]$y),
    generator = if (big) "x = (1:50000 * 7919) mod 100003; y = (1:50000 * 104729) mod 100003 - 1000" else NULL,
    exact = grepl("exact", w$method) || (length(hl_sets[[nm]]$x) < 50 && length(hl_sets[[nm]]$y) < 50),
    statistic = one(w$statistic), p_value = one(w$p.value), estimate = one(w$estimate), ci = num(w$conf.int), method = w$method)
}
res$hodges_lehmann <- hl

# ------------------------------------------------------------ Pearson r CI (cor.test)
set.seed(19)
pear <- list()
for (n in c(4, 10, 100, 10000, 100000)) for (rho in c(0, 1e-3, 0.5, -0.99, 0.99999)) {
  x <- rnorm(n); y <- rho * x + sqrt(1 - rho^2) * rnorm(n)
  ct <- cor.test(x, y)
  pear[[length(pear) + 1]] <- list(case = sprintf("n%d_rho%s", n, format(rho)), r = one(ct$estimate), n = n,
    ci = num(ct$conf.int), p_value = one(ct$p.value))
}
res$pearson_ci <- pear
