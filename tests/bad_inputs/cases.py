"""The bad-input catalogue: declarations, search spaces, datasets and engine settings that
archsmith must refuse with a clear error naming the file and line or the field path.

Each case is a folder's worth of files: ``x.yaml`` (the declaration), optionally
``space.yaml`` and data files. ``{pg}`` in a declaration is replaced by the test's
PostgreSQL URL (with a wrong password where the case says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError

GOOD_CSV = "a,b,c,y\n" + "".join(
    f"{i % 7},{(i * 13) % 11 / 3:.3f},{'xyz'[i % 3]},{'yes' if (i * 7) % 5 > 1 else 'no'}\n"
    for i in range(60)
)
HEAD = "name: x\ntask: {type: classification, target: y}\ndata: {train: data.csv}\n"
SPACE_HEAD = "name: custom\nfor: [tabular]\n"
SPACE_DECL = HEAD + "search: {space: space.yaml}\n"
GOOD_MODEL = "model:\n  - dense_stack:\n      units: 8\n"


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        id: test id.
        decl: the declaration's text.
        where: text the message must contain (file:line, field path or file name).
        error: the exception type.
        command: ``validate`` (no data read) or ``search`` (fails before any training).
        files: other files of the case (name -> text or bytes).
        needs: ``pg`` when the case needs the PostgreSQL server.
    """

    id: str
    decl: str
    where: tuple[str, ...]
    error: type[Exception] = SpecError
    command: str = "validate"
    files: dict[str, str | bytes] = field(default_factory=dict)
    needs: str = ""


def _data(text: str | bytes, name: str = "data.csv", **extra: str) -> dict[str, str | bytes]:
    return {name: text, **extra}


DECLARATIONS = [
    Case("decl-unknown-preset", HEAD + "preset: balance\n", ("preset", "did you mean 'balanced'")),
    Case(
        "decl-threshold-without-labels",
        "name: x\ntask: {type: classification, metric: roc_auc, threshold: tune}\n",
        ("task.threshold", "roc_auc"),
    ),
    Case("yaml-unclosed-brace", "name: x\ntask: {type: classification\n", ("x.yaml:3",)),
    Case("yaml-tab-indent", "name: x\ntask:\n\ttype: regression\n", ("x.yaml:3", "tabs")),
    Case("yaml-bad-indent", "name: x\ntask:\n  type: regression\n target: y\n", ("x.yaml:4",)),
    Case(
        "duplicate-top-key",
        "name: x\ntask: {type: regression}\nname: y\n",
        ("x.yaml:3: name: duplicate key 'name'",),
    ),
    Case(
        "duplicate-nested-key",
        "task: {type: regression}\nsearch:\n  max_trials: 3\n  max_trials: 4\n",
        ("x.yaml:4: search.max_trials: duplicate key",),
    ),
    Case("empty-document", "", ("x.yaml:1", "empty")),
    Case("list-document", "- task\n- data\n", ("x.yaml:1", "expected a mapping")),
    Case("scalar-document", "hello\n", ("x.yaml:1", "expected a mapping")),
    Case("missing-task", "name: x\n", ("x.yaml", "task")),
    Case("missing-task-type", "task: {target: y}\n", ("x.yaml:1: task",)),
    Case("unknown-task-type", "task: {type: clustering-xyz}\n", ("x.yaml:1: task",)),
    Case("unknown-top-key", "task: {type: regression}\nserach: {}\n", ("x.yaml:2: serach",)),
    Case(
        "unknown-nested-key",
        "task: {type: regression}\ndata: {validaton: 0.2}\n",
        ("x.yaml:2: data.validaton", "did you mean 'validation'"),
    ),
    Case(
        "metric-of-other-task",
        "task: {type: regression, metric: accuracy}\n",
        ("x.yaml:1: task.metric",),
    ),
    Case("metric-typo", "task: {type: classification, metric: auc}\n", ("task.metric", "roc_auc")),
    Case(
        "similarity-loss-of-other-mode",
        "task: {type: similarity, mode: triplets, loss: contrastive}\n",
        ("x.yaml:1: task.loss", "expected loss: triplet"),
    ),
    Case(
        "max-trials-not-int",
        "task: {type: regression}\nsearch:\n  max_trials: lots\n",
        ("x.yaml:3: search.max_trials",),
    ),
    Case(
        "max-trials-zero",
        "task: {type: regression}\nsearch: {max_trials: 0}\n",
        ("x.yaml:2: search.max_trials",),
    ),
    Case(
        "epochs-negative",
        "task: {type: regression}\ntraining: {epochs: -1}\n",
        ("x.yaml:2: training.epochs",),
    ),
    Case(
        "epochs-a-list",
        "task: {type: regression}\ntraining:\n  epochs: [1, 2]\n",
        ("x.yaml:3: training.epochs",),
    ),
    Case(
        "patience-zero",
        "task: {type: regression}\ntraining: {early_stopping: {patience: 0}}\n",
        ("x.yaml:2: training.early_stopping.patience",),
    ),
    Case(
        "validation-above-one",
        "task: {type: regression}\ndata: {validation: 1.5}\n",
        ("x.yaml:2: data.validation",),
    ),
    Case(
        "validation-plus-test-one",
        "task: {type: regression}\ndata:\n  validation: 0.5\n  test: 0.5\n",
        ("x.yaml:2: data", "validation + test must be < 1"),
    ),
    Case(
        "time-budget-words",
        "task: {type: regression}\nsearch: {time_budget: soon}\n",
        ("x.yaml:2: search.time_budget",),
    ),
    Case(
        "time-budget-bool",
        "task: {type: regression}\nsearch: {time_budget: true}\n",
        ("x.yaml:2: search.time_budget",),
    ),
    Case(
        "unknown-engine",
        "task: {type: regression}\nsearch: {engine: hyperopt-xyz}\n",
        ("x.yaml:2: search.engine",),
    ),
    Case(
        "unknown-algorithm",
        "task: {type: regression}\nsearch: {algorithm: no-such-algo}\n",
        ("x.yaml:2: search.algorithm",),
    ),
    Case("bad-name", "name: my search!\ntask: {type: regression}\n", ("x.yaml:1: name",)),
    Case(
        "retries-negative",
        "task: {type: regression}\nsearch: {retries: -1}\n",
        ("x.yaml:2: search.retries",),
    ),
    Case(
        "max-params-zero",
        "task: {type: regression}\nsearch: {constraints: {max_params: 0}}\n",
        ("x.yaml:2: search.constraints.max_params",),
    ),
    Case(
        "seed-a-string",
        "task: {type: regression}\ndata: {seed: abc}\n",
        ("x.yaml:2: data.seed",),
    ),
    Case(
        "unknown-family",
        "task: {type: regression}\nsearch: {space: [transformer-xyz]}\n",
        ("search.space", "transformer-xyz"),
    ),
    Case(
        "space-empty-list",
        "task: {type: regression}\nsearch: {space: []}\n",
        ("x.yaml:2: search.space",),
    ),
    Case(
        "space-file-missing",
        "task: {type: regression}\nsearch: {space: spaces/missing.yaml}\n",
        ("missing.yaml",),
    ),
]

