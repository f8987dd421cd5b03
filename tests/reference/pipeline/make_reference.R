# Independent reference for the demo study's Table 1 and Table 2, computed in R from the
# data the demo analysed (analysis_data.csv of `serostudy demo`, committed beside this
# script as demo_analysis_data.csv): B12 read off the plates, participants excluded by
# the eligibility rules marked analysed = False.  Everything below (categories, ARR,
# tests, effect sizes) is recomputed here from the raw columns, not taken from serostudy.
# Refresh after changing the demo:
#   serostudy demo --out /tmp/d && cp /tmp/d/analysis_data.csv tests/reference/pipeline/demo_analysis_data.csv
#   Rscript tests/reference/pipeline/make_reference.R      (from the repository root)
d <- read.csv("tests/reference/pipeline/demo_analysis_data.csv", stringsAsFactors = FALSE)
d <- d[d$analysed == "True", ]
d$arr <- d$relapses / d$follow_up_years
d$b12_category <- ifelse(is.na(d$b12_pmol_l), NA,
                  ifelse(d$b12_pmol_l < 21, "low", ifelse(d$b12_pmol_l > 123, "high", "normal")))
out <- data.frame(analysis = character(), variable = character(), statistic = character(),
                  group = character(), level = character(), value = numeric(), stringsAsFactors = FALSE)
