"""Conformance kits a new family (and, later, engine or tracker) runs to prove itself.

``archsmith.testing.families``: every shipped space builds, trains one epoch, exports and
reloads in safe mode with the same predictions (:func:`check_space`). Importing this
package is cheap; the kits import Keras when they run.
"""
