# Reference values for serostudy.clinical ARR and its exact Poisson CI.
# Run from this folder:  Rscript arr_reference.R
# Writes arr_poisson_ci.csv (a grid of poisson.test intervals and the chi-square
# formula) and arr_cohort.json (ARR of the small cohort in arr_patients.csv /
# arr_events.csv, computed here independently of serostudy).
#
# Cohort rules (as documented in docs/clinical.md): onsets fewer than `win` days after
# the first onset of the current attack merge into it; the first attack counts as the
# onset attack when it starts fewer than max(`win`, 1) days after disease onset; attacks after
# the sampling date are not counted; years = days / 365.25; per-patient summary over
# patients followed >= 1 year; quantiles type 7.

grid <- expand.grid(x = c(0, 1, 2, 5, 12, 37, 150), T = c(0.5, 3.2, 40, 187.25),
                    conf = c(0.90, 0.95, 0.99),
                    alternative = c("two.sided", "less", "greater"),
                    stringsAsFactors = FALSE)
grid$low <- NA_real_; grid$high <- NA_real_
grid$chisq_low <- NA_real_; grid$chisq_high <- NA_real_
for (i in seq_len(nrow(grid))) {
  g <- grid[i, ]
  ci <- poisson.test(g$x, g$T, conf.level = g$conf, alternative = g$alternative)$conf.int
  grid$low[i] <- ci[1]; grid$high[i] <- ci[2]
  a <- 1 - g$conf
  if (g$alternative == "two.sided") {
    grid$chisq_low[i] <- if (g$x == 0) 0 else qchisq(a / 2, 2 * g$x) / (2 * g$T)
    grid$chisq_high[i] <- qchisq(1 - a / 2, 2 * g$x + 2) / (2 * g$T)
  } else if (g$alternative == "less") {
    grid$chisq_low[i] <- 0
    grid$chisq_high[i] <- qchisq(1 - a, 2 * g$x + 2) / (2 * g$T)
  } else {
    grid$chisq_low[i] <- if (g$x == 0) 0 else qchisq(a, 2 * g$x) / (2 * g$T)
    grid$chisq_high[i] <- Inf
  }
}
grid$r_version <- R.version.string
write.csv(grid, "arr_poisson_ci.csv", row.names = FALSE)

pat <- read.csv("arr_patients.csv", stringsAsFactors = FALSE)
ev <- read.csv("arr_events.csv", stringsAsFactors = FALSE)
cohort <- function(win, count_onset) {
  out <- data.frame(id = pat$id, attacks = 0L, py = NA_real_)
  for (i in seq_len(nrow(pat))) {
    onset <- as.Date(pat$onset_date[i]); end <- as.Date(pat$sampling_date[i])
    d <- sort(as.Date(ev$attack_date[ev$id == pat$id[i]]))
    d <- d[d <= end]
    starts <- c()
    for (k in seq_along(d)) {
      if (length(starts) == 0 || as.numeric(d[k] - starts[length(starts)]) >= win) starts <- c(starts, d[k])
    }
    n <- length(starts)
    onset_in <- n > 0 && as.numeric(starts[1] - as.numeric(onset)) < max(win, 1)
    counted <- n - if (onset_in && !count_onset) 1 else 0
    if (count_onset && !onset_in) counted <- counted + 1
    out$attacks[i] <- counted
    out$py[i] <- as.numeric(end - onset) / 365.25
  }
  out$arr <- out$attacks / out$py
  keep <- out$py >= 1
  pt <- poisson.test(sum(out$attacks), sum(out$py))
  list(merge_window_days = win, count_onset_attack = count_onset,
       total_attacks = sum(out$attacks), person_years = sum(out$py),
       arr = sum(out$attacks) / sum(out$py),
       ci_low = pt$conf.int[1], ci_high = pt$conf.int[2],
       per_patient_n = sum(keep),
       per_patient_mean = mean(out$arr[keep]), per_patient_sd = sd(out$arr[keep]),
       per_patient_median = median(out$arr[keep]),
       per_patient_q1 = unname(quantile(out$arr[keep], 0.25, type = 7)),
       per_patient_q3 = unname(quantile(out$arr[keep], 0.75, type = 7)),
       per_patient_attacks = setNames(as.list(out$attacks), out$id),
       per_patient_arr = setNames(as.list(out$arr), out$id))
}
res <- list(r_version = R.version.string,
            cases = list(cohort(31, FALSE), cohort(31, TRUE), cohort(14, FALSE), cohort(0, TRUE)))
fmt <- function(x) formatC(x, digits = 17, format = "g")
to_json <- function(x, indent = "") {
  if (is.list(x)) {
    nm <- names(x); inner <- paste0(indent, "  ")
    if (is.null(nm)) {
      items <- vapply(x, to_json, "", indent = inner)
      return(paste0("[\n", inner, paste(items, collapse = paste0(",\n", inner)), "\n", indent, "]"))
    }
    items <- mapply(function(k, v) paste0('"', k, '": ', to_json(v, inner)), nm, x)
    return(paste0("{\n", inner, paste(items, collapse = paste0(",\n", inner)), "\n", indent, "}"))
  }
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.character(x)) return(paste0('"', x, '"'))
  fmt(x)
}
writeLines(to_json(res), "arr_cohort.json")
