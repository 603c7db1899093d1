"""The shipped .streamlit/config.toml: valid Streamlit options, fit for serving, its upload limit the Batch page's."""

import tomllib
from pathlib import Path

from streamlit import config

from splice_core.predict.tables import UPLOAD_LIMIT_MB

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".streamlit" / "config.toml"


def shipped_options() -> dict[str, object]:
    """``section.option`` -> value of the shipped config file."""
    parsed = tomllib.loads(CONFIG.read_text())
    return {
        f"{section}.{name}": value for section, options in parsed.items() for name, value in options.items()
    }


def test_the_config_serves_others_safely():
    options = shipped_options()
    assert options["server.fileWatcherType"] == "none" and options["server.runOnSave"] is False
    assert options["server.enableXsrfProtection"] is True and options["server.enableCORS"] is True
    assert options["server.maxUploadSize"] == UPLOAD_LIMIT_MB


def test_streamlit_reads_every_option_from_the_project_folder(monkeypatch):
    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    try:
        for key, value in shipped_options().items():
            assert key in config._config_options, f"{key} is no Streamlit option"
            assert config.get_option(key) == value, key
            assert config._config_options[key].where_defined == str(CONFIG)
    finally:
        config.get_config_options(force_reparse=True)
