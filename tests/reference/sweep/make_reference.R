# Real-data sweep references (issue 9, "Build the defences" 1).
#
#   Rscript tests/reference/sweep/make_reference.R
#
# 1. Exports R datasets (base R, MASS, survival) to data/r_<name>.csv.
#    (data/sm_<name>.csv are written first by export_statsmodels.py, so R reads the
#    very bytes the Python tests read.)
# 2. Reads every data/*.csv as serostudy.read_data_frame does (cells "", NA, N/A, na,
#    ., NaN and blank are missing; a column whose every non-missing cell is a number is
#    numeric) and infers each column's type as serostudy.table1 does (text, and numeric
#    columns with at most 10 distinct whole numbers, are categorical).
# 3. For every grouping column with 2 to 8 levels, computes what Table 1 reports, in
#    three variants ("welch": the default policy, "student", "nonnormal": every
#    continuous column as median [Q1, Q3] with Mann-Whitney / Kruskal-Wallis), and for
#    every level of that column a Table 2 (within the group: the first numeric column
#    as exposure, correlated with every other numeric column).
# 4. Writes ref/<dataset>.json: one record per line,
#    [variable, statistic, group, level, term, estimate, ci_low, ci_high, pvalue, df, flag]
#    (null = NA; "Inf"/"-Inf" as strings).  flag: "" or a reason the Python side must
#    compare that record differently (see tests/sweep/_sweep.py).
#
# Every number comes from base R / MASS (t.test, oneway.test, wilcox.test,
# kruskal.test, chisq.test, fisher.test, cor.test, quantile(type = 7), pt, pchisq) or
# from the published formula solved tightly in R where R's own function stops early
# (Hedges' g and Cramer's V noncentrality bounds: uniroot tol 1e-13 instead of
# effectsize's optim; conditional odds ratio: fisher.test's equations solved with
# uniroot tol 1e-13 instead of its default tol; Hodges-Lehmann bound under the normal
# approximation: wilcox.test's uniroot root (tol 1e-4) moved to the pairwise difference
# it approximates, i.e. the jump of wilcox.test's own step function).
suppressPackageStartupMessages({
  library(MASS)
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
data_dir <- file.path(here, "data")
ref_dir <- file.path(here, "ref")
dir.create(data_dir, showWarnings = FALSE)
dir.create(ref_dir, showWarnings = FALSE)
only <- Sys.getenv("SWEEP_ONLY", "")
shard <- Sys.getenv("SWEEP_SHARD", "")  # "i/n": only every n-th dataset (parallel runs)
if (nzchar(shard)) { shard_i <- as.integer(sub("/.*", "", shard)); shard_n <- as.integer(sub(".*/", "", shard)) }

# ------------------------------------------------------------------ 1. R datasets
rdata <- list(
  mtcars = mtcars, iris = iris, ToothGrowth = ToothGrowth, warpbreaks = warpbreaks,
  esoph = esoph, infert = infert, airquality = airquality, CO2 = as.data.frame(CO2),
  PlantGrowth = PlantGrowth, chickwts = chickwts, sleep = sleep, InsectSprays = InsectSprays,
  npk = npk, ChickWeight = as.data.frame(ChickWeight), swiss = swiss, trees = trees,
  faithful = faithful, attitude = attitude, OrchardSprays = OrchardSprays,
  Puromycin = Puromycin, morley = morley, quakes = quakes, stackloss = stackloss,
  birthwt = MASS::birthwt, Pima.tr = MASS::Pima.tr, Pima.te = MASS::Pima.te, quine = MASS::quine,
  survey = MASS::survey, cats = MASS::cats, anorexia = MASS::anorexia, Melanoma = MASS::Melanoma,
  UScereal = MASS::UScereal, crabs = MASS::crabs, biopsy = MASS::biopsy[, -1], Cars93 = MASS::Cars93[, !(names(MASS::Cars93) %in% c("Model", "Make"))],
  minn38 = MASS::minn38, housing = MASS::housing, genotype = MASS::genotype,
  lung = survival::lung, pbc = survival::pbc, veteran = survival::veteran,
  ovarian = survival::ovarian, colon = survival::colon, heart_jasa = survival::jasa[, c(3:8, 10:14)],
  retinopathy = survival::retinopathy, cgd = survival::cgd0[, 2:12]
)
for (nm in names(rdata)) {
  d <- rdata[[nm]]
  for (c in names(d)) if (inherits(d[[c]], "Date")) d[[c]] <- as.numeric(d[[c]])
  write.csv(d, file.path(data_dir, paste0("r_", nm, ".csv")), row.names = FALSE, na = "NA",
            fileEncoding = "UTF-8")
}

# ------------------------------------------------------------------ 2. reading, types
NA_STRINGS <- c("", "NA", "N/A", "na", ".", "NaN")

read_sweep <- function(path) {
  raw <- read.csv(path, colClasses = "character", na.strings = character(0), check.names = FALSE,
                  encoding = "UTF-8", strip.white = FALSE, quote = "\"")
  names(raw) <- trimws(names(raw))
  out <- list()
  text <- list()
  for (c in names(raw)) {
    v <- raw[[c]]
    v[v %in% NA_STRINGS | trimws(v) == ""] <- NA
    num <- suppressWarnings(as.numeric(v))
    if (any(!is.na(v)) && all(is.na(num) == is.na(v))) {
      out[[c]] <- num
      text[[c]] <- v  # the cell text, for labels of non-whole numbers (Python str(float))
    } else {
      out[[c]] <- v
    }
  }
  list(data = as.data.frame(out, check.names = FALSE, stringsAsFactors = FALSE), text = text)
}

infer_kind <- function(v) {
  if (is.character(v)) return("categorical")
  u <- unique(v[!is.na(v)])
  if (all(u %% 1 == 0) && length(u) <= 10) "categorical" else "continuous"
}

# Python's text of a value: str(int(v)) for whole floats, str(float) otherwise.
labels_of <- function(v, text) {
  if (is.character(v)) return(v)
  out <- text
  whole <- !is.na(v) & v %% 1 == 0
  out[whole] <- sprintf("%.0f", v[whole])
  out[is.na(v)] <- NA
  out
}

sorted_levels <- function(v, lab) {
  ok <- !is.na(v)
  if (is.character(v)) return(sort(unique(lab[ok]), method = "radix"))
  u <- !duplicated(v[ok])
  vals <- v[ok][u]
  labs <- lab[ok][u]
  labs[order(vals)]
}

# ------------------------------------------------------------------ records
recs <- NULL
nrec <- 0L
js <- function(s) if (is.null(s) || length(s) == 0 || is.na(s)) "null" else as.character(toJSON(s, auto_unbox = TRUE))
jn <- function(x) {
  if (is.null(x) || length(x) == 0 || is.na(x)) return("null")
  if (is.infinite(x)) return(if (x > 0) "\"Inf\"" else "\"-Inf\"")
  sprintf("%.17g", x)
}
rec <- function(var, stat, group = NULL, level = NULL, term = NULL, est = NA, lo = NA, hi = NA, p = NA,
                df = NA, flag = "") {
  nrec <<- nrec + 1L
  recs[[nrec]] <<- sprintf("[%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s]", js(var), js(stat), js(group), js(level),
                           js(term), jn(est), jn(lo), jn(hi), jn(p), jn(df), js(flag))
}

# ------------------------------------------------------------------ effect sizes
hedges <- function(m1, s1, n1, m2, s2, n2, level = 0.95) {
  df <- n1 + n2 - 2
  sp <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / df)
  d <- (m1 - m2) / sp
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  hn <- 1 / n1 + 1 / n2
  t <- d / sqrt(hn)
  tail <- (1 - level) / 2
  f <- function(ncp, target) pt(t, df, ncp) - target
  bound <- function(target) {
    w <- 2 + 2 * abs(t)
    lo <- t - w
    hi <- t + w
    while (f(lo, target) < 0) { lo <- lo - w; w <- w * 2 }
    while (f(hi, target) > 0) { hi <- hi + w; w <- w * 2 }
    uniroot(f, c(lo, hi), target = target, tol = 1e-13, maxiter = 1000)$root
  }
  ncp_lo <- bound(1 - tail)
  ncp_hi <- bound(tail)
  # R's pt() switches to a normal approximation when |ncp| > 37.62 (pnt.c): there R
  # is not exact, and the comparison uses a looser tolerance.
  flag <- if (max(abs(c(ncp_lo, ncp_hi))) > 37.62) "r_pt_normal_approx" else ""
  list(g = d * J, lo = ncp_lo * sqrt(hn) * J, hi = ncp_hi * sqrt(hn) * J, flag = flag)
}

ncp_chisq <- function(chi, df, target) {
  f <- function(ncp) pchisq(chi, df, ncp) - target
  if (pchisq(chi, df) <= target) return(0)
  hi <- max(1, 2 * chi)
  while (f(hi) > 0) hi <- hi * 2
  uniroot(f, c(0, hi), tol = 1e-13, maxiter = 1000)$root
}

# Cramer's V as Table 1 reports it (issue 9 finding 5): the bias-corrected V (Bergsma;
# effectsize::cramers_v(adjust = TRUE), its default), noncentral chi-squared interval
# mapped through the same formula (bounds solved tightly, effectsize uses optim); no
# interval where it would exclude the estimate; NA where min(r~, c~) <= 1.
cramers_v <- function(tab, level = 0.95) {
  n <- sum(tab)
  r <- nrow(tab); c <- ncol(tab)
  e <- outer(rowSums(tab), colSums(tab)) / n
  chi <- sum((tab - e)^2 / e)
  df <- (r - 1) * (c - 1)
  k <- r - (r - 1)^2 / (n - 1)
  l <- c - (c - 1)^2 / (n - 1)
  if (min(k, l) <= 1) return(list(v = NA, lo = NA, hi = NA, flag = ""))
  div <- sqrt(min(k, l) - 1)
  to_v <- function(x) sqrt(max(0, x / n - df / (n - 1))) / div
  tail <- (1 - level) / 2
  v <- min(to_v(chi), 1)
  ef <- tryCatch(effectsize::cramers_v(tab, adjust = TRUE, ci = NULL)$Cramers_v_adjusted, error = function(e) NA)
  if (!is.na(ef) && abs(ef - v) > 1e-10 * max(1, v)) stop("Cramer's V formula disagrees with effectsize")
  lo <- min(to_v(ncp_chisq(chi, df, 1 - tail)), 1)
  hi <- min(to_v(ncp_chisq(chi, df, tail)), 1)
  if (!(lo <= v && v <= hi)) { lo <- NA; hi <- NA }
  list(v = v, lo = lo, hi = hi, flag = "")
}

# fisher.test's conditional MLE and exact interval (same equations, uniroot tol 1e-13)
cond_or <- function(tab, level = 0.95) {
  m <- sum(tab[, 1]); n <- sum(tab[, 2]); k <- sum(tab[1, ]); x <- tab[1, 1]
  lo <- max(0, k - n); hi <- min(k, m)
  support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) {
    d <- logdc + log(ncp) * support
    d <- exp(d - max(d))
    d / sum(d)
  }
  mnhyper <- function(ncp) {
    if (ncp == 0) return(lo)
    if (ncp == Inf) return(hi)
    sum(support * dnhyper(ncp))
  }
  pnhyper <- function(q, ncp, upper.tail = FALSE) {
    if (ncp == 1) {
      return(if (upper.tail) phyper(x - 1, m, n, k, lower.tail = FALSE) else phyper(x, m, n, k))
    }
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q])
  }
  mle <- function(x) {
    if (x == lo) return(0)
    if (x == hi) return(Inf)
    mu <- mnhyper(1)
    if (mu > x) uniroot(function(t) mnhyper(t) - x, c(0, 1), tol = 1e-13)$root
    else if (mu < x) 1 / uniroot(function(t) mnhyper(1 / t) - x, c(.Machine$double.eps, 1), tol = 1e-13)$root
    else 1
  }
  ncp.U <- function(x, alpha) {
    if (x == hi) return(Inf)
    p <- pnhyper(x, 1)
    if (p < alpha) uniroot(function(t) pnhyper(x, t) - alpha, c(0, 1), tol = 1e-13)$root
    else if (p > alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t) - alpha, c(.Machine$double.eps, 1), tol = 1e-13)$root
    else 1
  }
  ncp.L <- function(x, alpha) {
    if (x == lo) return(0)
    p <- pnhyper(x, 1, upper.tail = TRUE)
    if (p > alpha) uniroot(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha, c(0, 1), tol = 1e-13)$root
    else if (p < alpha) 1 / uniroot(function(t) pnhyper(x, 1 / t, upper.tail = TRUE) - alpha, c(.Machine$double.eps, 1), tol = 1e-13)$root
    else 1
  }
  alpha <- (1 - level) / 2
  list(est = mle(x), lo = ncp.L(x, alpha), hi = ncp.U(x, alpha))
}

