"""Pooled and per-bakery gradient boosting on exactly the days a `breadcast simulate` run scored.

The reference the consortium's model is measured against: scikit-learn's
HistGradientBoostingRegressor on scale-free features (sales lags 1, 2, 3, 6, 7, 14, 21 and 28
divided by the 28-day level, weekday, season as sin/cos of the day of year; no weather, no
holidays), one model per bakery ("local GBDT") and one on every bakery's training days
("pooled GBDT"), forecasting day-ahead. Python is not a project dependency: this is a one-off
comparison run by hand (numpy, pandas and scikit-learn must be installed):

    npm run breadcast -- simulate --data A.csv --data B.csv --holdout-days 56 \
        --forecasts run.csv --json > run.json
    OMP_NUM_THREADS=1 python3 simulation/reference/gbdt_reference.py --data A.csv --data B.csv \
        --holdout-days 56 --forecasts run.csv [--train-days N] [--json] [--save-predictions gbdt.csv]

Another run on the same days (same data, holdout and train days) is compared without refitting:
`--predictions gbdt.csv --forecasts other-run.csv`.

(One OpenMP thread: on a machine shared with other jobs, scikit-learn's spinning threads make
the fits many times slower.)

It reads the data files as simulate does (every distinct file × store is one bakery, named
like simulate's rows), holds out the same days (each bakery's last H calendar days up to its
last open day; with --train-days only the N days before them exist at all), and scores on the
rows of the forecasts file only, so every method — simulate's and these — is scored on the
same product-days. WAPE uses the median model (absolute-error loss on the scaled target),
waste / short the 0.7-quantile model; the same figures for simulate's methods come from the
forecasts file (the bake there is the critical-ratio quantile interpolated from the band, as
simulate bakes).
"""

import argparse
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

LAGS = [1, 2, 3, 6, 7, 14, 21, 28]
LEVELS = [0.1, 0.25, 0.5, 0.75, 0.9]
METHODS = ["federated", "local", "centralized"]


def flag(series):
    return series.astype(str).str.lower().isin(["1", "true"])


def bakeries_of(path):
    raw = pd.read_csv(path, dtype={"store": str})
    name = os.path.splitext(os.path.basename(path))[0]
    groups = [(name + "#" + s, g) for s, g in raw.groupby("store")] if "store" in raw else [(name, raw)]
    for bakery, rows in groups:
        rows = rows.assign(
            date=pd.to_datetime(rows["date"]),
            closed=flag(rows["closed"]) if "closed" in rows else False,
        )
        yield bakery, rows[["date", "product", "sold", "closed"]]


def features(rows):
    """Day-ahead features of every (product, day) of one bakery, on a dense calendar."""
    out = []
    for product, g in rows.groupby("product"):
        g = g.set_index("date").sort_index()
        days = pd.date_range(g.index.min(), g.index.max(), freq="D")
        g = g.reindex(days)
        open_sold = g["sold"].where(~g["closed"].fillna(False).astype(bool))
        level = open_sold.shift(1).rolling(28, min_periods=7).mean()
        f = pd.DataFrame({"date": days, "product": product, "sold": open_sold.values, "level": level.values})
        for lag in LAGS:
            f[f"lag{lag}"] = (open_sold.shift(lag) / level).values
        f["weekday"] = days.weekday
        doy = 2 * np.pi * days.dayofyear / 365.25
        f["season_sin"], f["season_cos"] = np.sin(doy), np.cos(doy)
        out.append(f)
    return pd.concat(out, ignore_index=True)


FEATURES = [f"lag{lag}" for lag in LAGS] + ["weekday", "season_sin", "season_cos"]


def fit(frame, quantile):
    train = frame[frame["level"] > 0].dropna(subset=["sold"])
    y = train["sold"] / train["level"]
    loss = {"loss": "absolute_error"} if quantile == 0.5 else {"loss": "quantile", "quantile": quantile}
    model = HistGradientBoostingRegressor(
        **loss, max_iter=300, learning_rate=0.05, categorical_features=[FEATURES.index("weekday")], random_state=0
    )
    return model.fit(train[FEATURES], y)


def predict(model, frame):
    return np.maximum(model.predict(frame[FEATURES]), 0) * frame["level"].fillna(0).values


def quantile_at(band, ratio):
    """The band's quantile at `ratio`, linear between the five levels (as simulate bakes)."""
    return np.array([np.interp(ratio, LEVELS, b) for b in band])


