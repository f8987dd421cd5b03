#!/usr/bin/env Rscript
# Reference values for serostudy's small-sample inference (tests/models/test_profile.py,
# test_weights.py, test_arr_interval.py): profile-likelihood intervals, likelihood-ratio
# tests, frequency weights, the cohort ARR interval under overdispersion.
#
# Run from this folder:  Rscript make_inference.R   (writes demo34.csv, inference.json)
#
# What R does, precisely (MASS 7.3-58, R 4.2.2):
# * confint(<glm>) is MASS:::confint.glm -> MASS:::profile.glm: for each coefficient a
#   grid of at most 2 x 9 values b_j = bhat_j +- k * del * se_j is refitted by glm.fit with
#   X_j * b_j in the offset; the signed root z = sign * sqrt((dev(b_j) - dev0) / dispersion)
#   is interpolated by spline() and approx() at qnorm(0.025), qnorm(0.975).  For gaussian
#   the dispersion is RSS/(n - p) and the cutoff still qnorm, so the "profile" interval of
#   a gaussian glm is bhat +- qnorm(0.975) * se exactly (a z, not a t, interval).
# * confint(<glm.nb>) is the same confint.glm: glm.nb objects carry the family
#   negative.binomial(theta_hat), so the profile refits with theta FIXED at its ML value
#   (theta is not re-estimated).  We record both: R's confint (theta fixed), a tight root
#   of the same theta-fixed profile, and a tight root of the full profile likelihood with
#   theta re-estimated at every b_j (glm.nb refits with the offset).
# * confint(<polr>) is MASS:::confint.polr -> profile.polr (coefficients only, thresholds
#   and other coefficients re-fitted by polr.fit; deviance difference; same spline step).
# The "tight" values solve the same signed-root equation with uniroot(tol = 1e-13) and
# fits at epsilon 1e-12 / reltol 1e-14, i.e. the interval R's grid approximates.

suppressPackageStartupMessages({
  library(MASS)
  library(jsonlite)
})

out <- list(meta = list(
  R = R.version.string,
  MASS = as.character(packageVersion("MASS")),
  generated_by = "tests/reference/models/make_inference.R"
))

tight <- glm.control(epsilon = 1e-13, maxit = 200)

quine <- read.csv("quine.csv", stringsAsFactors = TRUE)
bw <- read.csv("birthwt.csv", stringsAsFactors = TRUE)
bw$race <- factor(bw$race, levels = c("white", "black", "other"))
bw$ftv3 <- factor(bw$ftv3, levels = 0:2, ordered = TRUE)
seat <- read.csv("seatbelts.csv")
housing <- read.csv("housing.csv", stringsAsFactors = TRUE)
housing$Sat <- factor(housing$Sat, levels = c("Low", "Medium", "High"), ordered = TRUE)
housing$Infl <- factor(housing$Infl, levels = c("Low", "Medium", "High"))
housing$Type <- factor(housing$Type, levels = c("Tower", "Apartment", "Atrium", "Terrace"))
housing$Cont <- factor(housing$Cont, levels = c("Low", "High"))

# A demo-like cohort: n = 34, relapses over 2-19 years of disease, one biomarker.
set.seed(20261202)
n <- 34
demo <- data.frame(
  years = round(runif(n, 2, 19), 2),
  b12 = round(exp(rnorm(n, log(350), 0.45))),
  age = round(rnorm(n, 37, 11)),
  female = rbinom(n, 1, 0.85)
)
mu <- demo$years * exp(-1.0 - 0.0012 * (demo$b12 - 350) + 0.01 * (demo$age - 37))
demo$relapses <- rnbinom(n, mu = mu, size = 1.6)
demo$edss <- pmin(8, pmax(0, round(2 + 0.08 * demo$relapses + rnorm(n, 0, 1.5))))
write.csv(demo, "demo34.csv", row.names = FALSE)

