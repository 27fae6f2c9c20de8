"""The Keras risk model: preprocessing inside, a bootstrap ensemble of small dense nets, two heads.

One network per ensemble member, each with two sigmoid outputs (anemia, stunting):
the targets share their drivers (altitude, wealth, age), a child with a missing
label still teaches the other head (masked loss), and one file and one SHAP pass
serve both. Members are trained at once on cluster-bootstrap weights; their
spread gives the uncertainty, their mean is the estimate.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from training.features import CATEGORICAL, FEATURES, NUMERIC, TARGETS


def build_encoder(norm_stats: dict[str, tuple[float, float]]) -> keras.Model:
    """Raw features -> one float vector: standardised numbers and one-hot categories."""
    inputs, parts = _inputs(), []
    for f in FEATURES:
        if f in NUMERIC:
            mean, var = norm_stats[f]
            parts.append(layers.Normalization(mean=mean, variance=var, name=f"norm_{f}")(inputs[f]))
        else:
            lookup = layers.StringLookup(
                vocabulary=list(CATEGORICAL[f]), num_oov_indices=1, output_mode="one_hot", name=f"onehot_{f}"
            )
            parts.append(lookup(inputs[f]))
    encoded = layers.Concatenate(name="encoded")(parts)
    return keras.Model(inputs, encoded, name="encoder")


DEEP_FEATURES = ("age_months", "altitude_m", "sex", "area", "wealth", "education", "department")


def _selection_matrix() -> np.ndarray:
    """0/1 matrix picking the deep tower's columns out of the encoded vector."""
    from training.features import feature_slices

    cols = [i for f, sl in feature_slices().items() if f in DEEP_FEATURES for i in range(sl.start, sl.stop)]
    width = max(sl.stop for sl in feature_slices().values())
    sel = np.zeros((width, len(cols)), dtype="float32")
    sel[cols, np.arange(len(cols))] = 1.0
    return sel


def build_core(width: int, members: int, hidden: int = 32, l2: float = 1e-4, seed: int = 0) -> keras.Model:
    """Encoded vector -> (members, targets) probabilities; each member its own small wide-and-deep net."""
    x = keras.Input(shape=(width,), name="encoded_input")
    reg = keras.regularizers.L2(l2)
    # The year trend enters only the linear (wide) path, so it extrapolates
    # like a regression; the deep tower models everything else and its interactions.
    select = layers.Dense(len(_selection_matrix()[0]), use_bias=False, trainable=False, name="deep_features")
    xd = select(x)
    select.set_weights([_selection_matrix()])
    outs = []
    for m in range(members):
        init = keras.initializers.GlorotUniform(seed=seed * 1000 + m)
        h = layers.Dense(
            hidden, activation="relu", kernel_regularizer=reg, kernel_initializer=init, name=f"m{m}_dense1"
        )(xd)
        h = layers.Dense(
            hidden // 2, activation="relu", kernel_regularizer=reg, kernel_initializer=init, name=f"m{m}_dense2"
        )(h)
        # Wide and deep: a linear path on the encoded features plus the hidden layers.
        deep = layers.Dense(len(TARGETS), kernel_initializer=init, name=f"m{m}_out")(h)
        wide = layers.Dense(
            len(TARGETS), kernel_initializer=init, kernel_regularizer=reg, use_bias=False, name=f"m{m}_wide"
        )(x)
        outs.append(layers.Activation("sigmoid", name=f"m{m}_prob")(layers.Add(name=f"m{m}_logit")([deep, wide])))
    stacked = layers.Concatenate(axis=1, name="members")([layers.Reshape((1, len(TARGETS)))(o) for o in outs])
    return keras.Model(x, stacked, name="core")


def _inputs() -> dict[str, keras.KerasTensor]:
    return {f: keras.Input(shape=(1,), name=f, dtype="float32" if f in NUMERIC else "string") for f in FEATURES}


def build_model(
    norm_stats: dict[str, tuple[float, float]], members: int, seed: int = 0, hidden: int = 32, l2: float = 1e-4
) -> keras.Model:
    """Raw features -> (n, members, 2) probabilities, preprocessing included (nested encoder and core)."""
    encoder = build_encoder(norm_stats)
    core = build_core(encoder.output.shape[-1], members, hidden=hidden, l2=l2, seed=seed)
    inputs = _inputs()
    return keras.Model(inputs, core(encoder(inputs)), name="nutrimapa_risk")


def masked_bce(y_true, y_pred):
    """Binary cross-entropy weighted per member and target; y_true packs labels then weights."""
    n_t = len(TARGETS)
    labels, weights = y_true[..., :n_t], y_true[..., n_t:]
    p = ops.clip(y_pred, 1e-6, 1 - 1e-6)
    bce = -(labels * ops.log(p) + (1 - labels) * ops.log(1 - p))
    return ops.sum(bce * weights) / ops.maximum(ops.sum(weights), 1.0)


def mean_model(model: keras.Model) -> keras.Model:
    """Encoded vector -> ensemble-mean probabilities (n, 2): what SHAP explains."""
    core = model.get_layer("core")
    x = keras.Input(shape=(core.input_shape[-1],))
    return keras.Model(x, layers.GlobalAveragePooling1D(name="member_mean")(core(x)), name="core_mean")


def encode(model: keras.Model, inputs: dict[str, np.ndarray], batch_size: int = 65536) -> np.ndarray:
    """Raw inputs -> encoded float matrix (the dense core's input)."""
    return model.get_layer("encoder").predict(dataset(inputs, batch_size=batch_size), verbose=0)


def dataset(
    inputs: dict[str, np.ndarray], y: np.ndarray | None = None, batch_size: int = 256, shuffle_seed: int | None = None
):
    """A tf.data pipeline (Keras 3 takes string features only as TensorFlow tensors)."""
    import tensorflow as tf

    tensors = {k: tf.constant(v) for k, v in inputs.items()}
    ds = tf.data.Dataset.from_tensor_slices((tensors, y) if y is not None else tensors)
    if shuffle_seed is not None:
        ds = ds.shuffle(len(next(iter(inputs.values()))), seed=shuffle_seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(2)


def predict(model: keras.Model, inputs: dict[str, np.ndarray], batch_size: int = 32768) -> np.ndarray:
    """(n, members, targets) probabilities."""
    return model.predict(dataset(inputs, batch_size=batch_size), verbose=0)