SPACES = [
    Case(
        "space-low-above-high",
        SPACE_DECL,
        ("space.yaml:5: model.0.dense_stack.units",),
        files={
            "space.yaml": SPACE_HEAD + "model:\n  - dense_stack:\n"
            "      units: {type: int, low: 64, high: 8}\n"
        },
    ),
    Case(
        "space-unknown-param-type",
        SPACE_DECL,
        ("space.yaml:5: model.0.dense_stack.units",),
        files={
            "space.yaml": SPACE_HEAD + "model:\n  - dense_stack:\n"
            "      units: {type: integer, low: 8, high: 64}\n"
        },
    ),
    Case(
        "space-unknown-block",
        SPACE_DECL,
        ("space.yaml:4: model.0",),
        files={"space.yaml": SPACE_HEAD + "model:\n  - dense_stak:\n      units: 8\n"},
    ),
    Case(
        "space-unknown-block-argument",
        SPACE_DECL,
        ("space.yaml:5: model.0.dense_stack.unitz",),
        files={"space.yaml": SPACE_HEAD + "model:\n  - dense_stack:\n      unitz: 8\n"},
    ),
    Case(
        "space-empty-choice",
        SPACE_DECL,
        ("space.yaml:5: model.0.dense_stack.activation",),
        files={
            "space.yaml": SPACE_HEAD + "model:\n  - dense_stack:\n"
            "      activation: {type: choice, values: []}\n"
        },
    ),
    Case(
        "space-log-from-zero",
        SPACE_DECL,
        ("space.yaml:5: model.0.dense_stack.dropout",),
        files={
            "space.yaml": SPACE_HEAD + "model:\n  - dense_stack:\n"
            "      dropout: {type: float, low: 0.0, high: 0.5, log: true}\n"
        },
    ),
    Case(
        "space-condition-on-unknown-param",
        SPACE_DECL,
        ("space.yaml", "optimizer.momentum"),
        files={
            "space.yaml": SPACE_HEAD + GOOD_MODEL + "optimizer:\n  name: adam\n"
            "  momentum: {type: float, low: 0.0, high: 0.9, when: {optimizer.nom: sgd}}\n"
        },
    ),
    Case(
        "space-impossible-condition",
        SPACE_DECL,
        ("space.yaml", "optimizer.momentum"),
        files={
            "space.yaml": SPACE_HEAD + GOOD_MODEL + "optimizer:\n"
            "  name: {type: choice, values: [adam, sgd]}\n"
            "  momentum: {type: float, low: 0.0, high: 0.9, when: {optimizer.name: nadam}}\n"
        },
    ),
    Case(
        "space-cyclic-conditions",
        SPACE_DECL,
        ("space.yaml", "optimizer."),
        files={
            "space.yaml": SPACE_HEAD + GOOD_MODEL + "optimizer:\n"
            "  name: {type: choice, values: [adam, sgd], when: {optimizer.nesterov: true}}\n"
            "  nesterov: {type: bool, when: {optimizer.name: sgd}}\n"
        },
    ),
    Case(
        "space-malformed-yaml",
        SPACE_DECL,
        ("space.yaml:4",),
        files={"space.yaml": SPACE_HEAD + "model: [\n  - dense_stack\n"},
    ),
    Case(
        "space-no-model",
        SPACE_DECL,
        ("space.yaml", "model"),
        files={"space.yaml": SPACE_HEAD + "batch_size: 32\n"},
    ),
    Case(
        "space-bad-activation-value",
        SPACE_DECL,
        ("space.yaml:5: model.0.dense_stack.activation",),
        files={
            "space.yaml": SPACE_HEAD + "model:\n  - dense_stack:\n"
            "      activation: {type: choice, values: [relu, not_an_activation]}\n"
        },
    ),
]