# ---------------------------------------------------------------- profile helpers
glm_profile_tight <- function(fit, level = 0.95) {
  X <- model.matrix(fit); Y <- fit$y; W <- fit$prior.weights
  O <- model.offset(model.frame(fit)); if (is.null(O)) O <- rep(0, length(Y))
  fam <- family(fit)
  s <- summary(fit)
  disp <- s$dispersion
  b0 <- coef(fit); se <- s$coefficients[, 2]
  dev0 <- glm.fit(X, Y, weights = W, offset = O, family = fam, control = tight)$deviance
  q <- qnorm(1 - (1 - level) / 2)
  res <- matrix(NA, length(b0), 2, dimnames = list(names(b0), c("low", "high")))
  lr0 <- rep(NA, length(b0))
  for (j in seq_along(b0)) {
    dev_at <- function(b) glm.fit(X[, -j, drop = FALSE], Y, weights = W, offset = O + X[, j] * b,
                                  family = fam, control = tight)$deviance
    f <- function(b) sign(b - b0[j]) * sqrt(max(dev_at(b) - dev0, 0) / disp)
    res[j, 1] <- uniroot(function(b) f(b) + q, c(b0[j] - 4 * se[j], b0[j]), tol = 1e-13)$root
    res[j, 2] <- uniroot(function(b) f(b) - q, c(b0[j], b0[j] + 4 * se[j]), tol = 1e-13)$root
  }
  res
}

nb_profile_tight <- function(fit, level = 0.95) {
  # full profile likelihood: theta re-estimated by glm.nb at every value of b_j
  X <- model.matrix(fit); Y <- fit$y; W <- fit$prior.weights
  O <- model.offset(model.frame(fit)); if (is.null(O)) O <- rep(0, length(Y))
  b0 <- coef(fit); se <- summary(fit)$coefficients[, 2]
  nbtight <- glm.control(epsilon = 1e-11, maxit = 100)
  ll0 <- glm.nb(Y ~ X - 1 + offset(O), weights = W, control = nbtight)$twologlik
  q <- qnorm(1 - (1 - level) / 2)
  res <- matrix(NA, length(b0), 2, dimnames = list(names(b0), c("low", "high")))
  for (j in seq_along(b0)) {
    Xi <- X[, -j, drop = FALSE]
    ll_at <- function(b) {
      o <- O + X[, j] * b
      if (ncol(Xi) == 0) glm.nb(Y ~ -1 + offset(o), weights = W, control = nbtight)$twologlik
      else glm.nb(Y ~ Xi - 1 + offset(o), weights = W, control = nbtight)$twologlik
    }
    f <- function(b) sign(b - b0[j]) * sqrt(max(ll0 - ll_at(b), 0))
    res[j, 1] <- uniroot(function(b) f(b) + q, c(b0[j] - 4 * se[j], b0[j]), tol = 1e-13)$root
    res[j, 2] <- uniroot(function(b) f(b) - q, c(b0[j], b0[j] + 4 * se[j]), tol = 1e-13)$root
  }
  res
}

polr_profile_tight <- function(fit, data, level = 0.95) {
  ctl <- list(reltol = 1e-15, maxit = 5000)
  X <- model.matrix(fit)[, -1, drop = FALSE]; Y <- model.response(model.frame(fit))
  W <- model.weights(model.frame(fit)); if (is.null(W)) W <- rep(1, length(Y))
  f0 <- polr(Y ~ X, weights = W, control = ctl)
  dev0 <- f0$deviance
  b0 <- coef(f0); se <- sqrt(diag(vcov(fit)))[seq_along(b0)]
  q <- qnorm(1 - (1 - level) / 2)
  res <- matrix(NA, length(b0), 2, dimnames = list(colnames(X), c("low", "high")))
  for (j in seq_along(b0)) {
    Xi <- X[, -j, drop = FALSE]
    dev_at <- function(b) { o <- X[, j] * b; polr(Y ~ Xi + offset(o), weights = W, control = ctl)$deviance }
    f <- function(b) sign(b - b0[j]) * sqrt(max(dev_at(b) - dev0, 0))
    res[j, 1] <- uniroot(function(b) f(b) + q, c(b0[j] - 4 * se[j], b0[j]), tol = 1e-13)$root
    res[j, 2] <- uniroot(function(b) f(b) - q, c(b0[j], b0[j] + 4 * se[j]), tol = 1e-13)$root
  }
  res
}

