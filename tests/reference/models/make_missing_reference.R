#!/usr/bin/env Rscript
# Reference for `serostudy model` on a CSV with missing cells (issue 9, finding 3).
#
# Run from this folder:  Rscript make_missing_reference.R
# Writes missing.csv: a numeric covariate `x` with gaps written both as "NA" and as an
# empty cell, a text covariate `arm` with one "NA" and one empty cell, an outcome `y`
# (gaussian) and `events` (count) with one "NA" each.  R reads "NA" and "" as missing
# (read.csv na.strings) and fits glm(..., na.action = na.omit); the rows it drops and
# its coefficients are written to missing_reference.json with R's version.

suppressPackageStartupMessages(library(jsonlite))

set.seed(20250309)
n <- 40
x <- round(rnorm(n, 50, 10), 1)
arm <- sample(c("a", "b", "c"), n, replace = TRUE)
y <- round(3 + 0.08 * x + c(a = 0, b = 1.5, c = -0.7)[arm] + rnorm(n), 3)
events <- rpois(n, exp(-1 + 0.03 * x))
cell <- function(v) format(v, trim = TRUE)
xs <- cell(x); arms <- arm; ys <- cell(y); es <- cell(events)
xs[c(3, 17)] <- "NA"     # written as NA
xs[c(9, 28)] <- ""       # written as an empty cell
arms[21] <- "NA"
arms[33] <- ""
ys[12] <- "NA"
es[36] <- ""
lines <- c("id,x,arm,y,events", paste(sprintf("P%02d", 1:n), xs, arms, ys, es, sep = ","))
writeLines(lines, "missing.csv")

d <- read.csv("missing.csv", na.strings = c("NA", ""), stringsAsFactors = FALSE)
stopifnot(is.numeric(d$x))

fit_info <- function(fit) {
  s <- coef(summary(fit))
  dropped <- as.integer(fit$na.action)  # data row indices; spreadsheet row = index + 1
  list(term = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]),
       statistic = unname(s[, 3]), pvalue = unname(s[, 4]), nobs = nobs(fit),
       dropped_rows = dropped + 1L, dropped_ids = d$id[dropped],
       loglik = as.numeric(logLik(fit)), aic = AIC(fit))
}

out <- list(
  meta = list(R = R.version.string, jsonlite = as.character(packageVersion("jsonlite")),
              generated_by = "tests/reference/models/make_missing_reference.R",
              na_strings = c("NA", "")),
  gaussian = fit_info(glm(y ~ x + arm, data = d, family = gaussian, na.action = na.omit)),
  # IRLS run to epsilon = 1e-12 (default 1e-8) so rtol 1e-7 tests our numbers, not R's stopping rule
  poisson = fit_info(glm(events ~ x + arm, data = d, family = poisson, na.action = na.omit,
                         control = glm.control(epsilon = 1e-12, maxit = 100)))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "missing_reference.json")
cat("wrote missing_reference.json with", R.version.string, "\n")
