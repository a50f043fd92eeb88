"""Conformance kits a new engine, family or tracker runs to prove itself (need pytest)."""