def figures(sold, median, bake):
    total = sold.sum()
    return {
        "wape": float(np.abs(median - sold).sum() / total) if total > 0 else None,
        "waste": float(np.maximum(bake - sold, 0).sum()),
        "shortage": float(np.maximum(sold - bake, 0).sum()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", required=True)
    parser.add_argument("--forecasts", required=True, help="simulate --forecasts output")
    parser.add_argument("--holdout-days", type=int, default=56)
    parser.add_argument("--train-days", type=int)
    parser.add_argument("--ratio", type=float, default=0.7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--save-predictions", help="write the GBDT forecasts of every scored day (CSV)")
    parser.add_argument(
        "--predictions",
        help="GBDT forecasts saved by an earlier run on the same days: score them, fit nothing",
    )
    args = parser.parse_args()

    # simulate's own level column (what its band was scaled by) would clash with this one's.
    scored = pd.read_csv(args.forecasts, parse_dates=["date"]).drop(columns=["level"], errors="ignore")
    train_parts, test_parts = [], []
    for path in args.data:
        for bakery, rows in bakeries_of(path):
            frame = features(rows)
            last = frame.loc[frame["sold"].notna() & (frame["sold"] > 0), "date"].max()
            first_holdout = last - pd.Timedelta(days=args.holdout_days - 1)
            if args.train_days is not None:
                # A young bakery knows nothing older, not even for its lags.
                frame = features(rows[rows["date"] >= first_holdout - pd.Timedelta(days=args.train_days)])
            frame["bakery"] = bakery
            train_parts.append(frame[frame["date"] < first_holdout])
            test_parts.append(frame[frame["date"] >= first_holdout])
    train = pd.concat(train_parts, ignore_index=True)
    test = scored.merge(
        pd.concat(test_parts, ignore_index=True).drop(columns=["sold"]),
        on=["bakery", "product", "date"],
        how="left",
        validate="one_to_one",
    )
    missing = test["level"].isna().sum()
    if missing:
        print(f"warning: {missing} scored days have no 28-day level here; GBDT forecasts 0", file=sys.stderr)

    gbdt_columns = ["pooled_median", "pooled_bake", "local_gbdt_median", "local_gbdt_bake"]
    if args.predictions:
        saved = pd.read_csv(args.predictions, parse_dates=["date"])
        test = test.merge(saved, on=["bakery", "product", "date"], how="left", validate="one_to_one")
        if test[gbdt_columns].isna().any().any():
            sys.exit(f"{args.predictions} does not cover every scored day of {args.forecasts}")
    else:
        print(f"fitting on {len(train)} training rows, scoring {len(test)} days", file=sys.stderr)
        pooled = {q: fit(train, q) for q in (0.5, args.ratio)}
        test["pooled_median"] = predict(pooled[0.5], test)
        test["pooled_bake"] = predict(pooled[args.ratio], test)
        test["local_gbdt_median"] = np.nan
        test["local_gbdt_bake"] = np.nan
        for bakery, part in train.groupby("bakery"):
            rows = test["bakery"] == bakery
            for q, column in ((0.5, "local_gbdt_median"), (args.ratio, "local_gbdt_bake")):
                test.loc[rows, column] = predict(fit(part, q), test[rows])
    if args.save_predictions:
        test[["bakery", "product", "date", *gbdt_columns]].to_csv(args.save_predictions, index=False)

    def table(part):
        sold = part["sold"].values
        row = {"testDays": int(part["date"].nunique()), "naive": figures(sold, part["naive"].values, part["naive"].values)}
        for m in METHODS:
            cols = [f"{m}_p{int(l * 100)}" for l in LEVELS]
            if part[cols[2]].notna().all():
                band = part[cols].values
                row[m] = figures(sold, band[:, 2], quantile_at(band, args.ratio))
        row["localGbdt"] = figures(sold, part["local_gbdt_median"].values, part["local_gbdt_bake"].values)
        row["pooledGbdt"] = figures(sold, part["pooled_median"].values, part["pooled_bake"].values)
        return row

    shops = {b: table(p) for b, p in test.groupby("bakery", sort=False)}
    overall = table(test)
    beats = sum(
        1 for r in shops.values() if "federated" in r and r["federated"]["wape"] < r["pooledGbdt"]["wape"]
    )
    result = {"shops": shops, "overall": overall, "federatedBeatsPooledGbdt": beats, "bakeries": len(shops)}
    if args.json:
        print(json.dumps(result))
        return
    names = ["naive", *METHODS, "localGbdt", "pooledGbdt"]
    print("| bakery | test days | " + " | ".join(f"WAPE {n}" for n in names) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in names) + " |")
    for bakery, r in [*shops.items(), ("**all**", overall)]:
        cells = [f"{100 * r[n]['wape']:.1f}%" if n in r else "–" for n in names]
        print(f"| {bakery} | {r['testDays']} | " + " | ".join(cells) + " |")
    fed = overall.get("federated", {}).get("wape")
    if fed is not None:
        ratio = fed / overall["pooledGbdt"]["wape"]
        print(f"\nfederated / pooled GBDT = {ratio:.3f}; federated better for {beats} of {len(shops)} bakeries")
    cost = {n: 0.3 * overall[n]["waste"] + 0.7 * overall[n]["shortage"] for n in names if n in overall}
    print("cost (0.3 × waste + 0.7 × short): " + ", ".join(f"{n} {c:,.0f}" for n, c in cost.items()))


if __name__ == "__main__":
    main()