ci_list <- function(m) list(term = rownames(m), low = unname(m[, 1]), high = unname(m[, 2]))
drop1_list <- function(d) {
  d <- as.data.frame(d)[-1, ]
  stat <- if (!is.null(d[["LRT"]])) d[["LRT"]] else d[["scaled dev."]]
  list(term = rownames(d), df = unname(d$Df), LR = unname(stat),
       pvalue = unname(d[["Pr(>Chi)"]]))
}

profile <- list()
lrt <- list()

# ---- Poisson (quine; seatbelts with an offset)
f_quine <- Days ~ Eth + Sex + Age + Lrn
g <- glm(f_quine, family = poisson, data = quine, control = tight)
profile$poisson_quine <- list(data = "quine.csv", formula = "Days ~ Eth + Sex + Age + Lrn",
  family = "poisson", r_confint = ci_list(suppressMessages(confint(g))), tight = ci_list(glm_profile_tight(g)))
lrt$poisson_quine <- drop1_list(drop1(g, test = "Chisq"))
g <- glm(DriversKilled ~ law + PetrolPrice + offset(log(kms)), family = poisson, data = seat, control = tight)
profile$poisson_seatbelts <- list(data = "seatbelts.csv", formula = "DriversKilled ~ law + PetrolPrice",
  exposure = "kms", family = "poisson",
  r_confint = ci_list(suppressMessages(confint(g))), tight = ci_list(glm_profile_tight(g)))

# ---- logistic and gaussian (birthwt)
g <- glm(low ~ age + lwt + race + smoke + ptl + ht + ui, family = binomial, data = bw, control = tight)
profile$logit_birthwt <- list(data = "birthwt.csv", formula = "low ~ age + lwt + race + smoke + ptl + ht + ui",
  family = "logit", r_confint = ci_list(suppressMessages(confint(g))), tight = ci_list(glm_profile_tight(g)))
lrt$logit_birthwt <- drop1_list(drop1(g, test = "Chisq"))
g <- glm(bwt ~ age + lwt + race + smoke, family = gaussian, data = bw)
profile$gaussian_birthwt <- list(data = "birthwt.csv", formula = "bwt ~ age + lwt + race + smoke",
  family = "gaussian", r_confint = ci_list(suppressMessages(confint(g))),
  wald_z = ci_list(confint.default(g)), confint_lm = ci_list(confint(lm(bwt ~ age + lwt + race + smoke, data = bw))))
lrt$gaussian_birthwt <- drop1_list(drop1(g, test = "Chisq"))

# ---- negative binomial: quine, seatbelts (offset), demo34 (offset, n = 34)
nb_cases <- list(
  quine = list(f = f_quine, d = quine, data = "quine.csv", formula = "Days ~ Eth + Sex + Age + Lrn", exposure = NULL),
  seatbelts = list(f = DriversKilled ~ law + PetrolPrice + offset(log(kms)), d = seat, data = "seatbelts.csv",
                   formula = "DriversKilled ~ law + PetrolPrice", exposure = "kms"),
  demo34 = list(f = relapses ~ b12 + age + female + offset(log(years)), d = demo, data = "demo34.csv",
                formula = "relapses ~ b12 + age + female", exposure = "years")
)
for (nm in names(nb_cases)) {
  cs <- nb_cases[[nm]]
  fit <- glm.nb(cs$f, data = cs$d, control = tight)
  rc <- suppressMessages(confint(fit))
  profile[[paste0("negbin_", nm)]] <- list(data = cs$data, formula = cs$formula, exposure = cs$exposure,
    family = "negbin", theta = fit$theta,
    r_confint_theta_fixed = ci_list(rc), tight_theta_fixed = ci_list(glm_profile_tight(fit)),
    tight_theta_estimated = ci_list(nb_profile_tight(fit)))
}
# LR tests for negbin with theta re-estimated in each model: anova.negbin
fit1 <- glm.nb(relapses ~ b12 + age + female + offset(log(years)), data = demo, control = tight)
fit0 <- glm.nb(relapses ~ age + female + offset(log(years)), data = demo, control = tight)
a <- anova(fit0, fit1)
lrt$negbin_demo34 <- list(data = "demo34.csv", full = "relapses ~ b12 + age + female",
  reduced = "relapses ~ age + female", exposure = "years",
  LR = a[["LR stat."]][2], df = a[["   df"]][2], pvalue = a[["Pr(Chi)"]][2],
  drop1_theta_fixed = drop1_list(drop1(fit1, test = "Chisq")))
