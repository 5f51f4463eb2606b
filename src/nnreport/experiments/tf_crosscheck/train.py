"""Our NumPy core checked against TensorFlow (the reference).

1. Optimizers: ours and ``keras.optimizers`` apply the same sequence of random gradients to the
   same float64 parameters for ``steps`` steps; the table gives the largest absolute
   difference of the parameters. Like is compared with like: Keras adds Adam's epsilon to the
   *uncorrected* sqrt(v) (the paper's epsilon-hat, section 2), as our default does; and Keras
   puts AdaGrad's and RMSprop's epsilon *under* the square root, where ours (the textbook's)
   adds it after. Those two are therefore run with epsilon = 2**-60, where the placement no
   longer shows at float64 precision, and AdaGrad with an initial accumulator of 0.125
   (Keras starts at 0.1, the textbook at 0).
   Keras keeps hyperparameters in float32, so every constant here is exactly representable
   in float32 (0.0625, 0.875, 1 - 2**-10, ...); otherwise their rounding would be compared.
2. Gradients: our MLP's backprop against ``tf.GradientTape`` on the same weights and batch
   (float64, with weight decay): the largest relative difference per parameter array.
"""

from __future__ import annotations

import os

import numpy as np

from nnreport.nn.network import MultiLayerNet
from nnreport.nn.optimizers import build_optimizer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# (label, our arm, the matching keras optimizer name and arguments)
PAIRS = [
    ("SGD", {"name": "sgd", "learning_rate": 0.0625}, ("SGD", {"learning_rate": 0.0625})),
    (
        "Momentum",
        {"name": "momentum", "learning_rate": 0.0625, "momentum": 0.875},
        ("SGD", {"learning_rate": 0.0625, "momentum": 0.875}),
    ),
    (
        "Nesterov",
        {"name": "nesterov", "learning_rate": 0.0625, "momentum": 0.875},
        ("SGD", {"learning_rate": 0.0625, "momentum": 0.875, "nesterov": True}),
    ),
    (
        "AdaGrad",
        {
            "name": "adagrad",
            "learning_rate": 0.0625,
            "epsilon": 2.0**-60,
            "initial_accumulator": 0.125,
        },
        (
            "Adagrad",
            {"learning_rate": 0.0625, "epsilon": 2.0**-60, "initial_accumulator_value": 0.125},
        ),
    ),
    (
        "RMSprop",
        {"name": "rmsprop", "learning_rate": 0.0078125, "rho": 0.875, "epsilon": 2.0**-60},
        ("RMSprop", {"learning_rate": 0.0078125, "rho": 0.875, "epsilon": 2.0**-60}),
    ),
    (
        "Adam",
        {
            "name": "adam",
            "learning_rate": 0.0078125,
            "beta_1": 0.875,
            "beta_2": 0.9990234375,
            "epsilon": 2.0**-23,
        },
        (
            "Adam",
            {
                "learning_rate": 0.0078125,
                "beta_1": 0.875,
                "beta_2": 0.9990234375,
                "epsilon": 2.0**-23,
            },
        ),
    ),
]


def optimizer_differences(steps: int, size: int, rng: np.random.Generator) -> list[dict]:
    import keras

    start = rng.standard_normal(size)
    grads = rng.standard_normal((steps, size))
    rows = []
    for label, arm, (keras_name, keras_args) in PAIRS:
        ours = {"w": start.copy().reshape(1, 1, -1)}
        optimizer = build_optimizer(arm)
        for g in grads:
            optimizer.update(ours, {"w": g.reshape(1, 1, -1)})
        variable = keras.Variable(start.copy(), dtype="float64")
        reference = getattr(keras.optimizers, keras_name)(**keras_args)
        for g in grads:
            reference.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), variable)])
        theirs = np.asarray(variable.numpy())
        rows.append(
            {
                "optimizer": label,
                "keras": f"keras.optimizers.{keras_name}",
                "max_abs_diff": float(np.max(np.abs(ours["w"].ravel() - theirs))),
                "moved": float(np.max(np.abs(theirs - start))),
            }
        )
    return rows


def tf_loss(params: dict, x, labels, activation: str, weight_decay: float, n_layers: int):
    import tensorflow as tf

    h = tf.constant(x)
    for layer in range(n_layers):
        h = tf.matmul(h, params[f"W{layer}"]) + params[f"b{layer}"]
        if layer < n_layers - 1:
            h = {"relu": tf.nn.relu, "sigmoid": tf.sigmoid, "tanh": tf.tanh}[activation](h)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, h))
    decay = sum(tf.reduce_sum(params[f"W{i}"] ** 2) for i in range(n_layers))
    return loss + 0.5 * weight_decay * decay


def gradient_differences(settings: dict, rng: np.random.Generator) -> list[dict]:
    import tensorflow as tf

    sizes = [settings["inputs"], *settings["hidden_sizes"], settings["classes"]]
    net = MultiLayerNet(
        sizes[0],
        sizes[1:-1],
        sizes[-1],
        rng=rng,
        dtype=np.float64,
        activation=settings["activation"],
        weight_init="xavier",
        weight_decay=settings["weight_decay"],
    )
    x = rng.standard_normal((settings["batch"], sizes[0]))
    labels = rng.integers(0, sizes[-1], settings["batch"])
    _, grads = net.gradient(x, labels)
    # Our keys number layers by position ("W0", "b0", then "W2", ... after activations);
    # map them to the Affine layers in order.
    affine_keys = [k for k in net.params if k.startswith("W")]
    params = {}
    for i, key in enumerate(affine_keys):
        position = key[1:]
        params[f"W{i}"] = tf.Variable(net.params[f"W{position}"][0])
        params[f"b{i}"] = tf.Variable(net.params[f"b{position}"][0, 0])
    with tf.GradientTape() as tape:
        loss = tf_loss(
            params, x, labels, settings["activation"], settings["weight_decay"], len(affine_keys)
        )
    reference = tape.gradient(loss, params)
    rows = []
    for i, key in enumerate(affine_keys):
        position = key[1:]
        for name, ours in (
            (f"W{i}", grads[f"W{position}"][0]),
            (f"b{i}", grads[f"b{position}"][0, 0]),
        ):
            theirs = reference[name].numpy()
            scale = max(np.abs(theirs).max(), 1e-300)
            rows.append(
                {
                    "param": name,
                    "shape": list(theirs.shape),
                    "max_rel_diff": float(np.abs(ours - theirs).max() / scale),
                }
            )
    return rows


def run(data, settings: dict, rng: np.random.Generator, progress=None):
    import tensorflow as tf

    optimizer_rng, gradient_rng = (
        np.random.default_rng(s) for s in rng.bit_generator.seed_seq.spawn(2)
    )
    optimizers = optimizer_differences(settings["steps"], settings["size"], optimizer_rng)
    gradients = gradient_differences(settings, gradient_rng)
    record = {
        "settings_used": settings,
        "tensorflow": tf.__version__,
        "optimizers": optimizers,
        "gradients": gradients,
        "log": [
            f"{r['optimizer']} vs {r['keras']}: max |diff| {r['max_abs_diff']:.3e}"
            for r in optimizers
        ]
        + [
            f"d loss / d {r['param']}: max relative diff {r['max_rel_diff']:.3e}" for r in gradients
        ],
        "work": {
            "weights": settings["size"],
            "models": len(PAIRS),
            "iterations": settings["steps"],
            "batch_size": 1,
            "eval_samples": 0,
            "repeats": 1,
        },
    }
    return record, {}


def nominal_flops(record: dict) -> float:
    w = record["work"]
    return 10.0 * w["weights"] * w["models"] * w["iterations"]
