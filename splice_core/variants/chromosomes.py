"""S. cerevisiae R64 chromosome names in their common forms (``chrI``, ``I``, ``chr1``, ``NC_001133.9``, ``chrM``/``chrmt``),
all read as one canonical name (the intron table's ``chrI`` … ``chrXVI``, ``chrmt``)."""

import re

ROMAN = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
)
MITOCHONDRION = "chrmt"
# One table: every accepted form of each chromosome (compared without case), its canonical name first.
# RefSeq accessions of the R64 assembly (with or without their version); numbers 1-16 as Ensembl's old and some
# aligners' forms write them.
CHROMOSOME_FORMS: dict[str, tuple[str, ...]] = {
    **{
        f"chr{roman}": (f"chr{roman}", roman, f"chr{number}", str(number), f"NC_{1132 + number:06d}")
        for number, roman in enumerate(ROMAN, start=1)
    },
    MITOCHONDRION: (MITOCHONDRION, "mt", "M", "chrM", "mito", "mitochondrion", "NC_001224"),
}
_FORM_TO_CANONICAL = {form.lower(): name for name, forms in CHROMOSOME_FORMS.items() for form in forms}
_VERSION = re.compile(r"^(NC_\d{6})\.\d+$", re.IGNORECASE)
_PREFIX = re.compile(r"^(chromosome|chrom|chr)[_ ]?0*", re.IGNORECASE)


def canonical_chromosome(name: str) -> str:
    """The canonical name of a chromosome name in any accepted form; a name of no R64 form is returned as given."""
    text = _VERSION.sub(r"\1", str(name).strip())
    key = text.lower()
    if key in _FORM_TO_CANONICAL:
        return _FORM_TO_CANONICAL[key]
    bare = _PREFIX.sub("", text).lstrip("0") or text
    return _FORM_TO_CANONICAL.get(f"chr{bare}".lower(), _FORM_TO_CANONICAL.get(bare.lower(), str(name)))
