"""Tip model benchmark: size, agreement with Keras, and ai_edge_litert latency (as on a phone).

``python -m bench.tips_bench [--version v1]`` prints a JSON report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv: list[str] | None = None) -> int:
    from app.config import ROOT
    from training import registry, tips

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", default=None)
    args = parser.parse_args(argv)
    models_dir = ROOT / "models"
    version = args.version or registry.active_version(models_dir)
    folder = models_dir / version / "tips"
    meta = json.loads((folder / "tip_model.json").read_text(encoding="utf-8"))
    flat = (folder / "tip_model.tflite").read_bytes()
    grid = tips.grid_from_metadata(meta)

    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_content=flat)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.resize_tensor_input(inp["index"], [1, 5])
    interp.allocate_tensors()
    rng = np.random.default_rng(0)
    singles = []
    for i in rng.choice(len(grid), 2000, replace=False):
        t = time.perf_counter()
        interp.set_tensor(inp["index"], grid[i : i + 1])
        interp.invoke()
        interp.get_tensor(out["index"])
        singles.append(time.perf_counter() - t)
    t = time.perf_counter()
    lite = tips.run_tflite(flat, grid)
    batch_s = time.perf_counter() - t

    import keras

    reference = keras.saving.load_model(folder / "tip_model.keras").predict(grid, batch_size=8192, verbose=0)
    report = {
        "version": version,
        "tflite_bytes": len(flat),
        "budget_bytes": tips.MAX_BYTES,
        "profiles": len(grid),
        "max_abs_diff_tflite_vs_keras": round(float(np.abs(lite - reference).max()), 5),
        "same_top_tflite_vs_keras": round(float((lite.argmax(1) == reference.argmax(1)).mean()), 5),
        "single_profile_latency_ms": {
            "p50": round(float(np.percentile(singles, 50)) * 1000, 4),
            "p95": round(float(np.percentile(singles, 95)) * 1000, 4),
        },
        "all_profiles_batched_s": round(batch_s, 3),
        "json_bytes": (folder / "tip_model.json").stat().st_size,
    }
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
