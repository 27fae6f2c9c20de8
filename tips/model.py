"""The active version's TFLite tip model, served with ``ai_edge_litert`` (no TensorFlow in this process).

The model and its JSON come from ``models/<version>/tips/`` (built by ``training/tips.py``):
inputs in ``INPUTS`` order, per-district altitude and modelled risks in ``districts.rows``.
One :class:`TipModel` per version; :class:`ModelSource` reloads it when ``models/ACTIVE`` moves.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tips.errors import FieldError
from training import registry

log = logging.getLogger(__name__)

INPUTS = ("age_months", "sex_female", "altitude_m", "anemia_risk", "stunting_risk")
AGE_RANGE = (0, 59)


class InputError(FieldError):
    """A profile the model cannot score; ``field`` names the request field."""


class NoTipModelError(RuntimeError):
    """The active model version has no tip model."""


@dataclass(eq=False)  # hashed by identity: preview answers are cached per loaded model
class TipModel:
    """One version's tip model: the interpreter, category labels and district inputs."""

    version: str
    categories: tuple[str, ...]
    labels: dict[str, dict[str, str]]  # key -> {es, en}
    districts: dict[str, tuple[float, float, float]]  # ubigeo -> altitude_m, anemia_risk, stunting_risk
    flatbuffer: bytes
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _interp: object = field(default=None, repr=False)
    _batch: int = field(default=-1, repr=False)

    @classmethod
    def load(cls, version_dir: Path) -> TipModel:
        folder = version_dir / "tips"
        meta_path, flat_path = folder / "tip_model.json", folder / "tip_model.tflite"
        if not meta_path.exists() or not flat_path.exists():
            raise NoTipModelError(f"model version {version_dir.name} has no tip model (tips/tip_model.tflite)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        names = tuple(i["name"] for i in meta["inputs"])
        if names != INPUTS:
            raise NoTipModelError(f"tip model {version_dir.name} expects inputs {names}; this service builds {INPUTS}")
        columns = tuple(meta["districts"]["columns"])
        if columns != INPUTS[2:]:
            raise NoTipModelError(f"tip model {version_dir.name} has district columns {columns}")
        categories = tuple(c["key"] for c in meta["categories"])
        labels = {c["key"]: {"es": c["es"], "en": c["en"]} for c in meta["categories"]}
        districts = {u: tuple(float(v) for v in row) for u, row in meta["districts"]["rows"].items()}
        return cls(version_dir.name, categories, labels, districts, flat_path.read_bytes())

    def inputs(self, ubigeo: str, age_months: int, female: bool) -> np.ndarray:
        """One profile row, or :class:`InputError` naming the field the model cannot handle."""
        if ubigeo not in self.districts:
            raise InputError(
                "ubigeo", f"unknown district {ubigeo!r}: expected the 6-digit UBIGEO of a Peruvian district"
            )
        lo, hi = AGE_RANGE
        if not lo <= age_months <= hi:
            raise InputError("age_months", f"the tip model covers ages {lo}-{hi} months (under 5); got {age_months}")
        return np.array([[age_months, float(female), *self.districts[ubigeo]]], dtype="float32")

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Scores in [0, 1], shape (n, categories), for profile rows in ``INPUTS`` order (one batched invoke)."""
        from ai_edge_litert.interpreter import Interpreter

        x = np.ascontiguousarray(x, dtype="float32")
        with self._lock:  # an interpreter is not thread-safe
            if self._interp is None:
                self._interp = Interpreter(model_content=self.flatbuffer, num_threads=1)
            interp = self._interp
            inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
            if self._batch != len(x):
                interp.resize_tensor_input(inp["index"], x.shape)
                interp.allocate_tensors()
                self._batch = len(x)
            interp.set_tensor(inp["index"], x)
            interp.invoke()
            return interp.get_tensor(out["index"]).copy()


class ModelSource:
    """The active tip model, loaded once per process and reloaded when the active version changes.

    With ``db`` (the admin database) the active version is the one promoted there, else ``models/ACTIVE``
    (``app.db.active``); without it, ``models/ACTIVE`` alone.
    """

    def __init__(self, models_dir: Path, check_every_s: float = 1.0, db=None) -> None:
        from app.db.active import ActiveModel

        self.models_dir = models_dir
        self.check_every_s = check_every_s
        self._pointer = ActiveModel(db, models_dir, check_every_s=0) if db is not None else None
        self._model: TipModel | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def current(self) -> TipModel:
        now = time.monotonic()
        model = self._model
        if model is not None and now - self._checked < self.check_every_s:
            return model
        with self._lock:
            self._checked = now
            version = self._pointer.get() if self._pointer else registry.active_version(self.models_dir)
            if version is None:
                raise NoTipModelError(f"no active model version in {self.models_dir}")
            if self._model is None or self._model.version != version:
                self._model = TipModel.load(self.models_dir / version)
                log.info("tip model %s loaded (%d districts)", version, len(self._model.districts))
            return self._model
