"""Training and scoring of NutriMapa's risk model; runs in its own process, never in web workers.

``python -m training.train`` builds a versioned artefact folder under ``models/``.
Only ``training.model``, ``training.explain`` and ``training.train`` import TensorFlow;
``training.features``, ``training.population`` and ``training.registry`` are pure
pandas/numpy so the web app can use them.
"""
