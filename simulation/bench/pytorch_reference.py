"""PyTorch reference for the training benchmark (run by `npm run bench -- --only training`).

Trains the production network on the bench's own samples with the production settings: the same
architecture (inputs -> 32 -> 16 -> 5, relu), the same non-crossing quantile head and censored,
level-weighted pinball loss, the same batch size, Adam (epsilon 1e-7 as TF.js), cosine decay per
epoch and 30 % weather dropout, on CPU with the given thread count. Like the TypeScript trainer,
a run also evaluates the loss on every sample before and after training. Prints one JSON line:
the median and best samples/s over RUNS timed runs after one warm-up run.

Usage: python3 pytorch_reference.py SAMPLES FEATURES EPOCHS BATCH LEARNING_RATE THREADS
       WEATHER_COLUMNS RUNS
SAMPLES holds float32 rows of FEATURES + 3 values: features, target, censored (0/1), weight.
WEATHER_COLUMNS: the four column indices set to (0, 1, 0, 1) on a row whose weather is hidden.
PyTorch is not a project dependency: without it this prints {"missing": ...}.
"""

import json
import math
import statistics
import sys
import time

try:
    import torch
except ImportError as error:
    print(json.dumps({"missing": f"PyTorch is not installed ({error})"}))
    sys.exit(0)

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
WEATHER_DROPOUT = 0.3


def network(features: int) -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Linear(features, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, len(QUANTILES)),
    )


def quantiles(raw: torch.Tensor) -> torch.Tensor:
    steps = torch.nn.functional.softplus(raw[:, 1:])
    return torch.cumsum(torch.cat([raw[:, :1], steps], dim=1), dim=1)


def pinball(q, y, censored, weight, tau):
    e = y - q
    under = tau * torch.relu(e)
    over = (1 - tau) * torch.relu(-e) * (1 - censored)
    per_row = (under + over).sum(dim=1, keepdim=True)
    return (per_row * weight).sum() / torch.clamp(weight.sum(), min=1e-9)


def train(x, y, c, w, epochs, batch, learning_rate, weather_columns):
    model = network(x.shape[1])
    tau = torch.tensor([QUANTILES])
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate, eps=1e-7)
    n = x.shape[0]
    with torch.no_grad():
        loss_before = pinball(quantiles(model(x)), y, c, w, tau).item()
    hidden_values = torch.tensor([0.0, 1.0, 0.0, 1.0])
    for epoch in range(1, epochs + 1):
        progress = (epoch - 1) / (epochs - 1) if epochs > 1 else 0
        for group in optimizer.param_groups:
            group["lr"] = learning_rate * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))
        order = torch.randperm(n)
        epoch_loss = torch.zeros(())
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            xb = x[rows]
            hidden = (torch.rand(rows.shape[0]) < WEATHER_DROPOUT).nonzero(as_tuple=True)[0]
            xb[hidden.unsqueeze(1), weather_columns] = hidden_values
            loss = pinball(quantiles(model(xb)), y[rows], c[rows], w[rows], tau)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.detach()
        epoch_loss.item()
    with torch.no_grad():
        loss_after = pinball(quantiles(model(x)), y, c, w, tau).item()
    return loss_before, loss_after


def main() -> None:
    path, features, epochs, batch, learning_rate, threads, weather, runs = sys.argv[1:9]
    features, epochs, batch, runs = int(features), int(epochs), int(batch), int(runs)
    torch.set_num_threads(int(threads))
    torch.manual_seed(1)
    weather_columns = torch.tensor([int(v) for v in weather.split(",")])
    with open(path, "rb") as handle:
        table = torch.frombuffer(bytearray(handle.read()), dtype=torch.float32)
    table = table.reshape(-1, features + 3)
    x = table[:, :features].contiguous()
    y, c, w = (table[:, features + k : features + k + 1].contiguous() for k in range(3))
    settings = (epochs, batch, float(learning_rate), weather_columns)
    train(x, y, c, w, *settings)  # warm-up: allocations and kernels, as the TypeScript bench does
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        loss_before, loss_after = train(x, y, c, w, *settings)
        rates.append(x.shape[0] * epochs / (time.perf_counter() - started))
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "samplesPerSecond": statistics.median_low(rates),
                "bestSamplesPerSecond": max(rates),
                "runs": runs,
                "lossBefore": loss_before,
                "lossAfter": loss_after,
            }
        )
    )


if __name__ == "__main__":
    main()
