"""Splice-site placement and marking on the sequence."""

from toy_model import BRANCH_PWM

from splice_core.data.sites import find_branch_start, position_sites, site_span_html, site_spans, sites_html

INTRON = "GTATGTAAAAAAAAAAAAAACCTACTAACACCCCCCCCCCCCTAG"


def test_branch_start_is_the_best_pwm_match():
    assert find_branch_start(INTRON, BRANCH_PWM) == INTRON.index("TACTAACA")


def test_spans_are_the_first_6_the_branch_8_and_the_last_3():
    assert site_spans(45, 22) == {"ss5": (0, 6), "branch": (22, 30), "ss3": (42, 45)}
    assert site_spans(20, 15)["branch"] == (15, 20)


def test_position_sites_label_each_base():
    labels = position_sites(12, site_spans(12, 6))
    assert labels == ["ss5"] * 6 + ["branch"] * 3 + ["ss3"] * 3


def test_html_groups_by_ten_and_splits_a_site_across_groups():
    html = sites_html(INTRON, site_spans(len(INTRON), 26))
    ss5, branch, ss3 = (
        lambda text, site=site: site_span_html(text, site) for site in ("ss5", "branch", "ss3")
    )
    want = f"{ss5('GTATGT')}AAAA AAAAAAAAAA CCTACT{branch('AACA')} {branch('CCCC')}CCCCCC CC{ss3('TAG')}"
    assert html.split('">', 1)[1].split("</div>")[0] == want


def test_a_base_outside_the_sites_is_plain_text():
    assert site_span_html("ACGT", None) == "ACGT"
    assert site_span_html("TAG", "ss3").startswith('<span title="3\' splice site"')


def test_site_positions_cover_the_three_sites():
    from splice_core.data.sites import site_positions

    assert site_positions(45, 22) == frozenset([*range(6), *range(22, 30), 42, 43, 44])


def test_natural_sites_are_the_library_variants_that_splice():
    import pandas as pd

    from splice_core.data.sites import natural_sites

    frame = pd.DataFrame(
        {
            "SS_5": ["GTATGT"] * 3 + ["GTACGT"] * 2 + ["ATTGTG"] * 4 + ["GTNNGT"] * 3,
            "branch_seq": ["TACTAAC"] * 12,
            "SS_3": ["TAG"] * 7 + ["CAG"] * 5,
            "splicing_eff": [0.5] * 5 + [0.0] * 4 + [0.5] * 3,
        }
    )
    assert natural_sites(frame, min_count=2) == {
        "ss5": ("GTATGT", "GTACGT"),
        "branch": ("TACTAAC",),
        "ss3": ("TAG", "CAG"),
    }
    assert natural_sites(frame, min_count=3)["ss5"] == ("GTATGT",)
