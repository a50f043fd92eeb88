"""Conformance kits a new engine, family or tracker runs to prove itself (they need pytest).

``archsmith.testing.families``: every shipped space builds, trains one epoch, exports and
reloads in safe mode with the same predictions (:func:`check_space`);
``archsmith.testing.trackers``: the tracker contract (:class:`TrackerSuite`). Importing this
package is cheap; the kits import Keras when they run.
"""