SEARCH = "search: {max_trials: 1}\ntraining: {epochs: 1}\n"
REG = "name: x\ntask: {type: regression, target: y}\ndata: {train: data.csv}\n" + SEARCH
CLS = HEAD + SEARCH


SIM = "name: x\ntask: {type: similarity, target: y}\ndata: {train: data.csv}\n" + SEARCH


def _rows(n: int, target: str) -> str:
    return "a,y\n" + "".join(f"{i},{target.format(i=i)}\n" for i in range(n))


DATASETS = [
    Case("data-file-missing", CLS, ("data.csv",), DataError, "search"),
    Case("data-empty-file", CLS, ("data.csv",), DataError, "search", _data("")),
    Case("data-header-only", CLS, ("data.csv",), DataError, "search", _data("a,b,y\n")),
    Case("data-one-row", CLS, ("data.csv",), DataError, "search", _data("a,y\n1,yes\n")),
    Case("data-one-class", CLS, ("data.csv",), DataError, "search", _data(_rows(40, "yes"))),
    Case(
        "data-target-missing",
        CLS,
        ("data.csv", "target column 'y'"),
        DataError,
        "search",
        _data(GOOD_CSV.replace(",y\n", ",label\n", 1)),
    ),
    Case(
        "data-nan-target-regression",
        REG,
        ("data.csv", "y"),
        DataError,
        "search",
        _data(_rows(40, "{i}.5").replace("\n7,7.5\n", "\n7,nan\n")),
    ),
    Case(
        "data-inf-target-regression",
        REG,
        ("data.csv", "y"),
        DataError,
        "search",
        _data(_rows(40, "{i}.5").replace("\n7,7.5\n", "\n7,inf\n")),
    ),
    Case(
        "data-all-nan-target",
        CLS,
        ("data.csv", "y"),
        DataError,
        "search",
        _data(_rows(40, "")),
    ),
    Case(
        "data-text-target-regression",
        REG,
        ("data.csv", "y"),
        DataError,
        "search",
        _data(_rows(40, "v{i}")),
    ),
    Case(
        "data-mixed-type-target-regression",
        REG,
        ("data.csv", "y"),
        DataError,
        "search",
        _data(_rows(40, "{i}").replace("\n5,5\n", "\n5,five\n")),
    ),
    Case(
        "data-unreadable-parquet",
        HEAD.replace("data.csv", "data.parquet") + SEARCH,
        ("data.parquet",),
        DataError,
        "search",
        _data(b"\x00\x01 not a parquet file", "data.parquet"),
    ),
    Case(
        "data-unsupported-extension",
        HEAD.replace("data.csv", "data.xlsx") + SEARCH,
        ("data.xlsx",),
        DataError,
        "search",
        _data("a,y\n", "data.xlsx"),
    ),
    Case(
        "data-is-a-folder",
        HEAD.replace("data.csv", "folder") + SEARCH,
        ("folder",),
        DataError,
        "search",
        {"folder/a.txt": "x"},
    ),
    Case(
        "data-not-utf8",
        CLS,
        ("data.csv",),
        DataError,
        "search",
        _data(b"a,y\n\xff\xfe,\xff\n" * 20),
    ),
    Case(
        "data-ragged-rows",
        CLS,
        ("data.csv",),
        DataError,
        "search",
        _data("a,b,y\n1,2,yes\n1,2,3,4,5,no\n" * 20),
    ),
    Case(
        "data-no-feature-columns",
        CLS,
        ("data.csv", "feature"),
        DataError,
        "search",
        _data("y\n" + "yes\nno\n" * 30),
    ),
    Case(
        "data-drop-unknown-column",
        CLS.replace("{train: data.csv}", "{train: data.csv, drop: [nope]}"),
        ("data.drop", "nope"),
        DataError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "data-huge-categorical-cardinality",
        CLS,
        ("data.csv", "'id'", "data.drop"),
        DataError,
        "search",
        _data(
            "id,a,y\n"
            + "".join(f"user-{i}-x,{i % 5},{'yes' if i % 3 else 'no'}\n" for i in range(200))
        ),
    ),
    Case(
        "data-date-column",
        CLS,
        ("data.csv", "'when'", "data.drop"),
        DataError,
        "search",
        _data(
            "when,a,y\n"
            + "".join(
                f"2024-01-{1 + i % 28:02d},{i},{'yes' if i % 3 else 'no'}\n" for i in range(60)
            )
        ),
    ),
    Case(
        "data-too-few-rows-for-splits",
        CLS,
        ("data.csv",),
        DataError,
        "search",
        _data(_rows(6, "{i}").replace(",0\n", ",yes\n").replace(",1\n", ",no\n")),
    ),
    Case(
        "data-similarity-single-class",
        SIM,
        ("data.csv", "single class 'cat'", "at least 2 classes"),
        DataError,
        "search",
        _data(_rows(40, "cat")),
    ),
    Case(
        "data-split-group-unknown-column",
        HEAD.replace("train: data.csv", "train: data.csv, split: {group: nope}"),
        ("data.split.group", "'nope'", "not in the data"),
        DataError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "data-split-one-group",
        HEAD.replace("train: data.csv", "train: data.csv, split: {group: g}"),
        ("data.split.group", "1 group(s)"),
        DataError,
        "search",
        _data("a,g,y\n" + "".join(f"{i % 7},k,{'yes' if i % 3 else 'no'}\n" for i in range(60))),
    ),
    Case(
        "data-split-time-not-orderable",
        HEAD.replace("train: data.csv", "train: data.csv, split: {time: c}"),
        ("data.split.time", "column 'c' cannot be ordered"),
        DataError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "data-class-weight-unknown-label",
        HEAD + "training: {class_weight: {maybe: 2}}\n",
        ("training.class_weight", "maybe"),
        SpecError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "data-similarity-without-labels",
        SIM.replace(", target: y", ""),
        ("data.csv", "needs class labels", "task.target"),
        DataError,
        "search",
        _data(_rows(40, "{i}")),
    ),
    Case(
        "data-similarity-missing-labels",
        SIM,
        ("data.csv", "missing value", "first rows: [3]"),
        DataError,
        "search",
        _data(_rows(40, "c{i}").replace("\n3,c3\n", "\n3,\n")),
    ),
]

