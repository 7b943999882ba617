"""The mutation net: prove that the book's checks bite (issue 12, item 3).

    python3 dev.py mutate                      # every chapter, every function, 2 workers
    python3 dev.py mutate --function lossbook._losses.mse --chapter book/choosing-a-loss.md

For each public numeric function of ``lossbook`` that a chapter calls, the chapters that
call it are executed with that function's result scaled by 1.01, and at least one check
(``lb.verify``, ``lb.verify_bound``, ``lb.verify_estimate``) or claim (``lb.claim``) must
fail. A table (function, chapters, caught by which labels) is printed and written to
``book/_mutation.json``, which the build report renders (``{lossbook-mutation-table}``);
the command exits 1 when a mutant survives.

How a mutant is made
--------------------
No scratch copy of the package: the function is **wrapped in its defining module and in
every module of the package that bound it by name** (``lossbook/__init__.py``'s re-exports,
``from ._losses import mse`` in another module, ...), by a first cell injected before the
chapter's own code. So the chapter's ``lb.mse``, ``lossbook.book.x`` or ``from lossbook
import mse``, and every call of the function from inside the package, see the mutant, as
they would see an edit of the source. Not reached (unlike an edited source): a reference
captured at import time inside the package (a default argument ``loss=mse``, a dict of
kernels, a closure). The result is scaled by 1.01 wherever it is floating point: a float or
float array, each float element of a tuple, list or dict, each float field of a dataclass;
integer, boolean and non-numeric results cannot be scaled, and such functions are listed
as excluded.

Which functions a chapter calls
-------------------------------
Found by tracing a normal run, not by reading the text: the same injected cell wraps every
public function of the package (every module found by ``pkgutil.walk_packages``) with a
recorder that notes a call whose caller is not inside the package (the chapter's cells and
their lambdas, even when a package function such as ``numerical_gradient`` invokes
them). So a function is found however the chapter reaches it (``lb.f``, a subpackage, an
alias), and a rename of the namespaces needs no change here.

Excluded, and printed with the reason: the book's machinery (modules ``verify``, ``book``,
``plotting``, ``citation``: checks, claims, glue, figure style), pure data generators
(module ``datasets``, functions ``make_*``), and functions whose results have no floating
point part.

Chapters run as plain notebooks (jupytext, then nbclient in a fresh kernel in an empty
folder, as tests/test_notebooks.py does), never through Sphinx, two at a time
(``--workers``). A mutant is **caught** when a check or claim raises in a cell that did not
raise in the normal run; an error of another kind (a validation ``ValueError``, a
``NameError`` after it) alone is reported as ``crash only``, which the net counts as a
survivor: the build would fail, but no labelled check names the fault.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import re
import sys
import tempfile
import time
import types
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent
FACTOR = 1.01
FRONT_MATTER = {"how-to-cite.md"}  # runs from the repository (reads CITATION.cff); no lossbook numerics
#: Module-name parts that hold the book's machinery, not the library (never mutated).
MACHINERY = {
    "verify": "book machinery (checks and claims)",
    "book": "book machinery (glue, checks, claims)",
    "plotting": "book machinery (figure style)",
    "citation": "book machinery (citation data)",
}
DATA_GENERATORS = {"datasets": "pure data generator (synthetic data sets)"}
CHECK_ERRORS = {"EquationMismatch", "ClaimFailed"}
_LABEL_IN_MESSAGE = re.compile(r"^(?:equation|inequality|estimate|claim) '([^']+)'")


# ===========================================================================
# inside the kernel: install the recorder or the mutant before the chapter runs
# ===========================================================================
_STATE: dict = {}


def install(package: str, mode: str, record: str, target: str | None = None, factor: float = FACTOR) -> None:
    """Wrap ``package``'s public functions: ``mode='trace'`` records, ``'mutate'`` scales ``target``."""
    import importlib
    import pkgutil

    pkg = importlib.import_module(package)
    if hasattr(pkg, "__path__"):
        for info in pkgutil.walk_packages(pkg.__path__, package + "."):
            importlib.import_module(info.name)
    pkg_dir = os.path.dirname(os.path.abspath(pkg.__file__)) + os.sep
    modules = [m for n, m in list(sys.modules.items()) if m is not None and (n == package or n.startswith(package + "."))]
    originals = {}
    for m in modules:
        for v in list(vars(m).values()):
            if isinstance(v, types.FunctionType) and (v.__module__ or "").split(".")[0] == package \
                    and not v.__name__.startswith("_"):
                originals[f"{v.__module__}.{v.__qualname__}"] = v
    _STATE.update(mode=mode, record=record, calls={}, pkg_dir=pkg_dir, target=target, mutated=0)
    if mode == "mutate" and target not in originals:
        raise LookupError(f"mutation target {target!r} is not a public function of {package}")
    wrappers = {}
    for key, f in originals.items():
        if mode == "trace":
            wrappers[id(f)] = _recorder(key, f)
        elif key == target:
            wrappers[id(f)] = _mutant(f, factor)
    for m in modules:
        for name, v in list(vars(m).items()):
            if isinstance(v, types.FunctionType) and id(v) in wrappers:
                setattr(m, name, wrappers[id(v)])


