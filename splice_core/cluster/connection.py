"""Connecting to Ray: an existing cluster (an address, or ``$RAY_ADDRESS``) or, without one, a local Ray here.

Ray is an optional dependency (``requirements-ray.txt``); it is imported only when a command asks for it.
"""

import logging
import os

from splice_core import PACKAGE_DIR

WORKER_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2"}
# Ray's start-up lines (instance started, package pushed) stay off the terminal; its warnings stay on.
QUIET = {"log_to_driver": False, "logging_level": logging.WARNING}


def cluster_address(address: str | None = None) -> str | None:
    """The cluster to use: ``address``, else ``$RAY_ADDRESS``, else None (start a local Ray on this machine)."""
    return address or os.environ.get("RAY_ADDRESS") or None


def runtime_env() -> dict:
    """What every Ray worker gets: this package (so a cluster needs no install of it) and quiet TensorFlow logs."""
    env = dict(WORKER_ENV)
    if "KERAS_BACKEND" in os.environ:
        env["KERAS_BACKEND"] = os.environ["KERAS_BACKEND"]
    return {"py_modules": [str(PACKAGE_DIR)], "env_vars": env}


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Join the cluster at :func:`cluster_address`, else start a local Ray (``num_cpus``: all by default).

    Returns True when this call started Ray (the caller then shuts it down), False when Ray was already up.
    """
    import ray

    if ray.is_initialized():
        return False
    target = cluster_address(address)
    if target:
        ray.init(address=target, runtime_env=runtime_env(), **QUIET)
    else:
        ray.init(
            address="local",
            num_cpus=num_cpus,
            include_dashboard=False,
            runtime_env=runtime_env(),
            **QUIET,
        )
    return True


def disconnect(started: bool) -> None:
    """Shut Ray down in this process when :func:`connect` started it."""
    if started:
        import ray

        ray.shutdown()


def cluster_resources() -> tuple[int, int]:
    """(CPUs, GPUs) of the connected Ray cluster."""
    import ray

    resources = ray.cluster_resources()
    return int(resources.get("CPU", 0)), int(resources.get("GPU", 0))
