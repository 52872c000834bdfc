"""Training pipeline (needs TensorFlow from requirements-train.txt, except data.py/augment.py)."""
