"""oligo_template: which oligo-design inputs a model needs, loaded only when needed, and a clear error when missing."""

import pytest

from splice_core.data.library import DataFileError
from splice_core.data.oligo_template import data_dir_loaders, needed_template_inputs, template_inputs


@pytest.mark.parametrize(
    "context, needed",
    [
        ("intron", ()),
        ("windows", ("template",)),
        ("oligo", ("template",)),
        ("full", ("template", "reporter")),
    ],
)
def test_needed_inputs_per_context(context, needed):
    assert needed_template_inputs(context) == needed


def test_only_the_needed_inputs_are_loaded():
    calls = []
    loaders = {
        "template": lambda: calls.append("template") or "T",
        "reporter": lambda: calls.append("reporter") or "R",
    }
    assert template_inputs("intron", loaders) == {"template": None, "reporter": None} and calls == []
    assert template_inputs("windows", loaders) == {"template": "T", "reporter": None} and calls == [
        "template"
    ]
    assert template_inputs("full", loaders) == {"template": "T", "reporter": "R"}


def test_a_missing_input_says_what_to_add_and_why():
    with pytest.raises(
        DataFileError,
        match="a 'oligo' model needs the library's oligo design .*: add it, or choose an intron-context model",
    ):
        template_inputs("oligo", {"template": lambda: None})

    def no_reporter():
        raise DataFileError("data/reporter.fa: file not found")

    with pytest.raises(
        DataFileError,
        match=r"needs the reporter transcript \(reporter.fa in the data directory\) \(data/reporter.fa: file not found\)",
    ):
        template_inputs("full", {"template": lambda: "T", "reporter": no_reporter})


def test_data_dir_loaders_read_the_design_and_reporter(tiny_data_dir, tmp_path):
    design = template_inputs("full", data_dir_loaders(tiny_data_dir))
    assert design["template"].max_intron_length() > 100 and len(design["reporter"].upstream) == 302
    with pytest.raises(DataFileError, match="needs the library's oligo design"):
        template_inputs("windows", data_dir_loaders(tmp_path / "empty"))
