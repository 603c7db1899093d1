"""Chromosome names in their common forms read as one canonical name."""

import pytest

from splice_core.variants.chromosomes import CHROMOSOME_FORMS, canonical_chromosome


@pytest.mark.parametrize(
    "name, canonical",
    [
        ("chrI", "chrI"),
        ("I", "chrI"),
        ("chr1", "chrI"),
        ("1", "chrI"),
        ("NC_001133", "chrI"),
        ("NC_001133.9", "chrI"),
        ("chrXVI", "chrXVI"),
        ("xvi", "chrXVI"),
        ("chr16", "chrXVI"),
        ("NC_001148.4", "chrXVI"),
        ("chromosome4", "chrIV"),
        ("chr04", "chrIV"),
        ("chrmt", "chrmt"),
        ("chrM", "chrmt"),
        ("MT", "chrmt"),
        ("NC_001224.1", "chrmt"),
    ],
)
def test_every_form_names_one_chromosome(name, canonical):
    assert canonical_chromosome(name) == canonical


def test_other_names_are_kept_and_the_table_has_every_chromosome_once():
    assert canonical_chromosome("scaffold_12") == "scaffold_12"
    assert canonical_chromosome("chr17") == "chr17"
    assert len(CHROMOSOME_FORMS) == 17
    forms = [f.lower() for forms in CHROMOSOME_FORMS.values() for f in forms]
    assert len(forms) == len(set(forms))
