"""``vcf``: the variants of a VCF scored in the annotated introns they fall in."""

from pathlib import Path

from splice_core.cli.arguments import check_model_option, command


def cmd_vcf(args) -> int:
    """Score every VCF record that overlaps an annotated intron; write the VCF back with the scores in INFO."""
    from splice_core.cli.progress import progress_bar
    from splice_core.data.oligo_template import data_dir_loaders, template_inputs
    from splice_core.files.path_checks import check_input_path, check_output_file
    from splice_core.models.store import active_model_path
    from splice_core.predict.tables import TABLE_FORMATS, checked_output
    from splice_core.variants.annotation import annotated_introns
    from splice_core.variants.vcf import EntryScorer, open_vcf, score_vcf, vcf_output_kind

    # input, output, model and annotation problems are named before the model loads
    check_input_path(args.input)
    vcf_output_kind(args.output)
    check_output_file(args.output)
    check_model_option(args.model)
    open_vcf(args.input).close()
    for table in (args.table, args.haplotypes):
        if table is not None:
            checked_output(table, TABLE_FORMATS)
            check_output_file(table)
    introns = annotated_introns(args.data_dir, args.annotation, args.genome)
    from splice_core.predict.predictor import (
        load_predictor,  # TensorFlow: only once the input, output and annotation are good
    )

    predictor = load_predictor(args.model or active_model_path())
    design = template_inputs(predictor.context, data_dir_loaders(args.data_dir))
    scorer = EntryScorer(predictor, predictor.card["pwm_baseline"]["pwms"]["branch"], design)
    with progress_bar() as bar:
        task = bar.add_task("scoring", total=None)
        summary = score_vcf(
            scorer,
            introns,
            args.input,
            args.output,
            table=args.table,
            haplotypes=args.haplotypes,
            on_progress=lambda s: bar.update(
                task, description=f"{s.records:,} records, {s.overlapping:,} in introns"
            ),
        )
    print(
        f"{summary.records:,} records, {summary.overlapping:,} in {len(introns)} annotated introns: "
        f"{summary.scored:,} ALT x intron scored, {summary.failed:,} not (reason in SPLICE_EFF_ERR) -> {args.output}"
        + (f"; {summary.haplotypes:,} haplotypes -> {args.haplotypes}" if args.haplotypes else "")
    )
    return 0


def add_vcf(sub) -> None:
    """The ``vcf`` sub-command."""
    vcf = command(
        sub,
        "vcf",
        "score the variants of a VCF in annotated introns; write the VCF back with the scores in INFO (SPLICE_EFF)",
        "vcf strains.vcf.gz -o scored.vcf.gz --table scored.csv --haplotypes strains.csv",
    )
    vcf.add_argument(
        "input", type=Path, help="VCF (.vcf, or bgzipped .vcf.gz); chrI, I, chr1 and NC_001133 names alike"
    )
    vcf.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="VCF to write (.vcf, or .vcf.gz: bgzipped and tabix-indexed)",
    )
    vcf.add_argument(
        "--table", type=Path, default=None, help="also a table of every ALT x intron (.csv or .xlsx)"
    )
    vcf.add_argument(
        "--haplotypes",
        type=Path,
        default=None,
        help="also a table per sample: all of its ALT alleles in one intron applied together (.csv or .xlsx)",
    )
    vcf.add_argument(
        "--annotation",
        type=Path,
        default=None,
        help="GFF3 of introns (or exons) instead of the R64 intron table",
    )
    vcf.add_argument(
        "--genome", type=Path, default=None, help="the annotation's genome FASTA (indexed with faidx)"
    )
    vcf.add_argument("--model", type=Path, default=None, help="model directory (default: the active model)")
    vcf.set_defaults(func=cmd_vcf)
