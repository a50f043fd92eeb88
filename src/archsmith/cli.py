"""The ``archsmith`` command line: search, worker, leaderboard, predict, export, explain,
doctor, ui, env, schema, validate, spaces.

Only argparse is imported up front, so ``archsmith --help`` answers at once; each command
imports what it needs when it runs. Declaration and data errors print one clear message
(no traceback) and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from archsmith.cli_explain import Explain
from archsmith.cli_support import Command
from archsmith.cli_support import configure_logging
from archsmith.cli_support import existing_store as _existing_store
from archsmith.cli_support import import_backend_quietly
from archsmith.cli_support import positive_int as _positive_int

EXIT_USAGE = 2
EXIT_FAILED = 1


def _tracking(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tracking-uri",
        default=os.environ.get("ARCHSMITH_TRACKING_URI") or "mlruns",  # off argv: a password
        help="MLflow store: a folder or a tracking URI (default: $ARCHSMITH_TRACKING_URI, "
        "else mlruns)",
    )


class Search(Command):
    name = "search"
    trains = True
    help = "run the search a declaration describes"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", help="declaration YAML file")
        parser.add_argument(
            "--resume", action="store_true", help="continue the latest search of the same name"
        )
        parser.add_argument(
            "--max-trials", type=int, default=None, help="override search.max_trials"
        )
        parser.add_argument(
            "--quiet", action="store_true", help="one plain line per trial, no live display"
        )

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.console import print_result
        from archsmith.devices import environment
        from archsmith.progress import Tally
        from archsmith.progress import watch
        from archsmith.runner import run_search
        from archsmith.spec import load_experiment
        from archsmith.spec import mask_url

        exp = load_experiment(args.file)
        if args.max_trials is not None:
            search = exp.search.model_dump()
            exp = load_experiment(exp, search={**search, "max_trials": args.max_trials})
        declared = "space" in exp.search.model_fields_set  # else the data kind's defaults
        spaces = list(exp.search.space) if declared else "the data kind's defaults"
        print(
            f"search '{exp.name}': {exp.task.type} on {exp.task.metric}, spaces "
            f"{spaces}, engine {exp.search.engine}, up to "
            f"{exp.search.max_trials} trials{' (resumed)' if args.resume else ''}",
            flush=True,
        )
        _stop_on_sigterm()
        print(f"training on: {environment().summary()}", flush=True)
        tally = Tally(watch(exp, quiet=args.quiet))  # live on a terminal, else a line a trial
        try:
            with tally.show:
                result = run_search(exp, resume=args.resume, progress=tally)
        except KeyboardInterrupt:
            tally.interrupted(f"archsmith search {args.file} --resume")
            return 130
        print_result(result, exp)
        uri = mask_url(exp.tracking.uri)
        print(f"browse: archsmith ui --tracking-uri {uri}  -> http://127.0.0.1:5000")
        return 0


def _stop_on_sigterm() -> None:
    """SIGTERM (a scheduler or ``kill`` stopping a search or a worker) stops it like Ctrl-C:
    the running trial is recorded FAILED (interrupted by the user) and the exit status is 130.
    """
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


class Worker(Command):
    name = "worker"
    trains = True
    help = "work on a search together with other processes or machines (shared storage)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", help="declaration YAML file (the same for every worker)")
        parser.add_argument(
            "--storage",
            default=None,
            help="engine storage shared by the workers, e.g. postgresql://user:pw@host/db "
            "(overrides search.storage)",
        )
        parser.add_argument(
            "--tracking-uri",
            default=None,
            help="MLflow store shared by the workers: a database URL or a tracking server "
            "(overrides tracking.uri)",
        )
        parser.add_argument(
            "--max-trials", type=int, default=None, help="override search.max_trials"
        )
        parser.add_argument(
            "--quiet", action="store_true", help="one plain line per trial, no live display"
        )

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.console import print_result
        from archsmith.progress import Tally
        from archsmith.progress import watch
        from archsmith.runner import run_worker
        from archsmith.spec import load_experiment
        from archsmith.tracking import mask_password

        exp = load_experiment(args.file)
        search = exp.search.model_dump()
        tracking = exp.tracking.model_dump()
        if args.max_trials is not None:
            search["max_trials"] = args.max_trials
        if args.storage is not None:
            search["storage"] = args.storage
        if args.tracking_uri is not None:
            tracking["uri"] = args.tracking_uri
        exp = load_experiment(exp, search=search, tracking=tracking)
        storage = mask_password(exp.search.storage or "the default journal file")
        print(
            f"worker {os.getpid()} on search '{exp.name}' in {storage}: up to "
            f"{exp.search.max_trials} trials shared by all workers",
            flush=True,
        )
        _stop_on_sigterm()
        tally = Tally(watch(exp, quiet=args.quiet))
        try:
            with tally.show:
                result = run_worker(exp, progress=tally)
        except KeyboardInterrupt:
            tally.interrupted(f"archsmith worker {args.file}  (with the same storage)")
            return 130
        if result is None:
            print(
                f"worker {os.getpid()}: {len(tally.states)} trial(s) done here; other workers "
                "are still running trials, the last to finish writes the summary"
            )
            return 0
        print_result(result, exp)
        return 0


class Doctor(Command):
    name = "doctor"
    help = "compare a search's Optuna trials with its MLflow runs"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", help="experiment (declaration) name")
        parser.add_argument(
            "--storage",
            default=None,
            help="engine storage (default: the one the search logged, else "
            "<tracking folder>/optuna.journal)",
        )
        parser.add_argument("--run-id", default=None, help="a parent run (default: latest)")
        _tracking(parser)

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.doctor import check

        report = check(
            args.name,
            tracking_uri=_existing_store(args.tracking_uri),
            storage=args.storage,
            run_id=args.run_id,
        )
        print(
            f"search {report.search_id} (run {report.run_id}): {report.trials} trials in "
            f"Optuna, {report.runs} trial runs in MLflow"
        )
        for problem in report.problems:
            print(f"  {problem}")
        print("consistent" if report.ok else f"{len(report.problems)} problem(s) found")
        return 0 if report.ok else EXIT_FAILED


class Leaderboard(Command):
    name = "leaderboard"
    help = "print the trials of the latest search of an experiment"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", help="experiment (declaration) name")
        parser.add_argument("--rows", type=_positive_int, default=20, help="rows to show (>= 1)")
        parser.add_argument("--csv", action="store_true", help="print all columns as CSV")
        _tracking(parser)

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.console import print_board
        from archsmith.tracking import open_tracker

        board = open_tracker(_existing_store(args.tracking_uri)).leaderboard(args.name)
        if args.csv:
            print(board.to_csv(index=False), end="")
        else:
            print_board(board, args.rows)
        return 0


class Predict(Command):
    name = "predict"
    trains = True
    help = "predict with the model of the latest search of an experiment (any data kind)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", help="search name, or a registered models:/NAME/VERSION")
        parser.add_argument(
            "data", help="CSV/Parquet table, .npz/.npy arrays, an image or a folder of images"
        )
        parser.add_argument(
            "-o", "--output", default=None, help="CSV file to write (default: standard output)"
        )
        _tracking(parser)

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.served import load_served
        from archsmith.served import predictions_frame

        # the .keras file in safe mode + installed code; nothing from the store is executed
        served = load_served(args.name, _existing_store(args.tracking_uri))
        out = predictions_frame(served, args.data)  # any data kind the search was fit on
        if args.output is None:
            print(out.to_csv(index=False), end="")
        else:
            out.to_csv(args.output, index=False)
            print(f"{len(out)} predictions written to {args.output}")
        return 0


class Export(Command):
    name = "export"
    trains = True
    help = "write the best model of a search as keras, savedmodel, tflite (int8) or onnx"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from archsmith import cli_export

        cli_export.add_arguments(parser)
        _tracking(parser)

    def run(self, args: argparse.Namespace) -> int:
        from archsmith import cli_export

        return cli_export.run(args, _existing_store(args.tracking_uri))


class Ui(Command):
    name = "ui"
    help = "open the MLflow UI over the project's store (binds 127.0.0.1)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="interface to bind (default 127.0.0.1: this machine only)",
        )
        parser.add_argument("--port", type=int, default=5000)
        _tracking(parser)

    def command(self, args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
        from archsmith.tracking import store_uris
        from archsmith.ui import ui_command

        return ui_command(sys.executable, args.host, args.port, *store_uris(args.tracking_uri))

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.tracking import store_root
        from archsmith.ui import experiment_links
        from archsmith.ui import run_ui

        base = f"http://{args.host}:{args.port}"
        links = experiment_links(store_root(args.tracking_uri), base)
        print(f"MLflow UI on {base} (Ctrl-C to stop)", *links, sep="\n  ", flush=True)
        return run_ui(*self.command(args))  # SIGTERM/Ctrl-C stop the server's processes too


class Env(Command):
    name = "env"
    trains = True
    help = "print the Keras backend, the devices it will train on, and why"

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.devices import environment

        print("\n".join(environment().lines()))
        return 0


class Schema(Command):
    name = "schema"
    help = "print the JSON Schema of a declaration (for editors)"

    def run(self, args: argparse.Namespace) -> int:
        import json

        from archsmith.spec import Experiment

        print(json.dumps(Experiment.model_json_schema(), indent=2))
        return 0


class Validate(Command):
    name = "validate"
    help = "check a declaration and its search spaces without training"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", help="declaration YAML file")

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.builders import CATALOG
        from archsmith.search_space import load_space
        from archsmith.spec import load_experiment

        exp = load_experiment(args.file)
        space = load_space(exp.search.space, CATALOG, exp.base_dir)
        print(f"{args.file}: ok ({len(space.params)} params in space '{space.name}')")
        return 0


class Spaces(Command):
    name = "spaces"
    help = "list the shipped search spaces"

    def run(self, args: argparse.Namespace) -> int:
        from archsmith.search_space import shipped_spaces
        from archsmith.spec import read_yaml

        for name, path in sorted(shipped_spaces().items()):
            data = read_yaml(path).data or {}
            print(f"{name:<14} {data.get('description', '')}")
        return 0


COMMANDS: tuple[Command, ...] = (
    Search(),
    Worker(),
    Leaderboard(),
    Predict(),
    Export(),
    Explain(),
    Doctor(),
    Ui(),
    Env(),
    Schema(),
    Validate(),
    Spaces(),
)


def build_parser() -> argparse.ArgumentParser:
    from archsmith._version import __version__

    parser = argparse.ArgumentParser(
        prog="archsmith",
        description="Declarative AutoML and neural architecture search on Keras 3, "
        "tracked in MLflow.",
    )
    parser.add_argument("--version", action="version", version=f"archsmith {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(p)
        p.set_defaults(handler=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``archsmith`` script; returns the exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ INFO lines (unless set)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # no usage reports from our CLI
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    configure_logging()
    from archsmith.exceptions import ArchsmithError
    from archsmith.exceptions import DataError
    from archsmith.exceptions import NotFound
    from archsmith.exceptions import SpecError
    from archsmith.spec import load_experiment
    from archsmith.spec import mask_url

    try:
        if args.handler.trains:
            if isinstance(getattr(args, "file", None), str):  # a wrong declaration fails
                load_experiment(args.file)  # before the backend's seconds of import
            import_backend_quietly()
        return int(args.handler.run(args))
    except (SpecError, DataError) as exc:
        print(f"archsmith {args.command}: error:\n{mask_url(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except NotFound as exc:  # an unknown search name or store: a usage error
        print(f"archsmith {args.command}: {mask_url(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except ArchsmithError as exc:
        print(f"archsmith {args.command}: {mask_url(str(exc))}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
