# Reference fits for serostudy.assay curve fitting (issue 3).
#
# Run from the repository root:
#   Rscript tests/reference/assay/fit_reference.R
# Writes, beside this script:
#   curves_data.csv   - every curve fitted (DNase runs 1-3 from R's datasets package,
#                        and curves simulated here with set.seed, so Python fits the
#                        very same numbers)
#   fits_reference.csv - one row per (curve, model, weights): nls estimates in R's form
#                        and converted to serostudy's (bottom, top, ec50, hill, asymmetry),
#                        standard errors, residual SD, RSS, logLik, AIC, R version.
#
# Models (x = concentration, y = response):
#   4PL: nls(y ~ SSfpl(log(x), A, B, xmid, scal))
#        serostudy: bottom = A, top = B, ec50 = exp(xmid), hill = 1/scal
#   5PL: written out for nls,
#        y ~ A + (B - A) / (1 + exp((xmid - log(x)) / scal))^g
#        serostudy: bottom = A, top = B, ec50 = exp(xmid), hill = 1/scal, asymmetry = g
# Weights (fixed, from the observed data):
#   none, 1/y, 1/y2 (= 1/y^2), 1/var (1 / variance of the replicates at that concentration)
suppressPackageStartupMessages(library(stats))

here <- "tests/reference/assay"

## ---- data -----------------------------------------------------------------------
dn <- lapply(c("1", "2", "3"), function(r) {
  d <- DNase[DNase$Run == r, ]
  data.frame(curve = paste0("DNase_run", r), conc = d$conc, response = d$density)
})

set.seed(20240601)
fpl <- function(x, bottom, top, ec50, hill, g = 1) bottom + (top - bottom) / (1 + (ec50 / x)^hill)^g
sim_curve <- function(id, conc, reps, bottom, top, ec50, hill, g = 1, cv = 0.04, sd0 = 0.01) {
  x <- rep(conc, each = reps)
  mu <- fpl(x, bottom, top, ec50, hill, g)
  y <- mu + rnorm(length(mu), sd = sqrt((cv * mu)^2 + sd0^2))
  data.frame(curve = id, conc = x, response = round(y, 4))
}
levels8 <- c(2, 5, 10, 20, 40, 80, 160, 320)
sims <- list(
  sim_curve("sim_rising_4pl", levels8, 2, bottom = 0.06, top = 2.6, ec50 = 45, hill = 1.3),
  sim_curve("sim_falling_4pl", levels8, 3, bottom = 0.12, top = 2.1, ec50 = 30, hill = -0.9),
  sim_curve("sim_asym_5pl", c(1, 3, 8, 20, 50, 120, 300, 700, 1500), 3,
            bottom = 0.05, top = 3.0, ec50 = 60, hill = 1.6, g = 0.45, cv = 0.03, sd0 = 0.005)
)
data <- do.call(rbind, c(dn, sims))
write.csv(data, file.path(here, "curves_data.csv"), row.names = FALSE)

## ---- fits -----------------------------------------------------------------------
# tol: nls's relative-offset criterion; 1e-6 (default 1e-5) is reached on every curve here,
# and much smaller values hit the floating-point floor of Gauss-Newton.
ctrl <- nls.control(maxiter = 500, tol = 1e-6)

weights_for <- function(d, scheme) {
  switch(scheme,
    "none" = rep(1, nrow(d)),
    "1/y" = 1 / d$response,
    "1/y2" = 1 / d$response^2,
    "1/var" = {
      v <- ave(d$response, d$conc, FUN = var)
      1 / v
    })
}

