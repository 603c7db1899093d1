"""The three splice signals of an intron: where they lie and how to mark them on the sequence."""

import numpy as np

from splice_core.data.pwm import SITE_LENGTHS, branch_scan

SITE_NAMES = {"ss5": "5' splice site", "branch": "branch site", "ss3": "3' splice site"}
SITE_COLORS = {"ss5": "#1f77b4", "branch": "#ff7f0e", "ss3": "#9467bd"}
GROUP = 10


def find_branch_start(intron: str, pwm: np.ndarray) -> int:
    """0-based start of the best branch-PWM match in an intron."""
    return int(branch_scan([intron], pwm)[0][0])


def site_spans(length: int, branch_start: int) -> dict[str, tuple[int, int]]:
    """0-based ``[start, end)`` of the 5'SS (first 6 nt), branch site (8 nt) and 3'SS (last 3 nt)."""
    branch_end = min(branch_start + SITE_LENGTHS["branch"], length)
    return {
        "ss5": (0, min(SITE_LENGTHS["ss5"], length)),
        "branch": (branch_start, branch_end),
        "ss3": (max(length - SITE_LENGTHS["ss3"], 0), length),
    }


def position_sites(length: int, spans: dict[str, tuple[int, int]]) -> list[str | None]:
    """The site each position belongs to (later sites win an overlap), None outside the sites."""
    labels: list[str | None] = [None] * length
    for name, (start, end) in spans.items():
        labels[start:end] = [name] * (end - start)
    return labels


def site_span_html(text: str, site: str | None) -> str:
    """One run of bases, on its site's colour when it is in a site."""
    if site is None:
        return text
    return f'<span title="{SITE_NAMES[site]}" style="background:{SITE_COLORS[site]}40;font-weight:bold">{text}</span>'


def sites_html(intron: str, spans: dict[str, tuple[int, int]]) -> str:
    """The intron (ACGTN only) in monospace groups of 10 nt with each site on its colour, plus a legend."""
    labels = position_sites(len(intron), spans)
    groups = []
    for start in range(0, len(intron), GROUP):
        end = min(start + GROUP, len(intron))
        runs, run_start = [], start
        for i in range(start, end):
            if i + 1 == end or labels[i + 1] != labels[i]:
                runs.append(site_span_html(intron[run_start : i + 1], labels[i]))
                run_start = i + 1
        groups.append("".join(runs))
    legend = " ".join(site_span_html(name, key) for key, name in SITE_NAMES.items())
    return f'<div style="font-family:monospace;word-spacing:0.3em;line-height:1.8">{" ".join(groups)}</div><div style="font-size:0.8em">{legend}</div>'


def site_positions(length: int, branch_start: int) -> frozenset[int]:
    """0-based positions inside the 5'SS, branch site and 3'SS of an intron (kept fixed while designing)."""
    return frozenset(i for start, end in site_spans(length, branch_start).values() for i in range(start, end))


def natural_sites(frame, min_count: int = 50, min_mean_eff: float = 0.05) -> dict[str, tuple[str, ...]]:
    """The library's site variants that splice: ACGT-only values of ``SS_5``, ``branch_seq``, ``SS_3`` measured
    at least ``min_count`` times with a mean efficiency of at least ``min_mean_eff``, most measured first."""
    out = {}
    for key, column in (("ss5", "SS_5"), ("branch", "branch_seq"), ("ss3", "SS_3")):
        stats = (
            frame.groupby(column)["splicing_eff"].agg(["size", "mean"]).sort_values("size", ascending=False)
        )
        keep = stats[(stats["size"] >= min_count) & (stats["mean"] >= min_mean_eff)].index
        out[key] = tuple(str(v) for v in keep if set(str(v)) <= set("ACGT"))
    return out
