"""``design``: introns designed toward a goal, by the fewest edits of one intron or from scratch."""

import time
from pathlib import Path

from splice_core.cli.arguments import (
    AT_LEAST_1,
    SHARE,
    bounded,
    check_model_option,
    command,
    design_count,
    edit_count,
    number_range,
)


def design_request(args, predictor, sites: dict | None):
    """The EditRequest or ScratchRequest of ``design`` options (positions and ranges as the user wrote them)."""
    from splice_core.design.requests import edit_request, goal_of, rules_of, scratch_request
    from splice_core.design.search import SCRATCH_LENGTHS
    from splice_core.seq.intron_text import clean_intron_text

    rules = rules_of(args.gc, args.forbid, args.max_run)
    goal = goal_of("target" if args.target is not None else "high" if args.high else "low", args.target)
    max_length = predictor.max_intron_length()
    if args.mode == "edit":
        text = Path(args.intron).read_text() if Path(args.intron).is_file() else args.intron
        branch = int(predictor.branch_starts([clean_intron_text(text)])[0])
        return edit_request(
            text,
            goal,
            args.edits,
            args.fixed,
            not args.edit_sites,
            branch,
            args.deletions,
            args.insertions,
            rules,
            max_length,
            args.beam,
        )
    chosen = (
        sites
        if args.sites == "library"
        else {"ss5": tuple(args.ss5), "branch": tuple(args.branch), "ss3": tuple(args.ss3)}
    )
    return scratch_request(
        goal,
        args.n,
        args.target_high,
        args.length or SCRATCH_LENGTHS,
        chosen,
        rules,
        max_length,
        args.tolerance,
        args.seed,
        predictor.card,
    )


def cmd_design(args) -> int:
    """Design introns (edits of one, or new ones) and write the table (CSV) and, if asked, a FASTA."""
    from splice_core.data.contexts import library_to_template
    from splice_core.data.library import library_path, read_library, usable_rows
    from splice_core.data.sites import natural_sites
    from splice_core.design.output import (
        COLUMN_NOTE,
        NO_TEMPLATE,
        agreement_share,
        designs_fasta,
        designs_table,
    )
    from splice_core.design.search import design
    from splice_core.files.path_checks import check_output_file
    from splice_core.models.lightgbm_peer import peer_beside
    from splice_core.models.store import active_model_path
    from splice_core.predict.tables import TABLE_FORMATS, checked_output, write_table

    checked_output(args.output, TABLE_FORMATS)  # output problems are named before the model loads
    if args.fasta:
        check_output_file(args.fasta)
    check_model_option(args.model)
    if args.mode == "edit" and not args.intron:
        raise ValueError("design edit needs the intron: its sequence, or a file holding it")
    from splice_core.predict.predictor import load_predictor

    predictor = load_predictor(args.model or active_model_path())
    if predictor.needs_template:
        raise ValueError(
            f"design needs an intron-context model; this one reads the {predictor.context!r} context"
        )
    frame = usable_rows(read_library(args.data_dir)) if library_path(args.data_dir) else None
    if frame is None and args.mode == "scratch" and args.sites == "library":
        raise ValueError(
            "--sites library needs the library in the data directory (python -m splice_core fetch)"
        )
    request = design_request(args, predictor, natural_sites(frame) if frame is not None else None)
    start = time.monotonic()
    designs = design(predictor.intron_members, request, hold_out=not args.all_members)
    seconds = time.monotonic() - start
    template = library_to_template(frame) if frame is not None else None
    table = designs_table(designs, template, predictor.card, peer_beside(predictor.path, predictor.card))
    write_table(table, args.output)
    agree = agreement_share(table)
    print(
        f"{len(table)} designs in {seconds:.1f} s into {args.output}"
        + (f"; the held-out member agrees within 0.1 on {agree:.0%}" if agree is not None else "")
    )
    print(COLUMN_NOTE)
    if args.fasta:
        column = "oligo" if template is not None else "sequence"
        Path(args.fasta).write_text(designs_fasta(table, column))
        print(f"wrote {column}s to {args.fasta}" + ("" if template else f" (oligos {NO_TEMPLATE})"))
    return 0


