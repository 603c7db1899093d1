"""Which Ray to use: the given address, else $RAY_ADDRESS, else a local Ray; what workers get."""

from splice_core.cluster.connection import PACKAGE_DIR, cluster_address, runtime_env


def test_the_address_given_wins_then_the_environment_then_a_local_ray(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert cluster_address(None) is None and cluster_address("") is None
    monkeypatch.setenv("RAY_ADDRESS", "ray://head:10001")
    assert cluster_address(None) == "ray://head:10001"
    assert cluster_address("10.0.0.5:6379") == "10.0.0.5:6379"


def test_workers_get_this_package_and_the_keras_backend(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    env = runtime_env()
    assert env["py_modules"] == [str(PACKAGE_DIR)] and env["env_vars"]["KERAS_BACKEND"] == "jax"