fit_one <- function(d, model, scheme) {
  d$w <- weights_for(d, scheme)
  f4 <- nls(response ~ SSfpl(log(conc), A, B, xmid, scal), data = d, weights = w, control = ctrl)
  if (model == "4pl") {
    fit <- f4
  } else {
    st <- as.list(coef(f4)); st$g <- 1
    fit <- nls(response ~ A + (B - A) / (1 + exp((xmid - log(conc)) / scal))^g,
               data = d, weights = w, start = st, control = ctrl)
  }
  cf <- coef(fit); se <- sqrt(diag(vcov(fit)))
  ll <- logLik(fit)
  data.frame(
    curve = d$curve[1], model = model, weights = scheme, n = nrow(d),
    A = cf[["A"]], B = cf[["B"]], xmid = cf[["xmid"]], scal = cf[["scal"]],
    g = if (model == "5pl") cf[["g"]] else NA_real_,
    se_A = se[["A"]], se_B = se[["B"]], se_xmid = se[["xmid"]], se_scal = se[["scal"]],
    se_g = if (model == "5pl") se[["g"]] else NA_real_,
    bottom = cf[["A"]], top = cf[["B"]], ec50 = exp(cf[["xmid"]]), hill = 1 / cf[["scal"]],
    asymmetry = if (model == "5pl") cf[["g"]] else NA_real_,
    # delta method (exact for the Jacobian-based covariance): se(exp(xmid)) = exp(xmid) se(xmid),
    # se(1/scal) = se(scal) / scal^2
    se_bottom = se[["A"]], se_top = se[["B"]], se_ec50 = exp(cf[["xmid"]]) * se[["xmid"]],
    se_hill = se[["scal"]] / cf[["scal"]]^2,
    se_asymmetry = if (model == "5pl") se[["g"]] else NA_real_,
    sigma = summary(fit)$sigma, rss = sum(d$w * residuals(fit)^2),
    df_residual = df.residual(fit), loglik = as.numeric(ll), aic = AIC(fit),
    fin_tol = fit$convInfo$finTol, r_version = R.version.string, stringsAsFactors = FALSE
  )
}

rows <- list()
for (cid in unique(data$curve)) {
  d <- data[data$curve == cid, ]
  for (model in c("4pl", "5pl")) {
    for (scheme in c("none", "1/y", "1/y2", "1/var")) {
      r <- tryCatch(fit_one(d, model, scheme), error = function(e) {
        message(sprintf("no convergence: %s %s %s: %s", cid, model, scheme, conditionMessage(e)))
        NULL
      })
      if (!is.null(r)) rows[[length(rows) + 1]] <- r
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "fits_reference.csv"), row.names = FALSE)
cat(sprintf("wrote %d fits with %s\n", nrow(out), R.version.string))

## ---- back-calculation with a 95% interval (delta method on the log scale) ---------
# For the fits with weights none and 1/y2: the concentration for the responses at the
# 20th, 50th and 80th percentile of the curve's data, as the mean of m = 2 replicates.
# Var(log x) = g' V g + (d log x / d y)^2 * sigma^2 / w(y) / m, with g from R's symbolic
# deriv() and V = vcov(fit); interval exp(log x +/- qt(0.975, df) * se).
inv_expr <- list(
  "4pl" = quote(xmid - scal * log((B - y) / (y - A))),
  "5pl" = quote(xmid - scal * log(((B - A) / (y - A))^(1 / g) - 1))
)
refit <- function(d, model, scheme) {
  d$w <- weights_for(d, scheme)
  f4 <- nls(response ~ SSfpl(log(conc), A, B, xmid, scal), data = d, weights = w, control = ctrl)
  if (model == "4pl") return(f4)
  st <- as.list(coef(f4)); st$g <- 1
  nls(response ~ A + (B - A) / (1 + exp((xmid - log(conc)) / scal))^g,
      data = d, weights = w, start = st, control = ctrl)
}
bc_rows <- list()
for (i in seq_len(nrow(out))) {
  r <- out[i, ]
  if (!(r$weights %in% c("none", "1/y2"))) next
  d <- data[data$curve == r$curve, ]
  fit <- refit(d, r$model, r$weights)
  cf <- coef(fit); V <- vcov(fit); s <- summary(fit)$sigma
  dd <- deriv(inv_expr[[r$model]], c(names(cf), "y"), function.arg = c(names(cf), "y"))
  for (y in quantile(fitted(fit), c(0.2, 0.5, 0.8), names = FALSE)) {
    val <- do.call(dd, c(as.list(cf), y = y))
    grad <- attr(val, "gradient")
    g_t <- grad[1, names(cf)]; g_y <- grad[1, "y"]
    vy <- if (r$weights == "none") s^2 else s^2 * y^2
    se <- sqrt(as.numeric(t(g_t) %*% V %*% g_t) + g_y^2 * vy / 2)
    tq <- qt(0.975, df.residual(fit))
    bc_rows[[length(bc_rows) + 1]] <- data.frame(
      curve = r$curve, model = r$model, weights = r$weights, response = y, n_replicates = 2,
      concentration = exp(as.numeric(val)), se_log = se,
      ci_low = exp(as.numeric(val) - tq * se), ci_high = exp(as.numeric(val) + tq * se),
      r_version = R.version.string, stringsAsFactors = FALSE)
  }
}
bc <- do.call(rbind, bc_rows)
write.csv(bc, file.path(here, "backcalc_reference.csv"), row.names = FALSE)
cat(sprintf("wrote %d back-calculations\n", nrow(bc)))
