"""One-hot encoding of nucleotide strings: ``(N, L, 4)`` arrays, channels A, C, G, T."""

import numpy as np

ALPHABET = "ACGT"
_LOOKUP = np.zeros((256, 4), dtype=np.float32)
for _i, _base in enumerate(ALPHABET):
    _LOOKUP[ord(_base), _i] = 1.0
    _LOOKUP[ord(_base.lower()), _i] = 1.0
_LOOKUP[ord("U"), 3] = _LOOKUP[ord("u"), 3] = 1.0


def string_to_one_hot(seq: str) -> np.ndarray:
    """One sequence to an ``(L, 4)`` float32 array; letters other than ACGTU are all-zero."""
    return _LOOKUP[np.frombuffer(seq.encode("ascii", "replace"), dtype=np.uint8)]


def strings_to_one_hot(seqs: list[str], length: int | None = None, align: str = "left") -> np.ndarray:
    """Sequences to an ``(N, length, 4)`` float32 array, zero-padded (``align``: left or right)."""
    if align not in ("left", "right"):
        raise ValueError(f"align must be 'left' or 'right', got {align!r}")
    length = max((len(s) for s in seqs), default=0) if length is None else length
    pad = "N" * length
    if align == "left":
        padded = [(s + pad)[:length] for s in seqs]
    else:
        padded = [(pad + s)[-length:] if length else "" for s in seqs]
    flat = np.frombuffer("".join(padded).encode("ascii", "replace"), dtype=np.uint8)
    return _LOOKUP[flat].reshape(len(seqs), length, 4)


def one_hot_to_strings(x: np.ndarray) -> list[str]:
    """An ``(N, L, 4)`` array back to strings; all-zero positions become N."""
    letters = np.array(list(ALPHABET + "N"))
    idx = np.where(x.sum(-1) > 0, x.argmax(-1), 4)
    return ["".join(row) for row in letters[idx]]
