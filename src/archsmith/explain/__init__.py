"""Explanations of a searched model: which inputs its predictions depend on.

* Tables: permutation importance per raw input column (:func:`permutation_importance`):
  the drop of the search's metric when one column's values are shuffled among the rows.
* Images and sequences: integrated gradients (:func:`integrated_gradients`): per pixel or
  time step (and channel), how much the input moved the predicted output away from a
  baseline (the training mean), TensorFlow backend.

:func:`explain` picks the method for the model's data kind; :func:`log_explanation`
writes the values (CSV, JSON) and a plot to the search's MLflow run (``explain/``).
``AutoModel.explain`` and ``archsmith explain`` use both.
"""

from archsmith.explain._gradients import integrated_gradients
from archsmith.explain._permutation import permutation_importance
from archsmith.explain._report import Explanation
from archsmith.explain._report import Subject
from archsmith.explain._report import explain
from archsmith.explain._report import explain_result
from archsmith.explain._report import explain_search
from archsmith.explain._report import log_explanation

__all__ = [
    "Explanation",
    "Subject",
    "explain",
    "explain_result",
    "explain_search",
    "integrated_gradients",
    "log_explanation",
    "permutation_importance",
]