smd_cat <- function(tab) {
  p1 <- tab[, 1] / sum(tab[, 1]); p2 <- tab[, 2] / sum(tab[, 2])
  t <- p1[-1] - p2[-1]
  if (!any(t != 0)) return(0)
  cv <- function(p) { q <- p[-1]; diag(q, length(q)) - outer(q, q) }
  s <- (cv(p1) + cv(p2)) / 2
  sqrt(max(as.numeric(t %*% MASS::ginv(s) %*% t), 0))
}

# identifier columns (one distinct value per row: biopsy ID, Cars93 Model and Make) are
# left out of the exports: a Table 1 of identifiers is not a table anyone prints.
fisher_cache <- new.env()
fisher_p <- function(tab) {
  key <- paste(dim(tab), paste(tab, collapse = ","), collapse = ":")
  if (!is.null(fisher_cache[[key]])) return(fisher_cache[[key]])
  # FEXACT does not look at setTimeLimit: run it in a forked child, give up after 5 s
  job <- parallel::mcparallel(fisher.test(tab, workspace = 2e8)$p.value, silent = TRUE)
  got <- parallel::mccollect(job, wait = FALSE, timeout = 5)
  if (is.null(got)) {
    tools::pskill(job$pid, tools::SIGKILL)
    parallel::mccollect(job, wait = TRUE)
    res <- NA_real_
  } else {
    res <- got[[1]]
    if (!is.numeric(res)) res <- NA_real_
  }
  fisher_cache[[key]] <- res
  res
}

