"""Design requests from what a user types: goals, rules, sites and fixed positions."""

import pytest

from splice_core.design.constraints import DesignInputError, SequenceRules
from splice_core.design.requests import CONSENSUS, edit_request, goal_of, rules_of, scratch_request, site_list
from splice_core.design.search import Goal

INTRON = "GTATGTAAAAAAAAAAAAAACCTACTAACACCCCCCCCCCCCTAG"


def test_goals_and_rules():
    assert goal_of("high", 0.7) == Goal("high") and goal_of("target", 0.7) == Goal("target", 0.7)
    assert rules_of((0.2, 0.5), "gaattc", 0) == SequenceRules((0.2, 0.5), ("GAATTC",), None)
    assert rules_of((0.2, 0.5), "", 5).max_run == 5


def test_an_edit_request_keeps_the_sites_beside_the_typed_positions():
    request = edit_request(
        ">x\n" + INTRON.lower(), Goal("high"), 3, "10-11", True, 22, False, True, SequenceRules(), 200
    )
    assert request.intron == INTRON and request.insertions and not request.deletions
    assert request.fixed == frozenset([*range(6), 9, 10, *range(22, 30), 42, 43, 44])
    assert (
        edit_request(INTRON, Goal("high"), 3, "", False, 22, False, False, SequenceRules(), 200).fixed
        == frozenset()
    )


def test_a_scratch_request_takes_the_sites_and_ranges():
    sites = {"ss5": ("GTATGT", "GTACGT"), **{k: v for k, v in CONSENSUS.items() if k != "ss5"}}
    request = scratch_request(Goal("target", 0.3), 4, 0.6, (70, 90), sites, SequenceRules(), 200)
    assert (
        request.ss5 == ("GTATGT", "GTACGT") and request.branch == ("TACTAAC",) and request.lengths == (70, 90)
    )
    assert request.n == 4 and request.target_high == 0.6


def test_site_lists_are_read_from_text():
    assert site_list("gtatgt, GUACGU;", "5' splice site") == ("GTATGT", "GTACGT")
    with pytest.raises(DesignInputError, match="give at least one branch site"):
        site_list(" , ", "branch site")
