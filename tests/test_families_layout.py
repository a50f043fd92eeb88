"""The family folders: a Keras-free registry, catalog arguments that match the blocks'
signatures, and shipped spaces that are package files (the top-level copy is identical)."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from archsmith.families import BLOCKS
from archsmith.families import CATALOG
from archsmith.families import FAMILIES
from archsmith.families import FAMILY_NAMES
from archsmith.families import block_function
from archsmith.search_space import shipped_spaces
from conftest import ROOT

PACKAGE = ROOT / "src" / "archsmith" / "families"
DOCS_COPY = ROOT / "search_spaces"


def test_importing_the_families_imports_no_keras() -> None:
    code = (
        "import sys, archsmith.families, archsmith.builders; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('keras', 'tensorflow', 'jax', 'torch')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_every_family_folder_is_registered_and_complete() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name[0] != "_")
    folders = [f for f in folders if f != "__pycache__"]
    assert sorted(FAMILY_NAMES) == folders
    for name, family in FAMILIES.items():
        assert family.name == name
        assert (PACKAGE / name / "blocks.py").is_file(), name
        assert family.blocks, f"family {name} declares no blocks"


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_catalog_arguments_match_the_block_signature(block: str) -> None:
    family, declared = BLOCKS[block]
    params = inspect.signature(block_function(block)).parameters
    keywords = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()), block
    assert set(declared.takes) <= keywords, f"{block} does not take {set(declared.takes)}"
    assert set(CATALOG.blocks[block].args) == keywords - set(declared.takes), (
        f"catalog arguments of {block} (family {family.name}) differ from its function's "
        "keyword parameters"
    )
    for name, arg in CATALOG.blocks[block].args.items():
        if arg.only_with is not None and arg.required:  # left out when its sibling differs
            assert params[name].default is not inspect.Parameter.empty, f"{block}.{name}"


def test_family_hooks_name_functions_of_its_blocks_module() -> None:
    for family in FAMILIES.values():
        for hook in (*family.inputs.values(), *([family.facts] if family.facts else [])):
            assert callable(family.function(hook)), f"{family.name}.{hook}"


def test_shipped_spaces_live_in_their_family_folders() -> None:
    shipped = shipped_spaces()
    assert len(shipped) == len(list(PACKAGE.glob("*/*.yaml")))  # space names are unique
    for name, path in shipped.items():
        assert path.parent.parent == PACKAGE, name
        assert path.parent.name in FAMILIES, name
    assert not (ROOT / "src" / "archsmith" / "search_spaces").exists()


def test_the_top_level_search_spaces_are_a_byte_identical_copy() -> None:
    packaged = {p.name: p for p in PACKAGE.glob("*/*.yaml")}
    copies = {p.name: p for p in DOCS_COPY.glob("*.yaml")}
    assert sorted(copies) == sorted(packaged), "search_spaces/ and the family folders differ"
    for name, path in packaged.items():
        assert copies[name].read_bytes() == path.read_bytes(), (
            f"search_spaces/{name} differs from {path.relative_to(ROOT)}; copy the packaged "
            "file over it"
        )