# Hodges-Lehmann: wilcox.test's own estimate and interval.  Exact case: its bounds are
# order statistics of the pairwise differences (taken as is).  Normal approximation:
# uniroot(tol = 1e-4) lands within 1e-4 of a jump of its step function, which is a
# pairwise difference: that difference is the reference.
hl <- function(x, y, wt) {
  if (as.double(length(x)) * length(y) > 2e7) return(NULL)
  diffs <- sort(outer(x, y, "-"))
  est <- median(diffs)
  ci <- wt$conf.int
  exact <- grepl("exact", wt$method) || !grepl("continuity|normal", paste(wt$method, collapse = " "))
  snap <- function(b) if (is.finite(b)) diffs[which.min(abs(diffs - b))] else b
  list(est = est, lo = snap(ci[1]), hi = snap(ci[2]))
}

# ------------------------------------------------------------------ Table 1
# serostudy leaves out of an inferred Table 1 (issue 10 finding 4): identifier-like
# columns (>= 20 values, all distinct text; or distinct consecutive whole numbers) and
# text columns with more distinct values than min(100, max(20, n %/% 2)).
left_out <- function(v) {
  v0 <- v[!is.na(v)]
  n <- length(v0)
  if (is.character(v)) {
    k <- length(unique(v0))
    return((n >= 20 && k == n) || k > min(100, max(20, n %/% 2)))
  }
  n >= 20 && all(v0 %% 1 == 0) && max(v0) - min(v0) + 1 == n && !anyDuplicated(v0)
}

