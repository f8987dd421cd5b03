#!/usr/bin/env Rscript
# Reference values for serostudy.models (tests/models/).
#
# Run from this folder:  Rscript make_reference.R
# Writes the data sets it uses as CSV (so the Python tests need no R) and the R results
# as reference.json, with R's and the packages' versions recorded in "meta".
#
# Tolerances: glm.nb and polr are iterative; besides their default fits we also record
# fits with tightened convergence (glm.control(epsilon = 1e-12), optim reltol = 1e-12)
# so the comparison at rtol 1e-4 tests our numbers, not R's stopping rule.
# pwr 1.3.0 solves for d / r with uniroot(tol = eps^0.25 ~ 1.2e-4); we record its answer
# and the root of the same pwr power function found with uniroot(tol = 1e-12).

suppressPackageStartupMessages({
  library(MASS)
  library(pwr)
  library(jsonlite)
})

out <- list(meta = list(
  R = R.version.string,
  MASS = as.character(packageVersion("MASS")),
  pwr = as.character(packageVersion("pwr")),
  generated_by = "tests/reference/models/make_reference.R"
))

coef_table <- function(fit, wald_ci = TRUE) {
  s <- coef(summary(fit))
  res <- list(term = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]),
              statistic = unname(s[, 3]), pvalue = unname(s[, 4]))
  if (wald_ci) {
    ci <- confint.default(fit)
    res$ci_low <- unname(ci[, 1]); res$ci_high <- unname(ci[, 2])
  }
  res
}

glm_summary <- function(fit) {
  list(coef = coef_table(fit), loglik = as.numeric(logLik(fit)), aic = AIC(fit),
       deviance = deviance(fit), df_residual = fit$df.residual, nobs = nobs(fit),
       pearson_chi2 = sum(residuals(fit, type = "pearson")^2))
}

nb_summary <- function(fit) {
  r <- glm_summary(fit)
  r$theta <- fit$theta; r$se_theta <- fit$SE.theta
  r$twologlik <- fit$twologlik
  r
}

# ---- data sets ------------------------------------------------------------------
quine <- MASS::quine
write.csv(quine, "quine.csv", row.names = FALSE)

seatbelts <- as.data.frame(datasets::Seatbelts)
write.csv(seatbelts, "seatbelts.csv", row.names = FALSE)

bw <- MASS::birthwt
bw$race <- factor(bw$race, levels = 1:3, labels = c("white", "black", "other"))
bw$ftv3 <- factor(pmin(bw$ftv, 2), levels = 0:2, ordered = TRUE)
# lwt in 100 lb: polr's Hessian is numerical (optimHess), and with lwt in lb (SD ~ 30,
# coefficient ~ 0.005) its standard errors are off by ~0.2%; rescaled they agree with an
# analytic Hessian to ~2e-5.
bw$lwt100 <- bw$lwt / 100
write.csv(bw, "birthwt.csv", row.names = FALSE)

housing <- MASS::housing
write.csv(housing, "housing.csv", row.names = FALSE)

# ---- negative binomial (MASS::glm.nb) ---------------------------------------------
f_quine <- Days ~ Eth + Sex + Age + Lrn
f_seat <- DriversKilled ~ law + PetrolPrice + offset(log(kms))
tight <- glm.control(epsilon = 1e-12, maxit = 100)
out$negbin <- list(
  quine = list(formula = "Days ~ Eth + Sex + Age + Lrn", data = "quine.csv",
               default = nb_summary(glm.nb(f_quine, data = quine)),
               tight = nb_summary(glm.nb(f_quine, data = quine, control = tight))),
  seatbelts = list(formula = "DriversKilled ~ law + PetrolPrice", exposure = "kms",
                   data = "seatbelts.csv",
                   default = nb_summary(glm.nb(f_seat, data = seatbelts)),
                   tight = nb_summary(glm.nb(f_seat, data = seatbelts, control = tight)))
)

# ---- Poisson and overdispersion (glm) ---------------------------------------------
pois <- function(f, d) {
  fit <- glm(f, family = poisson, data = d)
  r <- glm_summary(fit)
  r$pearson_dispersion <- r$pearson_chi2 / r$df_residual
  r$pearson_pvalue <- pchisq(r$pearson_chi2, r$df_residual, lower.tail = FALSE)
  r
}
out$poisson <- list(
  quine = c(list(formula = "Days ~ Eth + Sex + Age + Lrn", data = "quine.csv"),
            pois(f_quine, quine)),
  seatbelts = c(list(formula = "DriversKilled ~ law + PetrolPrice", exposure = "kms",
                     data = "seatbelts.csv"), pois(f_seat, seatbelts))
)

# ---- logistic and gaussian (glm) --------------------------------------------------
f_logit <- low ~ age + lwt + race + smoke + ptl + ht + ui
out$logit <- list(birthwt = c(list(formula = "low ~ age + lwt + race + smoke + ptl + ht + ui",
                                   data = "birthwt.csv"),
                              glm_summary(glm(f_logit, family = binomial, data = bw))))
f_gauss <- bwt ~ age + lwt + race + smoke
g <- glm(f_gauss, family = gaussian, data = bw)
gs <- glm_summary(g)
ci_t <- confint.lm(lm(f_gauss, data = bw))  # t-based interval, as lm reports it
gs$coef$ci_low_t <- unname(ci_t[, 1]); gs$coef$ci_high_t <- unname(ci_t[, 2])
gs$sigma <- sqrt(summary(g)$dispersion)
out$gaussian <- list(birthwt = c(list(formula = "bwt ~ age + lwt + race + smoke",
                                      data = "birthwt.csv"), gs))

