"""Checking a user's intron text: cleaning, and one clear message per problem found."""

import re
from dataclasses import dataclass, field

MIN_INTRON = 20
TRAINED_MAX = 148  # the library's longest intron: longer ones are read through fixed-size views (intron_view)
MAX_INTRON = 2000  # longest intron taken (the longest annotated S. cerevisiae intron is 1,309 nt)
_ALLOWED = set("ACGTN")
_VALID = re.compile("[ACGTN]*")
EXAMPLE_INTRON = (
    "GTATGTTCTTATTTACTTTTCAGATGTCTTTACAATTTCCCAACATCTTATTCATAAATTTTCGAATACTAACTCGTGGGAACACTAAAATTAG"
)
"""A made-up intron with consensus 5'SS, branch site and 3'SS (not from any data set), for the first view."""


@dataclass(frozen=True)
class Wording:
    """What two messages ask the user to do, in the terms of where the intron was given (the app, the command line)."""

    one_intron: str
    empty: str


APP_WORDING = Wording(
    "paste one intron here (use Batch scoring for many)",
    "enter a sequence (5' splice site first, 3' splice site last)",
)


@dataclass
class IntronCheck:
    """A cleaned intron (DNA, upper case) with errors (cannot predict) and warnings (predicted anyway)."""

    sequence: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the intron can be predicted."""
        return not self.errors


def sequence_characters(text: str) -> str:
    """The characters a user typed as sequence: FASTA header lines and white space removed (digits kept)."""
    lines = [line for line in str(text).splitlines() if not line.lstrip().startswith(">")]
    return re.sub(r"\s+", "", "".join(lines))


def clean_intron_text(text: str) -> str:
    """Sequence letters of pasted text: FASTA headers, white space and digits removed, U to T, upper case."""
    return re.sub(r"\d+", "", sequence_characters(text)).upper().replace("U", "T")


def kept_positions(typed: str, strip_digits: bool) -> list[int]:
    """1-based positions in ``typed`` of the characters that make the cleaned sequence."""
    if strip_digits and any(c.isdigit() for c in typed):
        return [i + 1 for i, c in enumerate(typed) if not c.isdigit()]
    return list(range(1, len(typed) + 1))


def check_intron(
    text: str,
    max_length: int = MAX_INTRON,
    trained_max: int = TRAINED_MAX,
    strip_digits: bool = True,
    wording: Wording = APP_WORDING,
) -> IntronCheck:
    """Clean ``text`` and report every problem that stops or weakens a prediction.

    Positions in messages count the characters as typed (white space and FASTA headers aside), digits included.
    With ``strip_digits`` (pasted GenBank-style text) digits are dropped; without it a digit is an error.
    ``wording``: what the messages ask the user to do, where they gave the intron.
    """
    typed = sequence_characters(text)
    positions = kept_positions(typed, strip_digits)
    seq = (
        ("".join(typed[p - 1] for p in positions) if len(positions) < len(typed) else typed)
        .upper()
        .replace("U", "T")
    )
    check = IntronCheck(seq)
    n_records = sum(line.lstrip().startswith(">") for line in str(text).splitlines())
    if n_records > 1:
        check.errors.append(f"Found {n_records} FASTA records: {wording.one_intron}.")
        return check
    if not seq:
        check.errors.append(f"The intron is empty: {wording.empty}.")
        return check
    if not _VALID.fullmatch(seq):
        bad = [(positions[i], typed[positions[i] - 1]) for i, b in enumerate(seq) if b not in _ALLOWED]
        shown = ", ".join(f"'{b}' at {i}" for i, b in bad[:5]) + (
            f" and {len(bad) - 5:,} more" if len(bad) > 5 else ""
        )
        check.errors.append(f"Only A, C, G, T/U and N are allowed: found {shown}.")
    if len(seq) < MIN_INTRON:
        check.errors.append(
            f"Too short ({len(seq)} nt): an intron needs at least {MIN_INTRON} nt to hold the 5' splice site, branch site and 3' splice site."
        )
    if len(seq) > max_length:
        check.errors.append(
            f"Too long ({len(seq):,} nt): introns of at most {max_length:,} nt are taken (the longest annotated yeast intron is 1,309 nt)."
        )
    if check.errors:
        return check
    if not seq.startswith(("GT", "GC")):
        check.warnings.append(f"No GT/GC at the 5' end (starts with {seq[:2]}): predicted anyway.")
    if not seq.endswith("AG"):
        check.warnings.append(f"No AG at the 3' end (ends with {seq[-2:]}): predicted anyway.")
    if len(seq) > trained_max:
        check.warnings.append(
            f"Longer ({len(seq)} nt) than any intron in the training library ({trained_max} nt): the model reads "
            f"{trained_max}-nt views of it (its 5' end, windows of the middle, and its branch site to 3' end)."
        )
    n_positions = [positions[i] for i, b in enumerate(seq) if b == "N"]
    if n_positions:
        check.warnings.append(
            f"{len(n_positions)} N base(s) (first at {n_positions[0]}) are read as unknown."
        )
    return check