table1 <- function(d, by, kinds, labs, variant) {
  gl <- labs[[by]]
  keep <- !is.na(gl)
  d <- d[keep, , drop = FALSE]
  gl <- gl[keep]
  order_ <- sort(unique(gl), method = "radix")
  two <- length(order_) == 2
  for (g in order_) rec("(participants)", "n", g, est = sum(gl == g))
  rec("(participants)", "n", "overall", est = length(gl))
  for (c in setdiff(names(d), by)) {
    if (left_out(d[[c]])) next
    kind <- kinds[[c]]
    if (kind == "continuous") {
      x <- d[[c]]
      nonnormal <- variant == "nonnormal"
      summ <- function(v) {
        v0 <- v[!is.na(v)]
        n <- length(v0)
        out <- list(n = n, missing = sum(is.na(v)))
        if (nonnormal) {
          q <- if (n) quantile(v0, c(.25, .5, .75), type = 7, names = FALSE) else rep(NA, 3)
          out$median <- q[2]; out$q1 <- q[1]; out$q3 <- q[3]
        } else {
          out$mean <- if (n) mean(v0) else NA
          out$sd <- if (n > 1) sd(v0) else NA
        }
        out$min <- if (n) min(v0) else NA
        out$max <- if (n) max(v0) else NA
        out$mean_ <- if (n) mean(v0) else NA
        out$sd_ <- if (n > 1) sd(v0) else NA
        out
      }
      S <- list()
      for (g in c(order_, "overall")) {
        v <- if (g == "overall") x else x[gl == g]
        s <- summ(v)
        S[[g]] <- s
        for (st in setdiff(names(s), c("mean_", "sd_"))) rec(c, st, g, est = s[[st]])
      }
      tested <- order_[sapply(order_, function(g) S[[g]]$n > 0)]
      if (length(tested) < 2) next
      term <- paste(tested, collapse = " vs ")
      xs <- lapply(tested, function(g) { v <- x[gl == g]; v[!is.na(v)] })
      if (length(tested) == 2) {
        a <- xs[[1]]; b <- xs[[2]]
        s1 <- S[[tested[1]]]; s2 <- S[[tested[2]]]
        if (!nonnormal) {
          if (min(length(a), length(b)) < 2) { rec(c, "t", term = term); next }
          student <- variant == "student"
          tt <- tryCatch(t.test(a, b, var.equal = student), error = function(e) NULL)
          if (is.null(tt)) { rec(c, "t", term = term, flag = "r_error"); next }
          rec(c, "t", term = term, est = tt$statistic, p = tt$p.value, df = tt$parameter)
          rec(c, "mean_difference", term = term, est = mean(a) - mean(b), lo = tt$conf.int[1], hi = tt$conf.int[2])
          h <- hedges(s1$mean_, s1$sd_, s1$n, s2$mean_, s2$sd_, s2$n)
          rec(c, "hedges_g", term = term, est = h$g, lo = h$lo, hi = h$hi, flag = h$flag)
        } else {
          if (length(unique(c(a, b))) == 1) { rec(c, "U", term = term, flag = "r_error"); next }
          wt <- tryCatch(suppressWarnings(wilcox.test(a, b, conf.int = TRUE, correct = TRUE)),
                         error = function(e) NULL)
          if (is.null(wt)) {
            wt <- tryCatch(suppressWarnings(wilcox.test(a, b, conf.int = FALSE, correct = TRUE)),
                           error = function(e) NULL)
            if (is.null(wt)) { rec(c, "U", term = term, flag = "r_error"); next }
            rec(c, "U", term = term, est = wt$statistic, p = wt$p.value)
            rec(c, "hl_shift", term = term, flag = "r_error")
          } else {
            rec(c, "U", term = term, est = wt$statistic, p = wt$p.value)
            h <- hl(a, b, wt)
            if (is.null(h)) rec(c, "hl_shift", term = term, flag = "not_computed_in_r")
            else rec(c, "hl_shift", term = term, est = h$est, lo = h$lo, hi = h$hi)
          }
        }
        if (two) {
          den <- sqrt((s1$sd_^2 + s2$sd_^2) / 2)
          smd <- if (den == 0) { if (s1$mean_ == s2$mean_) 0 else NA } else abs(s1$mean_ - s2$mean_) / den
          rec(c, "smd", term = term, est = smd)
        }
      } else {
        gg <- factor(rep(seq_along(xs), lengths(xs)))
        xv <- unlist(xs)
        if (nonnormal) {
          if (length(unique(xv)) == 1) { rec(c, "H", term = term, flag = "r_error"); next }
          kt <- tryCatch(kruskal.test(xv, gg), error = function(e) NULL)
          if (is.null(kt)) rec(c, "H", term = term, flag = "r_error")
          else rec(c, "H", term = term, est = kt$statistic, p = kt$p.value, df = kt$parameter)
        } else {
          if (variant == "student") {
            # the classic F from anova(lm()): oneway.test(var.equal = TRUE) returns NA when a
            # group has a single value (its NA variance enters the pooled variance)
            av <- tryCatch(anova(lm(xv ~ gg)), error = function(e) NULL)
            if (is.null(av) || !is.finite(av[1, "F value"])) rec(c, "F", term = term, flag = "r_error")
            else rec(c, "F", term = term, est = av[1, "F value"], p = av[1, "Pr(>F)"], df = av[1, "Df"])
          } else {
            ot <- tryCatch(suppressWarnings(oneway.test(xv ~ gg, var.equal = FALSE)), error = function(e) NULL)
            if (is.null(ot) || !is.finite(ot$statistic)) rec(c, "F", term = term, flag = "r_error")
            else rec(c, "F", term = term, est = ot$statistic, p = ot$p.value, df = ot$parameter[1],
                     flag = "welch_anova")
          }
        }
      }
    } else {
      lab <- labs[[c]][keep]
      v <- d[[c]]
      levels_ <- sorted_levels(v, lab)
      counts <- matrix(0L, length(levels_), length(order_))
      for (j in seq_along(order_)) {
        lj <- lab[gl == order_[j]]
        counts[, j] <- sapply(levels_, function(lv) sum(lj == lv, na.rm = TRUE))
      }
      denom <- colSums(counts)
      miss <- sapply(order_, function(g) sum(is.na(lab[gl == g])))
      for (i in seq_along(levels_)) {
        for (j in seq_along(order_)) {
          rec(c, "count", order_[j], levels_[i], est = counts[i, j])
          rec(c, "percent", order_[j], levels_[i], est = if (denom[j]) 100 * counts[i, j] / denom[j] else NA)
        }
        rec(c, "count", "overall", levels_[i], est = sum(counts[i, ]))
        rec(c, "percent", "overall", levels_[i], est = if (sum(denom)) 100 * sum(counts[i, ]) / sum(denom) else NA)
      }
      for (j in seq_along(order_)) rec(c, "missing", order_[j], est = miss[j])
      rec(c, "missing", "overall", est = sum(miss))
      tj <- which(denom > 0)
      if (length(tj) < 2) next
      tab <- counts[, tj, drop = FALSE]
      kept <- rowSums(tab) > 0
      tab <- tab[kept, , drop = FALSE]
      if (nrow(tab) < 2) next
      term <- paste(order_[tj], collapse = " vs ")
      e <- outer(rowSums(tab), colSums(tab)) / sum(tab)
      # Fisher's test when an expected count is < 5, for tables up to 200 cells (2 x 2
      # always); larger tables get the chi-squared test (issue 10 finding 4)
      fisher <- any(e < 5) && (all(dim(tab) == 2) || length(tab) <= 200)
      if (!fisher) {
        ct <- chisq.test(tab, correct = FALSE)
        rec(c, "chi2", term = term, est = ct$statistic, p = ct$p.value, df = ct$parameter)
      } else {
        p <- fisher_p(tab)
        rec(c, "exact_test", term = term, p = p, flag = if (is.na(p)) "not_computed_in_r" else "")
      }
      if (all(dim(tab) == 2)) {
        lv <- levels_[kept][1]
        if (fisher || any(tab == 0)) {
          # beside Fisher's test; and beside chi-squared when a zero cell leaves the sample OR
          # undefined (issue 9 finding 4): the conditional MLE with exact CI (fisher.test's)
          o <- cond_or(tab)
          rec(c, "odds_ratio", level = lv, term = term, est = o$est, lo = o$lo, hi = o$hi)
        } else {
          lor <- log(tab[1, 1] * tab[2, 2] / (tab[1, 2] * tab[2, 1]))
          se <- sqrt(sum(1 / tab))
          z <- qnorm(0.975)
          rec(c, "odds_ratio", level = lv, term = term, est = exp(lor), lo = exp(lor - z * se), hi = exp(lor + z * se))
        }
      } else {
        cv <- cramers_v(tab)
        rec(c, "cramers_v", term = term, est = cv$v, lo = cv$lo, hi = cv$hi, flag = cv$flag)
      }
      if (two && length(tj) == 2) rec(c, "smd", term = term, est = smd_cat(tab))
    }
  }
}