add <- function(a, v, s, g, l, x) {
  out[nrow(out) + 1, ] <<- list(a, v, s, ifelse(is.null(g), "", g), ifelse(is.null(l), "", l), as.numeric(x))
}
grp <- c("nmosd", "control")
for (v in c("age", "b12_pmol_l")) {
  for (g in grp) {
    x <- d[d$group == g, v]; x <- x[!is.na(x)]
    add("table1", v, "mean", g, NULL, mean(x)); add("table1", v, "sd", g, NULL, sd(x))
    add("table1", v, "n", g, NULL, length(x))
  }
  x <- d[d$group == "nmosd", v]; y <- d[d$group == "control", v]
  # analysis_plan.scale declares B12 log: Table 1 compares it by the t-test of the logs,
  # reported as the ratio of geometric means exp(difference) with exp(CI)
  if (v == "b12_pmol_l") { x <- log(x); y <- log(y) }
  tt <- t.test(x, y, var.equal = FALSE)
  add("table1", v, "t", NULL, NULL, tt$statistic); add("table1", v, "df", NULL, NULL, tt$parameter)
  add("table1", v, "p", NULL, NULL, tt$p.value)
  add("table1", v, "ci_low", NULL, NULL, tt$conf.int[1]); add("table1", v, "ci_high", NULL, NULL, tt$conf.int[2])
  if (v == "b12_pmol_l") {
    add("table1", v, "gmr", NULL, NULL, exp(tt$estimate[1] - tt$estimate[2]))
    add("table1", v, "gmr_ci_low", NULL, NULL, exp(tt$conf.int[1])); add("table1", v, "gmr_ci_high", NULL, NULL, exp(tt$conf.int[2]))
  }
  g <- effectsize::hedges_g(x[!is.na(x)], y[!is.na(y)])
  add("table1", v, "hedges_g", NULL, NULL, g$Hedges_g)
  add("table1", v, "hedges_g_ci_low", NULL, NULL, g$CI_low); add("table1", v, "hedges_g_ci_high", NULL, NULL, g$CI_high)
}
tab <- table(factor(d$sex, levels = c("male", "female")), factor(d$group, levels = grp))
cs <- chisq.test(tab, correct = FALSE)
add("table1", "sex", "chi2", NULL, NULL, cs$statistic); add("table1", "sex", "p", NULL, NULL, cs$p.value)
# chi-square was used for sex, so the table shows the sample OR with the Woolf (log) CI
or_s <- (tab[1, 1] * tab[2, 2]) / (tab[1, 2] * tab[2, 1])
se_log <- sqrt(sum(1 / tab))
add("table1", "sex", "odds_ratio", NULL, NULL, or_s)
add("table1", "sex", "or_ci_low", NULL, NULL, exp(log(or_s) - qnorm(0.975) * se_log))
add("table1", "sex", "or_ci_high", NULL, NULL, exp(log(or_s) + qnorm(0.975) * se_log))
for (g in grp) for (l in c("male", "female")) add("table1", "sex", "count", g, l, tab[l, g])
tab2 <- table(factor(d$b12_category, levels = c("low", "normal", "high")), factor(d$group, levels = grp))
add("table1", "b12_category", "p", NULL, NULL, fisher.test(tab2)$p.value)
for (g in grp) for (l in c("low", "normal", "high")) add("table1", "b12_category", "count", g, l, tab2[l, g])
p <- d[d$group == "nmosd", ]
for (v in c("disease_duration", "edss", "arr", "age", "age_at_onset", "bmi")) {
  pr <- cor.test(p$b12_pmol_l, p[[v]], method = "pearson")
  add("table2", v, "pearson_r", "nmosd", NULL, pr$estimate); add("table2", v, "pearson_p", "nmosd", NULL, pr$p.value)
  add("table2", v, "pearson_ci_low", "nmosd", NULL, pr$conf.int[1]); add("table2", v, "pearson_ci_high", "nmosd", NULL, pr$conf.int[2])
  sp <- suppressWarnings(cor.test(p$b12_pmol_l, p[[v]], method = "spearman"))
  add("table2", v, "spearman_rho", "nmosd", NULL, sp$estimate); add("table2", v, "spearman_p", "nmosd", NULL, sp$p.value)
  # the summary beside n: over the same complete pairs (B12 and the variable both present);
  # mean/SD for the continuous ones, median [Q1, Q3] (type 7) for those declared skewed/ordinal
  y <- p[[v]][!is.na(p$b12_pmol_l) & !is.na(p[[v]])]
  add("table2", v, "n_complete", "nmosd", NULL, length(y))
  add("table2", v, "summary_mean", "nmosd", NULL, mean(y)); add("table2", v, "summary_sd", "nmosd", NULL, sd(y))
  q <- quantile(y, c(0.25, 0.5, 0.75), type = 7)
  add("table2", v, "summary_q1", "nmosd", NULL, q[1]); add("table2", v, "summary_median", "nmosd", NULL, q[2])
  add("table2", v, "summary_q3", "nmosd", NULL, q[3])
  add("table2", v, "summary_min", "nmosd", NULL, min(y)); add("table2", v, "summary_max", "nmosd", NULL, max(y))
}
for (g in grp) {
  s <- d[d$group == g, ]
  tt <- t.test(s$b12_pmol_l[s$sex == "male"], s$b12_pmol_l[s$sex == "female"])
  add("table2", "b12_pmol_l", "by_sex_diff", g, NULL, tt$estimate[1] - tt$estimate[2])
  add("table2", "b12_pmol_l", "by_sex_p", g, NULL, tt$p.value)
  # on the declared log scale (analysis_plan.scale: log): ratio of geometric means
  tl <- t.test(log(s$b12_pmol_l[s$sex == "male"]), log(s$b12_pmol_l[s$sex == "female"]))
  add("table2", "b12_pmol_l", "by_sex_gmr", g, NULL, exp(tl$estimate[1] - tl$estimate[2]))
  add("table2", "b12_pmol_l", "by_sex_gmr_ci_low", g, NULL, exp(tl$conf.int[1]))
  add("table2", "b12_pmol_l", "by_sex_gmr_ci_high", g, NULL, exp(tl$conf.int[2]))
  add("table2", "b12_pmol_l", "by_sex_log_p", g, NULL, tl$p.value)
}
out$value <- formatC(out$value, digits = 15, format = "g")
con <- file("tests/reference/pipeline/demo_reference.csv", "w")
writeLines(paste0("# ", R.version.string, "; effectsize ", packageVersion("effectsize"),
                  "; input: demo_analysis_data.csv"), con)
write.csv(out, con, row.names = FALSE)
close(con)
