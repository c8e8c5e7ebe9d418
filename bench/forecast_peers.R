# The statistical peers of `recur forecast`: R's forecast package (Hyndman), fitted on the
# training span only, then run one step ahead over the test span with the fitted model (no
# re-estimation: Arima(y, model = fit), ets(y, model = fit, use.initial.values = TRUE)), plus
# naive and seasonal naive. Optionally scores Recur's predictions.csv on exactly the same targets.
#
#   Rscript bench/forecast_peers.R --csv FILE [--target COL] [--test-size N | --test-fraction F]
#                                  [--season M] [--recur predictions.csv] [--name NAME]
#
# Prints one tab-separated row per method: series, method, n, RMSE, MAE, MASE, sMAPE.
# MASE divides by the in-sample MAE of the seasonal naive forecast (lag M, or 1 without a season)
# over the training span; sMAPE = 200/n · Σ |y − ŷ| / (|y| + |ŷ|) (the M4 definition, in %).
# Seasons above 24 (daily data with a yearly cycle): ets() cannot model them and ignores them;
# auto.arima() gets them as Fourier terms (K pairs, chosen by AICc), as Hyndman recommends.

suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
opt <- list(target = NULL, test_size = NULL, test_fraction = 0.2, season = 1, recur = NULL, name = NULL)
i <- 1
while (i <= length(args)) {
  key <- sub("^--", "", args[i]); value <- args[i + 1]
  switch(key,
    csv = opt$csv <- value, target = opt$target <- value, `test-size` = opt$test_size <- as.integer(value),
    `test-fraction` = opt$test_fraction <- as.numeric(value), season = opt$season <- as.integer(value),
    recur = opt$recur <- value, name = opt$name <- value,
    stop(sprintf("unknown option --%s", key)))
  i <- i + 2
}
if (is.null(opt$csv)) stop("--csv FILE is required")
if (is.null(opt$name)) opt$name <- basename(opt$csv)

data <- read.csv(opt$csv, check.names = FALSE, stringsAsFactors = FALSE)
column <- if (is.null(opt$target)) ncol(data) else if (grepl("^[0-9]+$", opt$target)) as.integer(opt$target) + 1 else opt$target
y_all <- as.numeric(data[[column]])
if (anyNA(y_all)) y_all <- as.numeric(na.interp(ts(y_all, frequency = max(1, opt$season))))
n <- length(y_all)
test_size <- if (is.null(opt$test_size)) round(n * opt$test_fraction) else opt$test_size
train_end <- n - test_size
m <- max(1, opt$season)
y <- ts(y_all, frequency = m)
train <- ts(y_all[1:train_end], frequency = m)
test_idx <- (train_end + 1):n
actual <- y_all[test_idx]

one_step <- list()

fit_ets <- suppressWarnings(ets(train))
one_step$ets <- as.numeric(fitted(suppressWarnings(ets(y, model = fit_ets, use.initial.values = TRUE))))[test_idx]

if (m <= 24) {
  fit_arima <- auto.arima(train)
  one_step$auto.arima <- as.numeric(fitted(Arima(y, model = fit_arima)))[test_idx]
} else {
  best <- NULL
  for (k in 1:min(5, floor(m / 2))) {
    fit <- auto.arima(train, xreg = fourier(train, K = k), seasonal = FALSE)
    if (is.null(best) || fit$aicc < best$fit$aicc) best <- list(fit = fit, k = k)
  }
  one_step$auto.arima <- as.numeric(fitted(Arima(y, model = best$fit, xreg = fourier(y, K = best$k))))[test_idx]
}
one_step$naive <- y_all[test_idx - 1]
if (m > 1) one_step$snaive <- y_all[test_idx - m]

if (!is.null(opt$recur)) {
  p <- read.csv(opt$recur, check.names = FALSE)
  f <- if ("forecast" %in% names(p)) p$forecast else p[["forecast_1"]]
  if (length(f) != test_size) stop(sprintf("%s has %d forecasts; the test span has %d", opt$recur, length(f), test_size))
  if (max(abs(p$actual - actual)) > 1e-6 * max(1, max(abs(actual)))) stop(sprintf("%s: its actual values differ from the test span of %s", opt$recur, opt$csv))
  one_step$recur <- f
}

scale <- mean(abs(diff(y_all[1:train_end], lag = m)))
for (method in names(one_step)) {
  f <- one_step[[method]]
  e <- actual - f
  cat(sprintf("%s\t%s\t%d\t%.6g\t%.6g\t%.6g\t%.6g\n", opt$name, method, length(e), sqrt(mean(e^2)), mean(abs(e)),
              mean(abs(e)) / scale, 200 * mean(abs(e) / (abs(actual) + abs(f)))))
}