# ------------------------------------------------------------------ Table 2
table2 <- function(d, by, grp, labs, exposure, vars) {
  gl <- labs[[by]]
  sub <- d[!is.na(gl) & gl == grp, , drop = FALSE]
  x <- sub[[exposure]]
  for (v in vars) {
    y <- sub[[v]]
    y0 <- y[!is.na(y) & !is.na(x)]  # complete pairs with the exposure, as serostudy.table2 summarises
    n0 <- length(y0)
    rec(v, "mean", grp, est = if (n0) mean(y0) else NA)
    rec(v, "sd", grp, est = if (n0 > 1) sd(y0) else NA)
    rec(v, "min", grp, est = if (n0) min(y0) else NA)
    rec(v, "max", grp, est = if (n0) max(y0) else NA)
    ok <- !is.na(x) & !is.na(y)
    n <- sum(ok)
    xx <- x[ok]; yy <- y[ok]
    if (n < 3 || length(unique(xx)) < 2 || length(unique(yy)) < 2) {
      rec(v, "pearson_r", grp, term = exposure, flag = "undefined")
      rec(v, "spearman_rho", grp, term = exposure, flag = "undefined")
      next
    }
    ct <- cor.test(xx, yy, method = "pearson")
    ci <- if (n >= 4) ct$conf.int else c(NA, NA)
    rec(v, "pearson_r", grp, term = exposure, est = ct$estimate, lo = ci[1], hi = ci[2], p = ct$p.value, df = n - 2)
    st <- suppressWarnings(cor.test(xx, yy, method = "spearman"))
    rho <- cor(rank(xx), rank(yy))
    ties <- anyDuplicated(xx) > 0 || anyDuplicated(yy) > 0
    exact <- n <= 1290 && !ties
    zci <- if (n >= 4) tanh(atanh(rho) + c(-1, 1) * qnorm(0.975) / sqrt(n - 3)) else c(NA, NA)
    rec(v, "spearman_rho", grp, term = exposure, est = rho, lo = zci[1], hi = zci[2], p = st$p.value,
        df = if (exact) NA else n - 2)
  }
}