fit1 <- glm.nb(f_quine, data = quine, control = tight)
fit0 <- glm.nb(Days ~ Sex + Age + Lrn, data = quine, control = tight)
a <- anova(fit0, fit1)
lrt$negbin_quine_eth <- list(data = "quine.csv", full = "Days ~ Eth + Sex + Age + Lrn",
  reduced = "Days ~ Sex + Age + Lrn", LR = a[["LR stat."]][2], df = a[["   df"]][2], pvalue = a[["Pr(Chi)"]][2])
fit0 <- glm.nb(Days ~ Eth + Sex + Lrn, data = quine, control = tight)
a <- anova(fit0, fit1)
lrt$negbin_quine_age <- list(data = "quine.csv", full = "Days ~ Eth + Sex + Age + Lrn",
  reduced = "Days ~ Eth + Sex + Lrn", LR = a[["LR stat."]][2], df = a[["   df"]][2], pvalue = a[["Pr(Chi)"]][2])

# ---- proportional odds (polr)
ctl <- list(reltol = 1e-15, maxit = 5000)
pf <- polr(ftv3 ~ age + lwt100 + smoke, data = bw, Hess = TRUE, control = ctl)
profile$polr_birthwt <- list(data = "birthwt.csv", formula = "ftv3 ~ age + lwt100 + smoke", family = "ordinal",
  r_confint = ci_list(suppressMessages(confint(pf))), tight = ci_list(polr_profile_tight(pf, bw)))
p0 <- polr(ftv3 ~ lwt100 + smoke, data = bw, Hess = TRUE, control = ctl)
a <- anova(p0, pf)
lrt$polr_birthwt_age <- list(data = "birthwt.csv", full = "ftv3 ~ age + lwt100 + smoke",
  reduced = "ftv3 ~ lwt100 + smoke", LR = a[["LR stat."]][2], df = a[["   Df"]][2], pvalue = a[["Pr(Chi)"]][2])
ph <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE, control = ctl)
profile$polr_housing_weighted <- list(data = "housing.csv", formula = "Sat ~ Infl + Type + Cont", weights = "Freq",
  family = "ordinal", r_confint = ci_list(suppressMessages(confint(ph))), tight = ci_list(polr_profile_tight(ph, housing)))

out$profile <- profile
out$lrt <- lrt

# ---------------------------------------------------------------- frequency weights
# Weights 0..3 (one row weighted 0); every fit also on the data with rows repeated w times.
coefs <- function(fit) {
  s <- coef(summary(fit))
  list(term = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]), pvalue = unname(s[, 4]),
       loglik = as.numeric(logLik(fit)), df_residual = fit$df.residual)
}
expand <- function(d) d[rep(seq_len(nrow(d)), d$w), ]
quine_w <- quine; quine_w$w <- (seq_len(nrow(quine)) %% 4); quine_w$w[quine_w$w == 0 & seq_len(nrow(quine)) > 8] <- 2
bw_w <- bw; bw_w$w <- 1 + (seq_len(nrow(bw)) %% 3); bw_w$w[5] <- 0
write.csv(quine_w, "quine_w.csv", row.names = FALSE)
write.csv(bw_w, "birthwt_w.csv", row.names = FALSE)
wt <- list()
g <- glm(f_quine, family = poisson, data = quine_w, weights = w, control = tight)
wt$poisson <- list(data = "quine_w.csv", formula = "Days ~ Eth + Sex + Age + Lrn", weighted = coefs(g),
                   expanded = coefs(glm(f_quine, family = poisson, data = expand(quine_w), control = tight)))
f_lo <- low ~ age + lwt + race + smoke + ptl + ht + ui
g <- glm(f_lo, family = binomial, data = bw_w, weights = w, control = tight)
wt$logit <- list(data = "birthwt_w.csv", formula = "low ~ age + lwt + race + smoke + ptl + ht + ui",
                 weighted = coefs(g), expanded = coefs(glm(f_lo, family = binomial, data = expand(bw_w), control = tight)))
