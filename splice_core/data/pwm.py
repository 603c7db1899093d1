"""Position weight matrices of wild-type splice sites and the reference study's PWM baseline."""

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from splice_core.data.contexts import Constructs
from splice_core.seq.encoding import strings_to_one_hot

SITE_LENGTHS = {"ss5": 6, "branch": 8, "ss3": 3}
SITE_COLUMNS = {"ss5": "5'SS", "branch": "BP", "ss3": "3'SS"}  # wild-type table columns
BACKGROUND = 0.25
SPLICED_THRESHOLD = 0.001
BRANCH_POINT = 5  # 0-based position of the branch-point A in the 8-nt site (TACTAACA)


def sites_to_pwm(sites: list[str], pseudocount: float = 0.5) -> np.ndarray:
    """Base probabilities ``(k, 4)`` of equal-length site strings, with a pseudocount."""
    counts = strings_to_one_hot([s.upper() for s in sites]).sum(0) + pseudocount
    return counts / counts.sum(-1, keepdims=True)


def pwm_scores(x: np.ndarray, pwm: np.ndarray) -> np.ndarray:
    """Log2-odds score of each ``(N, k, 4)`` one-hot site against a ``(k, 4)`` PWM; shape ``(N,)``."""
    return np.einsum("nkc,kc->n", x, np.log2(pwm / BACKGROUND))


def branch_scan(
    introns: list[str], pwm: np.ndarray, min_start: int = 10, min_to_end: int = 12
) -> tuple[np.ndarray, np.ndarray]:
    """Best branch-site start (0-based) and its score in each intron, scanning ``[min_start, len - min_to_end]``."""
    k = len(pwm)
    x = strings_to_one_hot(introns)
    weights = np.log2(pwm / BACKGROUND)
    n, length = x.shape[:2]
    starts = np.arange(max(length - k + 1, 1))
    windows = np.stack(
        [x[:, s : s + k] if s + k <= length else np.zeros((n, k, 4), np.float32) for s in starts], 1
    )
    scores = np.einsum("nskc,kc->ns", windows, weights)
    lengths = np.array([len(i) for i in introns])[:, None]
    allowed = (starts[None] >= min_start) & (starts[None] <= lengths - max(min_to_end, k))
    allowed[~allowed.any(1), :] = True
    scores = np.where(allowed, scores, -np.inf)
    best = scores.argmax(1)
    return best, scores[np.arange(n), best]


def intron_site_scores(introns: list[str], pwms: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """(scores of the 5'SS, best branch site and 3'SS plus intron length, branch starts ``(N,)``) of bare introns."""
    branch, branch_score = branch_scan(introns, np.asarray(pwms["branch"]))
    scores = pd.DataFrame(
        {
            "ss5": pwm_scores(strings_to_one_hot([i[:6] for i in introns], 6), np.asarray(pwms["ss5"])),
            "branch": branch_score,
            "ss3": pwm_scores(strings_to_one_hot([i[-3:] for i in introns], 3), np.asarray(pwms["ss3"])),
            "intron_length": np.array([len(i) for i in introns], float),
        }
    )
    return scores, branch


@dataclass
class PWMBaseline:
    """Predicts ``mean_spliced`` when every feature is within wild-type range, else 0."""

    pwms: dict[str, list[list[float]]]
    score_min: dict[str, float]
    intron_length_range: tuple[float, float]
    branch_to_3_range: tuple[float, float]
    mean_spliced: float

    def features(self, constructs: Constructs) -> pd.DataFrame:
        """Site scores and lengths of each construct (columns ss5, branch, ss3, intron_length, branch_to_3).

        The branch site is the best match to the branch PWM anywhere in the intron, as for a user's
        sequence (the library's branch index is 2 nt off for some library types). ``branch_to_3`` counts
        the nucleotides after the branch-point A, as the wild-type table's ``BP to 3'SS (bp)``.
        """
        out, branch = intron_site_scores(constructs.introns, self.pwms)
        out["branch_to_3"] = out["intron_length"] - (branch + BRANCH_POINT + 1)
        return out

    def within_wildtype(self, constructs: Constructs) -> np.ndarray:
        """Boolean ``(N,)``: every site score and length inside the wild-type 95% range."""
        f = self.features(constructs)
        ok = np.ones(len(f), bool)
        for name, low in self.score_min.items():
            ok &= f[name].to_numpy() >= low
        for column, (low, high) in (
            ("intron_length", self.intron_length_range),
            ("branch_to_3", self.branch_to_3_range),
        ):
            ok &= f[column].between(low, high).to_numpy()
        return ok

    def predict(self, constructs: Constructs) -> np.ndarray:
        """Predicted efficiency ``(N,)``: ``mean_spliced`` where within wild-type range, else 0."""
        return np.where(self.within_wildtype(constructs), self.mean_spliced, 0.0)

    def to_dict(self) -> dict:
        """JSON-ready parameters."""
        return asdict(self)


def wildtype_sites(wildtype: pd.DataFrame, name: str) -> list[str]:
    """The wild-type sites of one kind (``ss5``, ``branch``, ``ss3``) that have the full site length."""
    return [s for s in wildtype[SITE_COLUMNS[name]].astype(str).str.upper() if len(s) == SITE_LENGTHS[name]]


def wildtype_pwms(wildtype: pd.DataFrame) -> dict[str, np.ndarray]:
    """PWMs of the wild-type 5'SS (6 nt), branch site (8 nt) and 3'SS (3 nt)."""
    return {name: sites_to_pwm(wildtype_sites(wildtype, name)) for name in SITE_COLUMNS}


def fit_pwm_baseline(wildtype: pd.DataFrame, train_y: np.ndarray, coverage: float = 0.95) -> PWMBaseline:
    """The baseline from wild-type introns and the training efficiencies."""
    pwms = wildtype_pwms(wildtype)
    score_min = {
        name: float(
            np.quantile(
                pwm_scores(strings_to_one_hot(wildtype_sites(wildtype, name)), pwms[name]), 1 - coverage
            )
        )
        for name in SITE_COLUMNS
    }
    tail = (1 - coverage) / 2
    lengths = wildtype["Length (bp)"].astype(float)
    to3 = wildtype["BP to 3'SS (bp)"].astype(float)
    spliced = train_y[train_y > SPLICED_THRESHOLD]
    return PWMBaseline(
        pwms={k: v.tolist() for k, v in pwms.items()},
        score_min=score_min,
        intron_length_range=(float(lengths.quantile(tail)), float(lengths.quantile(1 - tail))),
        branch_to_3_range=(float(to3.quantile(tail)), float(to3.quantile(1 - tail))),
        mean_spliced=float(spliced.mean()) if len(spliced) else 0.0,
    )


def heuristic_predictions(n: int, kind: str, seed: int = 0) -> np.ndarray:
    """All-zero (``zeros``) or uniform random (``random``) predictions of length n."""
    if kind == "zeros":
        return np.zeros(n)
    if kind == "random":
        return np.random.default_rng(seed).uniform(0, 1, n)
    raise ValueError(f"unknown heuristic {kind!r}")
