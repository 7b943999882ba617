"""dev.py, the README's set-up commands: what every command it runs inherits."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dev():
    spec = importlib.util.spec_from_file_location("lossbook_dev", ROOT / "dev.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _envs(monkeypatch, call):
    seen = []

    def fake_run(cmd, cwd=None, env=None, **kw):
        seen.append(env)
        return subprocess.CompletedProcess(cmd, 0)

    dev = _dev()
    monkeypatch.setattr(dev.subprocess, "run", fake_run)
    call(dev)
    return seen


def test_commands_run_with_one_blas_thread(monkeypatch):
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    (env,) = _envs(monkeypatch, lambda dev: dev._run(["true"]))
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert env["MKL_NUM_THREADS"] == "1"
    # the test command also fixes the hash seed, and keeps the one-thread default
    (env,) = _envs(monkeypatch, lambda dev: dev._run(["true"], env={"PYTHONHASHSEED": "0"}))
    assert env == {**_dev().SINGLE_THREAD, "PYTHONHASHSEED": "0"}


def test_a_readers_thread_setting_wins(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    (env,) = _envs(monkeypatch, lambda dev: dev._run(["true"]))
    assert env["OPENBLAS_NUM_THREADS"] == "4" and env["OMP_NUM_THREADS"] == "1"
    assert env["PATH"]  # the rest of the environment is passed on