f_g <- bwt ~ age + lwt + race + smoke
wt$gaussian <- list(data = "birthwt_w.csv", formula = "bwt ~ age + lwt + race + smoke",
                    weighted_precision = coefs(glm(f_g, data = bw_w, weights = w)),
                    expanded = coefs(glm(f_g, data = expand(bw_w))))
nbw <- glm.nb(f_quine, data = quine_w, weights = w, control = tight)
nbe <- glm.nb(f_quine, data = expand(quine_w), control = tight)
wt$negbin <- list(data = "quine_w.csv", formula = "Days ~ Eth + Sex + Age + Lrn",
                  weighted = c(coefs(nbw), theta = nbw$theta, se_theta = nbw$SE.theta),
                  expanded = c(coefs(nbe), theta = nbe$theta, se_theta = nbe$SE.theta))
pw <- polr(ftv3 ~ age + lwt100 + smoke, data = bw_w, weights = w, Hess = TRUE, control = ctl)
pe <- polr(ftv3 ~ age + lwt100 + smoke, data = expand(bw_w), Hess = TRUE, control = ctl)
pol <- function(fit) { v <- sqrt(diag(vcov(fit))); list(coef_names = names(coef(fit)), coef = unname(coef(fit)),
  coef_se = unname(v[names(coef(fit))]), zeta = unname(fit$zeta), zeta_se = unname(v[names(fit$zeta)]),
  loglik = as.numeric(logLik(fit))) }
wt$polr <- list(data = "birthwt_w.csv", formula = "ftv3 ~ age + lwt100 + smoke", weighted = pol(pw), expanded = pol(pe))
out$weights <- wt

# ---------------------------------------------------------------- cohort ARR intervals
# Intercept-only models of per-patient counts with offset log(person-years):
#   exact Poisson   poisson.test(sum(y), sum(T))
#   quasi-Poisson   glm(quasipoisson): Wald on log scale with the Pearson dispersion
#                   (confint.default), and the profile interval MASS's confint gives it
#   sandwich (HC0)  sandwich::vcovHC(<poisson glm>, type = "HC0"), and the same by formula
#   negative binomial glm.nb: exp(confint) (theta fixed) and tight roots (theta fixed / re-estimated)
library(sandwich)
out$meta$sandwich <- as.character(packageVersion("sandwich"))
arr_case <- function(y, T, with_nb = TRUE) {
  d <- data.frame(y = y, T = T)
  pt <- poisson.test(sum(y), sum(T))
  gp <- glm(y ~ 1 + offset(log(T)), family = poisson, data = d, control = tight)
  gq <- glm(y ~ 1 + offset(log(T)), family = quasipoisson, data = d, control = tight)
  X2 <- sum(residuals(gp, type = "pearson")^2)
  se_hc0 <- sqrt(vcovHC(gp, type = "HC0")[1, 1])
  rate <- sum(y) / sum(T)
  se_formula <- sqrt(sum((y - T * rate)^2)) / sum(y)
  res <- list(y = y, T = T, rate = rate, exact = unname(pt$conf.int[1:2]),
       pearson_dispersion = X2 / (length(y) - 1),
       quasi_wald = unname(exp(confint.default(gq))[1, ]),
       quasi_se = summary(gq)$coefficients[1, 2],
       hc0_se = se_hc0, hc0_se_formula = se_formula,
       hc0_wald = unname(exp(coef(gp) + c(-1, 1) * qnorm(0.975) * se_hc0)))
  if (!with_nb) return(res)
  nb <- glm.nb(y ~ 1 + offset(log(T)), data = d, control = tight)
  c(res, list(nb_rate = unname(exp(coef(nb))), nb_theta = nb$theta,
       nb_confint_theta_fixed = unname(exp(suppressMessages(confint(nb)))),
       nb_tight_theta_fixed = unname(exp(glm_profile_tight(nb)[1, ])),
       nb_tight_theta_estimated = unname(exp(nb_profile_tight(nb)[1, ]))))
}
set.seed(11)
Tp <- round(runif(40, 1, 6), 2)
out$arr <- list(
  demo34 = arr_case(demo$relapses, demo$years),
  poisson40 = arr_case(rpois(40, 0.5 * Tp), Tp, with_nb = FALSE)
)

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), "inference.json")