# ---- proportional odds (MASS::polr) -----------------------------------------------
polr_summary <- function(fit) {
  v <- sqrt(diag(vcov(fit)))
  list(coef_names = names(coef(fit)), coef = unname(coef(fit)),
       coef_se = unname(v[names(coef(fit))]),
       zeta_names = names(fit$zeta), zeta = unname(fit$zeta),
       zeta_se = unname(v[names(fit$zeta)]),
       loglik = as.numeric(logLik(fit)), aic = AIC(fit), nobs = sum(fit$model[["(weights)"]] %||% nrow(fit$model)))
}
`%||%` <- function(a, b) if (is.null(a)) b else a
ctl <- list(reltol = 1e-12, maxit = 1000)
out$polr <- list(
  housing = list(formula = "Sat ~ Infl + Type + Cont", weights = "Freq", data = "housing.csv",
                 levels = levels(housing$Sat),
                 default = polr_summary(polr(Sat ~ Infl + Type + Cont, weights = Freq,
                                             data = housing, Hess = TRUE)),
                 tight = polr_summary(polr(Sat ~ Infl + Type + Cont, weights = Freq,
                                           data = housing, Hess = TRUE, control = ctl))),
  birthwt = list(formula = "ftv3 ~ age + lwt100 + smoke", data = "birthwt.csv",
                 levels = levels(bw$ftv3),
                 default = polr_summary(polr(ftv3 ~ age + lwt100 + smoke, data = bw, Hess = TRUE)),
                 tight = polr_summary(polr(ftv3 ~ age + lwt100 + smoke, data = bw, Hess = TRUE,
                                           control = ctl)))
)

# ---- power (pwr) ------------------------------------------------------------------
t2n_power <- list()
for (alt in c("two.sided", "less", "greater")) {
  for (d in c(0.1, 0.3, 0.5, 0.8, -0.4)) {
    if (alt == "greater" && d < 0) next
    if (alt == "less" && d > 0) next
    p <- pwr.t2n.test(n1 = 35, n2 = 53, d = d, sig.level = 0.05, alternative = alt)$power
    t2n_power[[length(t2n_power) + 1]] <- list(n1 = 35, n2 = 53, d = d, sig_level = 0.05,
                                               alternative = alt, power = p)
  }
}
t2n_power[[length(t2n_power) + 1]] <- list(n1 = 12, n2 = 23, d = 0.6, sig_level = 0.01,
  alternative = "two.sided",
  power = pwr.t2n.test(n1 = 12, n2 = 23, d = 0.6, sig.level = 0.01)$power)

t2n_solve <- list()
for (alt in c("two.sided", "greater")) {
  for (pw in c(0.8, 0.9)) {
    d_pwr <- pwr.t2n.test(n1 = 35, n2 = 53, power = pw, sig.level = 0.05, alternative = alt)$d
    d_tight <- uniroot(function(d) pwr.t2n.test(n1 = 35, n2 = 53, d = d, sig.level = 0.05,
                                                alternative = alt)$power - pw,
                       c(1e-3, 5), tol = 1e-12)$root
    t2n_solve[[length(t2n_solve) + 1]] <- list(n1 = 35, n2 = 53, power = pw, sig_level = 0.05,
      alternative = alt, d_pwr = d_pwr, d_tight = d_tight)
  }
}

r_power <- list()
for (alt in c("two.sided", "less", "greater")) {
  for (r in c(0.1, 0.284, 0.5, -0.284, -0.238)) {
    if (alt == "greater" && r < 0) next
    if (alt == "less" && r > 0) next
    p <- pwr.r.test(n = 35, r = r, sig.level = 0.05, alternative = alt)$power
    r_power[[length(r_power) + 1]] <- list(n = 35, r = r, sig_level = 0.05,
                                           alternative = alt, power = p)
  }
}
r_solve <- list()
for (alt in c("two.sided", "greater")) {
  for (pw in c(0.8, 0.9)) {
    r_pwr <- pwr.r.test(n = 35, power = pw, sig.level = 0.05, alternative = alt)$r
    r_tight <- uniroot(function(r) pwr.r.test(n = 35, r = r, sig.level = 0.05,
                                              alternative = alt)$power - pw,
                       c(1e-3, 0.99), tol = 1e-12)$root
    r_solve[[length(r_solve) + 1]] <- list(n = 35, power = pw, sig_level = 0.05,
      alternative = alt, r_pwr = r_pwr, r_tight = r_tight)
  }
}
out$pwr <- list(t2n_power = t2n_power, t2n_solve = t2n_solve,
                r_power = r_power, r_solve = r_solve)

# ---- p.adjust ----------------------------------------------------------------------
pvecs <- list(
  table2 = c(0.12, 0.08, 0.04, 0.72, 0.51, 0.75, 0.44, 0.78, 0.78),
  ties_and_small = c(0.001, 0.01, 0.01, 0.02, 0.049, 0.05, 0.3, 0.9, 1),
  with_na = c(0.03, NA, 0.2, 0.001, NA, 0.04)
)
padj <- list()
for (nm in names(pvecs)) {
  p <- pvecs[[nm]]
  res <- list(p = p)
  for (m in c("BH", "BY", "holm", "hochberg", "bonferroni")) res[[m]] <- p.adjust(p, method = m)
  padj[[nm]] <- res
}
out$p_adjust <- padj

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           "reference.json")
cat("wrote reference.json with", R.version.string, "\n")
