"""Dask settings are checked before any work and fail with one clear message, never a hang."""

from __future__ import annotations

import socket
import sys
import time
import types

import pytest

from fastinno import _config
from fastinno.data import datasets
from fastinno.errors import InputError
from fastinno.robustness import bootstrap, simulate
from fastinno.robustness.execute import check_backend, check_scheduler_address, dask_client


@pytest.fixture(scope="module")
def panel():
    return datasets.demo_panel()


def _unused_local_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tls://scheduler.local:8786", "127.0.0.1:8786",
                                     "inproc://10.0.0.1/123/1", "tcp://[::1]:8786", " localhost:1 "])
def test_scheduler_addresses_accepted(address):
    assert check_scheduler_address(address) == address.strip()


@pytest.mark.parametrize("address", ["not-an-address", "tcp://127.0.0.1", "127.0.0.1:port", "http://127.0.0.1:8786",
                                     "tcp://127.0.0.1:0", "tcp://127.0.0.1:70000", "inproc://", ""])
def test_bad_scheduler_addresses_refused(address):
    with pytest.raises(InputError, match=r"is not a Dask scheduler address: use tcp://host:port"):
        check_scheduler_address(address)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_workers": 0}, r"n_workers must be an integer >= 1; got 0"),
        ({"n_workers": -3}, r"n_workers must be an integer >= 1; got -3"),
        ({"n_workers": 2.5}, r"n_workers must be an integer >= 1; got 2.5"),
        ({"n_workers": True}, r"n_workers must be an integer >= 1; got True"),
        ({"scheduler": "not-an-address"}, r"'not-an-address' is not a Dask scheduler address"),
        ({"scheduler": 8786}, r"scheduler must be an address .* or a distributed.Client; got int"),
        ({"scheduler": "tcp://127.0.0.1:8786", "n_workers": 2}, r"either scheduler= .* or n_workers="),
        ({"scheduler": "tcp://127.0.0.1:8786", "scheduler_timeout": 0}, r"scheduler_timeout must be .* > 0; got 0"),
        ({"scheduler": "tcp://127.0.0.1:8786", "scheduler_timeout": -1.0}, r"scheduler_timeout .* got -1.0"),
        ({"scheduler": "tcp://127.0.0.1:8786", "scheduler_timeout": "10"}, r"scheduler_timeout .* got '10'"),
        ({"scheduler": "tcp://127.0.0.1:8786", "scheduler_timeout": float("inf")}, r"scheduler_timeout .* got inf"),
    ],
    ids=["workers-0", "workers-negative", "workers-float", "workers-bool", "bad-address", "address-not-str",
         "both", "timeout-0", "timeout-negative", "timeout-str", "timeout-inf"],
)
@pytest.mark.parametrize("func", ["simulate", "bootstrap"])
def test_bad_backend_settings_fail_at_once(panel, func, kwargs, pattern, monkeypatch):
    # checked before any work: no cluster is started, the call returns at once
    run = {"simulate": simulate, "bootstrap": bootstrap}[func]
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=pattern):
        run(panel, backend="dask", seed=1, progress=False, **kwargs)
    assert time.perf_counter() - t0 < 5.0


def test_local_backend_rejects_dask_settings(panel):
    with pytest.raises(InputError, match="need backend='dask'"):
        simulate(panel, draws=64, n_workers=2, seed=1, progress=False)


def test_default_timeout_comes_from_the_config(monkeypatch):
    assert check_backend("dask", "tcp://127.0.0.1:8786", None)[3] == _config.SCHEDULER_TIMEOUT == 10.0
    monkeypatch.setattr(_config, "SCHEDULER_TIMEOUT", 3.0)
    assert check_backend("dask", "tcp://127.0.0.1:8786", None)[3] == 3.0
    assert check_backend("dask", None, 3, 1) == ("dask", None, 3, 1.0)


def test_unreachable_scheduler_message_without_dask(monkeypatch):
    """The message of a scheduler that does not answer (a stand-in Client, no network)."""
    seen = {}

    class Client:
        def __init__(self, address, timeout):
            seen.update(address=address, timeout=timeout)
            raise TimeoutError(f"Timed out trying to connect to {address} after {timeout} s")

    fake = types.ModuleType("distributed")
    fake.Client, fake.LocalCluster = Client, object
    monkeypatch.setitem(sys.modules, "distributed", fake)
    with pytest.raises(InputError, match=r"^Could not reach the Dask scheduler at tcp://127.0.0.1:9 within 2 s: "
                                         r"is it running\?") as info:
        dask_client("tcp://127.0.0.1:9", None, 2)
    assert seen == {"address": "tcp://127.0.0.1:9", "timeout": 2.0}
    assert "None" not in str(info.value)


@pytest.mark.dask
def test_unreachable_scheduler_fails_within_the_timeout(panel):
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_unused_local_port()}"
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=rf"Could not reach the Dask scheduler at {address} within 1 s"):
        simulate(panel, draws=64, seed=1, progress=False, backend="dask", scheduler=address, scheduler_timeout=1)
    assert time.perf_counter() - t0 < 8.0
