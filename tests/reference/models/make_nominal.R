#!/usr/bin/env Rscript
# Reference values for serostudy.models.proportional_odds_test (tests/models/test_nominal.py):
# ordinal::nominal_test(clm(...)): for each covariate, the LR test of the
# proportional-odds model against the partial proportional-odds model in which that
# covariate's effect differs between the thresholds (clm(..., nominal = ~ x)).
# Run from this folder: Rscript make_nominal.R (writes wine.csv, nominal.json).
suppressPackageStartupMessages({ library(ordinal); library(jsonlite) })
out <- list(meta = list(R = R.version.string, ordinal = as.character(packageVersion("ordinal")),
                        generated_by = "tests/reference/models/make_nominal.R"))
wine <- ordinal::wine
write.csv(wine, "wine.csv", row.names = FALSE)
bw <- read.csv("birthwt.csv"); bw$ftv3 <- factor(bw$ftv3, levels = 0:2, ordered = TRUE)
# clm at its default convergence (nominal_test refits with the fit's own control; a custom
# control made its refits return NA in ordinal 2022.11.16)
nt <- function(fit) {
  a <- as.data.frame(nominal_test(fit))[-1, ]
  list(term = rownames(a), df = unname(a$Df), loglik = unname(a$logLik), LR = unname(a$LRT),
       pvalue = unname(a[["Pr(>Chi)"]]), loglik_po = as.numeric(logLik(fit)))
}
out$wine <- c(list(data = "wine.csv", formula = "rating ~ temp + contact",
                   levels = levels(wine$rating)), nt(clm(rating ~ temp + contact, data = wine)))
out$birthwt <- c(list(data = "birthwt.csv", formula = "ftv3 ~ age + lwt100 + smoke", levels = levels(bw$ftv3)),
                 nt(clm(ftv3 ~ age + lwt100 + smoke, data = bw)))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "nominal.json")
