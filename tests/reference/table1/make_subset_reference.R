#!/usr/bin/env Rscript
# Reference for Table 1 on a chosen subset of groups (issue 9: `groups = [...]`,
# `--groups`).  Run from this folder:  Rscript make_subset_reference.R
#
# Writes subset.csv (three arms a, b, c) and, for the arms c and a in that order (c is
# group 1 in differences), the tests R gives on the subset: Welch and Student
# t.test(age ~ arm), chisq.test(correct = FALSE) of sex (2 x 2) and of stage (2 x 3),
# fisher.test of stage.  Output: subset_reference.json, with R's version.

suppressPackageStartupMessages(library(jsonlite))

set.seed(9)
n <- c(a = 24, b = 18, c = 27)
arm <- rep(names(n), n)
age <- round(rnorm(sum(n), c(a = 44, b = 50, c = 39)[arm], 9), 1)
sex <- ifelse(runif(sum(n)) < c(a = 0.45, b = 0.6, c = 0.7)[arm], "f", "m")
stage <- sample(c("I", "II", "III"), sum(n), replace = TRUE, prob = c(0.4, 0.35, 0.25))
d <- data.frame(id = sprintf("S%03d", seq_len(sum(n))), arm = arm, age = age, sex = sex, stage = stage)
write.csv(d, "subset.csv", row.names = FALSE, quote = FALSE)

s <- d[d$arm %in% c("c", "a"), ]
s$arm <- factor(s$arm, levels = c("c", "a"))
tt <- function(var_equal) {
  r <- t.test(age ~ arm, data = s, var.equal = var_equal)
  list(statistic = unname(r$statistic), df = unname(r$parameter), p = r$p.value,
       estimate = unname(r$estimate[1] - r$estimate[2]), ci = unname(as.numeric(r$conf.int)))
}
chi <- function(tab) {
  r <- suppressWarnings(chisq.test(tab, correct = FALSE))
  list(statistic = unname(r$statistic), df = unname(r$parameter), p = r$p.value,
       expected_min = min(r$expected))
}
out <- list(
  meta = list(R = R.version.string, generated_by = "tests/reference/table1/make_subset_reference.R",
              groups = c("c", "a")),
  n = as.list(table(s$arm)),
  n_excluded = sum(d$arm == "b"),
  age_mean = as.list(tapply(s$age, s$arm, mean)),
  age_sd = as.list(tapply(s$age, s$arm, sd)),
  welch = tt(FALSE),
  student = tt(TRUE),
  sex_chisq = chi(table(s$arm, s$sex)),
  stage_chisq = chi(table(s$arm, s$stage)),
  stage_fisher = list(p = fisher.test(table(s$arm, s$stage))$p.value)
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "subset_reference.json")
cat("wrote subset_reference.json with", R.version.string, "\n")