def _recorder(key, f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        caller = sys._getframe(1).f_code.co_filename
        result = f(*args, **kwargs)
        rec = _STATE["calls"].setdefault(key, {"direct": 0, "indirect": 0, "scalable": False, "types": []})
        rec["direct" if not caller.startswith(_STATE["pkg_dir"]) else "indirect"] += 1
        _, changed = scale(result, FACTOR)
        rec["scalable"] = rec["scalable"] or changed
        t = type(result).__name__
        if t not in rec["types"] and len(rec["types"]) < 5:
            rec["types"].append(t)
        return result

    return wrapper


def _mutant(f, factor):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        out, changed = scale(f(*args, **kwargs), factor)
        _STATE["mutated"] += int(changed)
        return out

    return wrapper


def scale(result, factor):
    """``result`` with every floating-point part multiplied by ``factor``; and whether anything changed."""
    import numpy as np

    if isinstance(result, (bool, np.bool_, int, np.integer, str, bytes)) or result is None:
        return result, False
    if isinstance(result, (float, np.floating, complex, np.complexfloating)):
        return type(result)(result * factor), True
    if isinstance(result, np.ndarray):
        if result.dtype.kind in "fc" and result.size:
            return result * factor, True
        return result, False
    if isinstance(result, (tuple, list)):
        parts = [scale(r, factor) for r in result]
        items = [p[0] for p in parts]
        changed = any(p[1] for p in parts)
        if isinstance(result, tuple) and hasattr(result, "_fields"):
            return type(result)(*items), changed
        return type(result)(items), changed
    if isinstance(result, dict):
        parts = {k: scale(v, factor) for k, v in result.items()}
        return type(result)({k: p[0] for k, p in parts.items()}), any(p[1] for p in parts.values())
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        import copy

        new = copy.copy(result)
        changed = False
        for fld in dataclasses.fields(result):
            val, ch = scale(getattr(result, fld.name), factor)
            if ch:
                object.__setattr__(new, fld.name, val)
                changed = True
        return new, changed
    return result, False


def dump() -> None:
    """Write what the run recorded (calls, or how often the mutant fired) to the record file."""
    with open(_STATE["record"], "w") as fh:
        json.dump({"calls": _STATE.get("calls", {}), "mutated": _STATE.get("mutated", 0)}, fh)


# ===========================================================================
# outside: run the chapters
# ===========================================================================
def chapters_in(book: Path) -> list[Path]:
    return sorted(
        p for p in book.glob("*.md")
        if p.read_text(encoding="utf-8").startswith("---\njupytext:") and p.name not in FRONT_MATTER
    )


def run_chapter(job: dict) -> dict:
    """Execute one chapter as a plain notebook with the recorder or a mutant installed."""
    import jupytext
    import nbclient
    import nbformat

    path = Path(job["chapter"])
    nb = jupytext.read(path)
    with tempfile.TemporaryDirectory(prefix="lossbook-mutate-") as tmp:
        record = os.path.join(tmp, "record.json")
        setup = (
            f"import sys as _lb_sys\n_lb_sys.path.insert(0, {str(TOOLS)!r})\n"
            f"import mutate as _lb_mutate_net\n"
            f"_lb_mutate_net.install({job['package']!r}, {job['mode']!r}, {record!r}, "
            f"target={job.get('target')!r}, factor={job.get('factor', FACTOR)!r})\n"
            f"del _lb_sys"
        )
        nb.cells.insert(0, nbformat.v4.new_code_cell(setup))
        nb.cells.append(nbformat.v4.new_code_cell("_lb_mutate_net.dump()"))
        workdir = os.path.join(tmp, "work")
        os.mkdir(workdir)
        env_path = job.get("pythonpath")
        if env_path:
            os.environ["PYTHONPATH"] = env_path + os.pathsep + os.environ.get("PYTHONPATH", "")
        client = nbclient.NotebookClient(
            nb, timeout=job.get("timeout", 300), kernel_name="python3", allow_errors=True,
            resources={"metadata": {"path": workdir}},
        )
        start = time.perf_counter()
        fatal = None
        try:
            client.execute()
        except Exception as exc:  # a timeout or a dead kernel: report it, do not hide it
            fatal = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        secs = time.perf_counter() - start
        errors = []
        for i, cell in enumerate(nb.cells):
            for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
                if o.get("output_type") == "error":
                    msg = (o.get("evalue") or "").splitlines()[0] if o.get("evalue") else ""
                    errors.append({
                        "cell": i, "ename": o.get("ename"), "evalue": msg[:300],
                        "expected": "raises-exception" in cell.get("metadata", {}).get("tags", []),
                    })
        rec = {}
        if os.path.exists(record):
            with open(record) as fh:
                rec = json.load(fh)
    return dict(job, seconds=secs, errors=errors, fatal=fatal, calls=rec.get("calls", {}),
                mutated=rec.get("mutated", 0), dumped=bool(rec))


def exclusion(key: str, info: dict) -> str | None:
    """Why a traced function is not mutated, or None."""
    module, _, name = key.rpartition(".")
    parts = set(module.split("."))
    for part, why in MACHINERY.items():
        if part in parts:
            return why
    for part, why in DATA_GENERATORS.items():
        if part in parts:
            return why
    if name.startswith("make_"):
        return "pure data generator (make_*)"
    if not info.get("scalable"):
        return f"no floating-point result to scale (returns {', '.join(info.get('types') or ['?'])})"
    return None


def caught_by(run: dict, baseline: dict) -> tuple[list[str], list[str]]:
    """Labels of the checks and claims that failed, and other new errors, in a mutant run."""
    expected = {(e["cell"], e["ename"]) for e in baseline["errors"]}
    labels, crashes = [], []
    for e in run["errors"]:
        if (e["cell"], e["ename"]) in expected or e["expected"]:
            continue
        m = _LABEL_IN_MESSAGE.match(e["evalue"])
        if e["ename"] in CHECK_ERRORS and m:
            labels.append(m.group(1))
        else:
            crashes.append(f"{e['ename']} in cell {e['cell']}")
    if run["fatal"]:
        crashes.append(run["fatal"])
    return sorted(set(labels)), crashes


def _pool(jobs, workers, log):
    """Run the jobs, ``workers`` at a time, logging each one as it finishes; results in job order."""
    def note(i, r):
        what = r.get("target") or "trace"
        log(f"  [{i}/{len(jobs)}] {Path(r['chapter']).stem}: {what} ({r['seconds']:.0f} s)")

    if workers <= 1 or len(jobs) <= 1:
        out = []
        for i, j in enumerate(jobs, 1):
            out.append(run_chapter(j))
            note(i, out[-1])
        return out
    results = [None] * len(jobs)
    with ProcessPoolExecutor(max_workers=workers) as ex:
        futures = {ex.submit(run_chapter, j): k for k, j in enumerate(jobs)}
        for i, fut in enumerate(as_completed(futures), 1):
            results[futures[fut]] = fut.result()
            note(i, results[futures[fut]])
    return results


def mutation_net(chapters, package="lossbook", workers=2, factor=FACTOR, only=None, pythonpath=None,
                 timeout=300, log=None) -> dict:
    """Trace the chapters, then run every mutant; return the full result (see ``main``)."""
    log = log or functools.partial(print, flush=True)
    t0 = time.perf_counter()
    base_jobs = [dict(chapter=str(c), package=package, mode="trace", pythonpath=pythonpath, timeout=timeout)
                 for c in chapters]
    log(f"tracing {len(chapters)} chapter(s) with {workers} worker(s) ...")
    baselines = {r["chapter"]: r for r in _pool(base_jobs, workers, log)}
    broken = {c: [e for e in r["errors"] if not e["expected"]] for c, r in baselines.items()}
    broken = {c: (e, baselines[c]["fatal"]) for c, e in broken.items() if e or baselines[c]["fatal"] or not baselines[c]["dumped"]}
    if broken:
        return {"error": "chapters fail without any mutant: " + "; ".join(
            f"{Path(c).name}: {e[0][0]['ename'] + ': ' + e[0][0]['evalue'] if e[0] else e[1] or 'did not finish'}"
            for c, e in broken.items()), "baselines": baselines}
    functions: dict[str, dict] = {}
    for c, r in baselines.items():
        for key, info in r["calls"].items():
            if not info["direct"]:
                continue
            f = functions.setdefault(key, {"chapters": [], "scalable": False, "types": []})
            f["chapters"].append(c)
            f["scalable"] = f["scalable"] or info["scalable"]
            f["types"] += [t for t in info["types"] if t not in f["types"]]
    if only:
        unknown = [k for k in only if k not in functions]
        if unknown:
            return {"error": f"not called by the chosen chapters: {unknown}", "baselines": baselines}
        functions = {k: v for k, v in functions.items() if k in only}
    excluded = {k: exclusion(k, v) for k, v in functions.items()}
    targets = sorted(k for k, why in excluded.items() if why is None)
    jobs = [dict(chapter=c, package=package, mode="mutate", target=k, factor=factor, pythonpath=pythonpath,
                 timeout=timeout) for k in targets for c in sorted(functions[k]["chapters"])]
    log(f"{len(functions)} function(s) called by the chapters; {len(targets)} to mutate, "
        f"{len(functions) - len(targets)} excluded; {len(jobs)} chapter run(s) ...")
    runs = _pool(jobs, workers, log)
    rows = []
    for k in sorted(functions):
        row = {"function": k, "chapters": sorted(Path(c).stem for c in functions[k]["chapters"])}
        if excluded[k]:
            rows.append(dict(row, status="excluded", reason=excluded[k], labels=[], crashes=[]))
            continue
        labels, crashes = [], []
        for r in runs:
            if r["target"] == k:
                lab, cr = caught_by(r, baselines[r["chapter"]])
                labels += [f"{Path(r['chapter']).stem}:{x}" for x in lab]
                crashes += [f"{Path(r['chapter']).stem}: {x}" for x in cr]
                if not r["mutated"]:
                    crashes.append(f"{Path(r['chapter']).stem}: the mutant never fired")
        status = "caught" if labels else ("crash only" if crashes else "NOT CAUGHT")
        rows.append(dict(row, status=status, reason="", labels=labels, crashes=crashes))
    seconds = time.perf_counter() - t0
    return {
        "factor": factor,
        "package": package,
        "workers": workers,
        "seconds": round(seconds, 1),
        "chapter_runs": len(jobs) + len(base_jobs),
        "rows": rows,
        "survivors": [r["function"] for r in rows if r["status"] in ("NOT CAUGHT", "crash only")],
    }


def table(result: dict) -> str:
    """The result as a plain-text table, for the terminal."""
    lines = [f"{'function':<52} {'status':<11} chapters -> caught by"]
    for r in result["rows"]:
        detail = r["reason"] if r["status"] == "excluded" else (
            ", ".join(r["labels"]) or "; ".join(r["crashes"]) or "no check failed")
        lines.append(f"{r['function']:<52} {r['status']:<11} {', '.join(r['chapters'])} -> {detail}")
    n = {s: sum(r["status"] == s for r in result["rows"]) for s in ("caught", "crash only", "NOT CAUGHT", "excluded")}
    lines.append(
        f"{n['caught']} caught, {n['crash only']} crash only, {n['NOT CAUGHT']} not caught, {n['excluded']} "
        f"excluded; {result['chapter_runs']} chapter runs in {result['seconds']:.0f} s with {result['workers']} worker(s)"
    )
    return "\n".join(lines)



def _chapter_path(name: str) -> Path:
    """A chapter given as a path, or by its name in book/ (with or without .md)."""
    p = Path(name)
    if p.is_file():
        return p.resolve()
    q = ROOT / "book" / (p.name if p.suffix == ".md" else p.name + ".md")
    if q.is_file():
        return q.resolve()
    raise SystemExit(f"--chapter: no chapter {name!r} (neither a file nor book/<name>.md)")

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="dev.py mutate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--chapter", action="append",
                    help="a chapter to run (a path, or a name in book/ such as maximum-likelihood); "
                         "default: every chapter in book/")
    ap.add_argument("--function", action="append", help="only this function (module.qualname, as in the table)")
    ap.add_argument("--package", default="lossbook")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--factor", type=float, default=FACTOR)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    ap.add_argument("--pythonpath", help="prepended to the kernels' PYTHONPATH (for a fixture package)")
    ap.add_argument("--json", default=None,
                    help="where to write the result; default book/_mutation.json (the build report's "
                         "table) for a full run, nothing when --chapter or --function narrows it")
    args = ap.parse_args(argv)
    if args.json is None:
        args.json = "" if (args.chapter or args.function) else str(ROOT / "book" / "_mutation.json")
    chapters = [_chapter_path(c) for c in args.chapter] if args.chapter else chapters_in(ROOT / "book")
    result = mutation_net(chapters, package=args.package, workers=args.workers, factor=args.factor,
                          only=args.function, pythonpath=args.pythonpath, timeout=args.timeout)
    if "error" in result:
        print("mutate: " + result["error"], file=sys.stderr)
        return 2
    print(table(result))
    if args.json:
        result["source_hash"] = _source_hash(args.package)
        result["date"] = time.strftime("%Y-%m-%d", time.gmtime())
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {args.json}")
    if result["survivors"]:
        print(f"mutate: {len(result['survivors'])} mutant(s) survived: no check or claim failed for "
              f"{', '.join(result['survivors'])}", file=sys.stderr)
        return 1
    return 0


def _source_hash(package: str) -> str | None:
    """The extension's hash of the package source, so the report can say if the table is current."""
    if package != "lossbook":
        return None
    sys.path.insert(0, str(ROOT / "_ext"))
    from lossbook_sphinx import source_hash

    return source_hash(ROOT, ["lossbook"])


if __name__ == "__main__":
    sys.exit(main())