ENGINES = [
    Case(
        "storage-not-a-url",
        HEAD + "search: {storage: 'just words'}\n",
        ("search.storage",),
        SpecError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "storage-unknown-dialect",
        HEAD + "search: {storage: 'nosuchdb://u:pw@127.0.0.1/x'}\n",
        ("search.storage", "nosuchdb://u:***@127.0.0.1/x"),
        SpecError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "storage-unreachable-database",
        HEAD + "search: {storage: 'postgresql://u:hunter2@127.0.0.1:1/x'}\n",
        ("search.storage", "postgresql://u:***@127.0.0.1:1/x"),
        SpecError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "storage-journal-in-missing-folder",
        HEAD + "search: {storage: /no/such/folder/o.journal}\n",
        ("search.storage", "/no/such/folder/o.journal"),
        SpecError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "storage-wrong-password",
        HEAD + "search: {storage: '{pg_wrong}'}\n",
        ("search.storage", ":***@127.0.0.1"),
        SpecError,
        "search",
        _data(GOOD_CSV),
        needs="pg",
    ),
    Case(
        "storage-missing-database",
        HEAD + "search: {storage: '{pg_nodb}'}\n",
        ("search.storage", ":***@127.0.0.1"),
        SpecError,
        "search",
        _data(GOOD_CSV),
        needs="pg",
    ),
    Case(
        "tracking-unreachable-database",
        HEAD + "tracking: {uri: 'postgresql://u:hunter2@127.0.0.1:1/x'}\n",
        ("tracking.uri", "postgresql://u:***@127.0.0.1:1/x"),
        SpecError,
        "search",
        _data(GOOD_CSV),
    ),
    Case(
        "tracking-wrong-password",
        HEAD + "tracking: {uri: '{pg_wrong}'}\n",
        ("tracking.uri", ":***@127.0.0.1"),
        SpecError,
        "search",
        _data(GOOD_CSV),
        needs="pg",
    ),
]

ALL = DECLARATIONS + SPACES + DATASETS + ENGINES