# ------------------------------------------------------------------ 4. the sweep
versions <- sprintf("%s; MASS %s; survival %s; jsonlite %s", R.version.string, packageVersion("MASS"),
                    packageVersion("survival"), packageVersion("jsonlite"))
files <- sort(list.files(data_dir, pattern = "\\.csv$"))
for (f in files) {
  name <- sub("\\.csv$", "", f)
  if (nzchar(only) && !(name %in% strsplit(only, ",")[[1]])) next
  if (nzchar(shard) && (match(f, files) %% shard_n) != shard_i) next
  t0 <- Sys.time()
  rd <- read_sweep(file.path(data_dir, f))
  d <- rd$data
  kinds <- sapply(names(d), function(c) infer_kind(d[[c]]), simplify = FALSE)
  labs <- sapply(names(d), function(c) labels_of(d[[c]], rd$text[[c]]), simplify = FALSE)
  bys <- names(d)[sapply(names(d), function(c) { k <- length(unique(labs[[c]][!is.na(labs[[c]])])); k >= 2 && k <= 8 })]
  numeric_cols <- names(d)[sapply(names(d), function(c) is.numeric(d[[c]]))]
  tables <- character(0)
  for (by in bys) {
    for (variant in c("welch", "student", "nonnormal")) {
      recs <- vector("list", 4096); nrec <- 0L
      table1(d, by, kinds, labs, variant)
      tables <- c(tables, sprintf("{\"kind\":\"table1\",\"by\":%s,\"variant\":\"%s\",\"records\":[\n%s\n]}",
                                  js(by), variant, paste(unlist(recs[seq_len(nrec)]), collapse = ",\n")))
    }
    nums <- setdiff(numeric_cols, by)
    if (length(nums) >= 2) {
      exposure <- nums[1]
      gl <- labs[[by]]
      for (grp in sort(unique(gl[!is.na(gl)]), method = "radix")) {
        recs <- vector("list", 1024); nrec <- 0L
        table2(d, by, grp, labs, exposure, nums[-1])
        tables <- c(tables, sprintf(
          "{\"kind\":\"table2\",\"by\":%s,\"group\":%s,\"exposure\":%s,\"variables\":%s,\"records\":[\n%s\n]}",
          js(by), js(grp), js(exposure), as.character(toJSON(nums[-1])),
          paste(unlist(recs[seq_len(nrec)]), collapse = ",\n")))
      }
    }
  }
  kinds_json <- as.character(toJSON(kinds, auto_unbox = TRUE))
  out <- sprintf("{\"dataset\":%s,\"file\":%s,\"r\":%s,\"kinds\":%s,\"tables\":[\n%s\n]}\n", js(name), js(f),
                 js(versions), kinds_json, paste(tables, collapse = ",\n"))
  con <- gzfile(file.path(ref_dir, paste0(name, ".json.gz")), "w")
  writeLines(out, con, sep = "")
  close(con)
  cat(sprintf("%-22s %3d tables  %.1fs\n", name, length(tables), as.numeric(Sys.time() - t0, units = "secs")))
}
