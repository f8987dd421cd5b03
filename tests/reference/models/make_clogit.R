#!/usr/bin/env Rscript
# Reference values for serostudy.models.fit_clogit (tests/models/test_clogit.py).
# Run from this folder: Rscript make_clogit.R  (writes infert.csv, matched12.csv,
# matched_mn.csv, clogit.json). survival::clogit's default method is "exact": the exact
# conditional likelihood, for 1:M and M:N matched sets alike.
suppressPackageStartupMessages({ library(survival); library(jsonlite) })
out <- list(meta = list(R = R.version.string, survival = as.character(packageVersion("survival")),
                        generated_by = "tests/reference/models/make_clogit.R"))
summ <- function(fit, data, formula, strata) {
  s <- summary(fit)
  ci <- confint(fit)
  list(data = data, formula = formula, strata = strata,
       term = names(coef(fit)), estimate = unname(coef(fit)), se = unname(s$coefficients[, "se(coef)"]),
       z = unname(s$coefficients[, "z"]), pvalue = unname(s$coefficients[, "Pr(>|z|)"]),
       ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]),
       loglik_null = fit$loglik[1], loglik = fit$loglik[2],
       lr = unname(s$logtest["test"]), lr_df = unname(s$logtest["df"]), lr_pvalue = unname(s$logtest["pvalue"]),
       n = fit$n, nevent = fit$nevent)
}
inf <- datasets::infert
write.csv(inf, "infert.csv", row.names = FALSE)
ctl <- coxph.control(eps = 1e-12, iter.max = 100)
out$infert <- summ(clogit(case ~ spontaneous + induced + strata(stratum), data = inf, control = ctl),
                   "infert.csv", "case ~ spontaneous + induced", "stratum")
out$infert_age <- summ(clogit(case ~ spontaneous + induced + age + education + strata(stratum), data = inf,
                              control = ctl), "infert.csv", "case ~ spontaneous + induced + age + education", "stratum")

set.seed(42)
k <- 40
m12 <- data.frame(set = rep(seq_len(k), each = 3), case = rep(c(1, 0, 0), k))
m12$b12 <- round(exp(rnorm(nrow(m12), log(350) - 0.25 * m12$case, 0.4)))
m12$smoker <- rbinom(nrow(m12), 1, 0.3 + 0.15 * m12$case)
write.csv(m12, "matched12.csv", row.names = FALSE)
out$matched12 <- summ(clogit(case ~ I(b12 / 100) + smoker + strata(set), data = m12, control = ctl),
                      "matched12.csv", "case ~ I(b12 / 100) + smoker", "set")

# M:N sets (2 cases : 3 controls, 3 : 2, 1 : 4) - the exact likelihood sums over subsets
set.seed(7)
sizes <- list(c(2, 3), c(3, 2), c(1, 4), c(2, 2))
rows <- list(); id <- 0
for (i in 1:24) {
  sz <- sizes[[(i - 1) %% 4 + 1]]
  id <- id + 1
  rows[[i]] <- data.frame(set = id, case = c(rep(1, sz[1]), rep(0, sz[2])))
}
mn <- do.call(rbind, rows)
mn$x <- round(rnorm(nrow(mn), 0.6 * mn$case, 1), 3)
mn$g <- rbinom(nrow(mn), 1, 0.4 + 0.2 * mn$case)
write.csv(mn, "matched_mn.csv", row.names = FALSE)
out$matched_mn <- summ(clogit(case ~ x + g + strata(set), data = mn, control = ctl, method = "exact"),
                       "matched_mn.csv", "case ~ x + g", "set")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "clogit.json")
