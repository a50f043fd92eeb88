"""Search spaces: param domains, conditions, block choices; YAML -> engine-neutral IR."""

from archsmith.search_space._catalog import Arg
from archsmith.search_space._catalog import BlockSpec
from archsmith.search_space._catalog import Catalog
from archsmith.search_space._files import find_space
from archsmith.search_space._files import shipped_spaces
from archsmith.search_space._params import Bool
from archsmith.search_space._params import Choice
from archsmith.search_space._params import Condition
from archsmith.search_space._params import Domain
from archsmith.search_space._params import Float
from archsmith.search_space._params import Int
from archsmith.search_space._params import Param
from archsmith.search_space._parse import load_space
from archsmith.search_space._parse import parse_space
from archsmith.search_space._probes import branch_probes
from archsmith.search_space._space import Branch
from archsmith.search_space._space import Params
from archsmith.search_space._space import SearchSpace

__all__ = [
    "Arg",
    "BlockSpec",
    "Bool",
    "Branch",
    "Catalog",
    "Choice",
    "Condition",
    "Domain",
    "Float",
    "Int",
    "Param",
    "Params",
    "SearchSpace",
    "branch_probes",
    "find_space",
    "load_space",
    "parse_space",
    "shipped_spaces",
]
