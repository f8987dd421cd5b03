#!/usr/bin/env Rscript
# Reference for serostudy.models.mice_sensitivity (tests/models/test_mice.py): one fixed
# case, birthwt with age and lwt made missing at random (seeded), the analysis
# lm(bwt ~ age + lwt100 + smoke), multiply imputed by R mice (predictive mean matching,
# m = 100) and pooled by Rubin's rules; plus the complete-case fit.
# R mice and statsmodels' MICE are different algorithms with different random numbers
# (mice: Bayesian-regression draw + pmm with 5 donors; statsmodels: Gaussian
# perturbation of the OLS fit + pmm with 20 donors): only agreement within a stated
# Monte-Carlo tolerance can be expected, never equality.
# Run from this folder: Rscript make_mice.R (writes birthwt_mar.csv, mice.json).
suppressPackageStartupMessages({ library(mice); library(jsonlite) })
bw <- read.csv("birthwt.csv")
set.seed(20261202)
d <- data.frame(bwt = bw$bwt, age = bw$age, lwt100 = bw$lwt100, smoke = bw$smoke)
p_lwt <- plogis(-1.6 + 1.2 * d$smoke + 0.0004 * (3000 - d$bwt))
d$lwt100[runif(nrow(d)) < p_lwt] <- NA
d$age[runif(nrow(d)) < 0.12] <- NA
write.csv(d, "birthwt_mar.csv", row.names = FALSE, na = "")
m <- 100
imp <- mice(d, m = m, method = "pmm", maxit = 20, seed = 11, printFlag = FALSE)
pooled <- summary(pool(with(imp, lm(bwt ~ age + lwt100 + smoke))))
cc <- summary(lm(bwt ~ age + lwt100 + smoke, data = d))$coefficients
pl <- pool(with(imp, lm(bwt ~ age + lwt100 + smoke)))
full <- summary(lm(bwt ~ age + lwt100 + smoke, data = data.frame(bwt = bw$bwt, age = bw$age,
                                                                 lwt100 = bw$lwt100, smoke = bw$smoke)))$coefficients
out <- list(
  meta = list(R = R.version.string, mice = as.character(packageVersion("mice")),
              generated_by = "tests/reference/models/make_mice.R"),
  data = "birthwt_mar.csv", formula = "bwt ~ age + lwt100 + smoke", m = m,
  n = nrow(d), n_complete = sum(complete.cases(d)),
  term = as.character(pooled$term), estimate = pooled$estimate, se = pooled$std.error,
  df = pooled$df, fmi = pl$pooled$fmi, b = pl$pooled$b, ubar = pl$pooled$ubar,
  complete_case = list(estimate = unname(cc[, 1]), se = unname(cc[, 2])),
  no_missing = list(estimate = unname(full[, 1]), se = unname(full[, 2]))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "mice.json")