def add_design(sub) -> None:
    """The ``design`` sub-command: ``design edit INTRON`` or ``design scratch``."""
    design = command(
        sub,
        "design",
        "design introns: the fewest edits toward a goal, or new ones from scratch",
        "design scratch --target 0.3 --target-high 0.7 --n 10 --forbid GAATTC -o designs.csv --fasta oligos.fa",
    )
    design.add_argument(
        "mode", choices=["edit", "scratch"], help="edit: the fewest edits of one intron; scratch: new introns"
    )
    design.add_argument("intron", nargs="?", default="", help="edit: the intron (sequence or a FASTA file)")
    goal = design.add_mutually_exclusive_group(required=True)
    goal.add_argument(
        "--target", type=SHARE, help="target efficiency 0..1 (scratch: the low end with --target-high)"
    )
    goal.add_argument("--high", action="store_true", help="edit: as high as possible")
    goal.add_argument("--low", action="store_true", help="edit: as low as possible")
    design.add_argument(
        "--edits",
        type=edit_count,
        default=5,
        help="edit: at most this many edits (best design for each count)",
    )
    design.add_argument(
        "--fixed", default="", help="edit: 1-based positions that must not change, e.g. 1-6,40"
    )
    design.add_argument(
        "--edit-sites", action="store_true", help="edit: allow edits in the 5'SS, branch site and 3'SS"
    )
    design.add_argument("--deletions", action="store_true", help="edit: allow single-base deletions")
    design.add_argument("--insertions", action="store_true", help="edit: allow single-base insertions")
    design.add_argument("--beam", type=AT_LEAST_1, default=2, help="edit: states kept per step of the search")
    design.add_argument("--n", type=design_count, default=10, help="scratch: number of designs")
    design.add_argument(
        "--target-high", type=SHARE, default=None, help="scratch: spread targets from --target to this"
    )
    design.add_argument(
        "--length",
        type=lambda t: number_range(t, int),
        default=None,
        help="scratch: length range, e.g. 80-120 (default: within the library's lengths, up to its longest intron)",
    )
    design.add_argument(
        "--sites",
        choices=["fixed", "library"],
        default="fixed",
        help="scratch: the given sites, or the library's natural variants that splice",
    )
    design.add_argument(
        "--ss5", nargs="+", default=["GTATGT"], help="scratch: 5' splice sites to draw from (--sites fixed)"
    )
    design.add_argument(
        "--branch", nargs="+", default=["TACTAAC"], help="scratch: branch sites to draw from (--sites fixed)"
    )
    design.add_argument(
        "--ss3", nargs="+", default=["TAG"], help="scratch: 3' splice sites to draw from (--sites fixed)"
    )
    design.add_argument(
        "--tolerance",
        type=bounded(float, 0.0, 0.5),
        default=0.05,
        help="scratch: a design is done within this of its target",
    )
    design.add_argument("--seed", type=int, default=0, help="scratch: random seed (same seed, same designs)")
    design.add_argument("--gc", type=number_range, default=(0.0, 1.0), help="GC share range, e.g. 0.25-0.45")
    design.add_argument("--forbid", default="", help="forbidden motifs, e.g. GAATTC,GGTCTC")
    design.add_argument("--max-run", type=AT_LEAST_1, default=None, help="longest homopolymer run allowed")
    design.add_argument(
        "--all-members", action="store_true", help="search against every member (no held-out check)"
    )
    design.add_argument(
        "--model", type=Path, default=None, help="model directory (default: the active model)"
    )
    design.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="table of the designs; its suffix picks the format: .csv or .xlsx (a FASTA: --fasta)",
    )
    design.add_argument(
        "--fasta", type=Path, default=None, help="also a FASTA of the oligos (introns without data)"
    )
    design.set_defaults(func=cmd_design)
