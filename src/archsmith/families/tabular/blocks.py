"""Keras blocks of the tabular family (one function per block, named after it)."""

from archsmith.families.tabular._encodings import numeric_encoding
from archsmith.families.tabular._tabm import realmlp
from archsmith.families.tabular._tabm import tabm

__all__ = ["numeric_encoding", "realmlp", "tabm"]
