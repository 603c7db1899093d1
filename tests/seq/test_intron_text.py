"""Checking pasted intron text: cleaning and one message per problem."""

from splice_core.seq.intron_text import (
    EXAMPLE_INTRON,
    MAX_INTRON,
    MIN_INTRON,
    TRAINED_MAX,
    check_intron,
    clean_intron_text,
)

GOOD = "GTATGT" + "A" * 30 + "TACTAAC" + "C" * 10 + "TAG"


def test_clean_accepts_rna_lower_case_spaces_numbers_and_a_fasta_header():
    text = ">my intron\n  1 guaugu acgu\n11 ACGT\r\n"
    assert clean_intron_text(text) == "GTATGTACGTACGT"


def test_a_good_intron_has_no_messages():
    check = check_intron(GOOD.lower(), 200)
    assert check.ok and check.sequence == GOOD and check.errors == [] and check.warnings == []


def test_the_example_intron_is_clean():
    assert check_intron(EXAMPLE_INTRON, 200).warnings == []


def test_empty_input_is_an_error():
    for text in ("", "   \n", ">header only\n"):
        check = check_intron(text, 200)
        assert not check.ok and check.errors == [
            "The intron is empty: enter a sequence (5' splice site first, 3' splice site last)."
        ]


def test_other_letters_are_reported_with_their_positions():
    check = check_intron(GOOD[:10] + "X" + GOOD[11:20] + "é" + GOOD[21:], 200)
    assert not check.ok
    assert check.errors == ["Only A, C, G, T/U and N are allowed: found 'X' at 11, 'é' at 21."]  # as typed


def test_positions_count_as_typed_with_digits_dropped_from_the_sequence():
    check = check_intron("ACGT123!!", 200)
    assert (
        check.sequence == "ACGT!!"
        and check.errors[0] == "Only A, C, G, T/U and N are allowed: found '!' at 8, '!' at 9."
    )
    spaced = check_intron(">x\n1 " + GOOD[:10] + "\n11 N" + GOOD[11:], 200)
    assert spaced.ok and spaced.warnings == [
        "1 N base(s) (first at 14) are read as unknown."
    ]  # '1', 10 bases, '11', then N


def test_without_stripping_a_digit_is_an_error_at_its_place():
    check = check_intron(GOOD[:5] + "7" + GOOD[5:], 200, strip_digits=False)
    assert not check.ok and check.errors == ["Only A, C, G, T/U and N are allowed: found '7' at 6."]


def test_many_bad_letters_are_shortened():
    check = check_intron(GOOD + "XXXXXXX", 200)
    assert check.errors == [
        "Only A, C, G, T/U and N are allowed: found 'X' at 57, 'X' at 58, 'X' at 59, 'X' at 60, 'X' at 61 and 2 more."
    ]


def test_a_protein_sequence_reads_as_one_sentence_per_problem():
    """A protein's many non-bases end their list in words, not in '….' (each problem is one sentence)."""
    check = check_intron("MKTAYIAKQRQISFVK", 200, strip_digits=False)
    assert check.errors[0] == (
        "Only A, C, G, T/U and N are allowed: found 'M' at 1, 'K' at 2, 'Y' at 5, 'I' at 6, 'K' at 8 and 8 more."
    )
    assert check.errors[1].startswith("Too short (16 nt)")
    assert all(e.endswith(".") and not e.endswith("….") for e in check.errors)


def test_too_short_is_an_error():
    check = check_intron("GTATGTAG", 200)
    assert check.errors == [
        f"Too short (8 nt): an intron needs at least {MIN_INTRON} nt to hold the 5' splice site, branch site and 3' splice site."
    ]


def test_longer_than_the_longest_taken_is_an_error():
    check = check_intron(GOOD, 40)
    assert check.errors == [
        f"Too long ({len(GOOD)} nt): introns of at most 40 nt are taken (the longest annotated yeast intron is 1,309 nt)."
    ]
    assert check_intron("GT" + "A" * (MAX_INTRON - 4) + "AG").ok and MAX_INTRON >= 2000
    assert (
        check_intron("GT" + "A" * (MAX_INTRON - 3) + "AG")
        .errors[0]
        .startswith(f"Too long ({MAX_INTRON + 1:,} nt): introns of at most {MAX_INTRON:,} nt")
    )


def test_missing_splice_site_dinucleotides_are_warnings_and_still_predicted():
    check = check_intron("CC" + GOOD[2:-2] + "TT", 200)
    assert check.ok
    assert check.warnings == [
        "No GT/GC at the 5' end (starts with CC): predicted anyway.",
        "No AG at the 3' end (ends with TT): predicted anyway.",
    ]


def test_gc_five_prime_site_is_accepted():
    assert check_intron("GC" + GOOD[2:], 200).warnings == []


def test_longer_than_the_library_is_read_through_views_with_a_warning():
    long = GOOD[:-3] + "A" * (TRAINED_MAX + 1 - len(GOOD)) + "TAG"
    check = check_intron(long, 200)
    assert check.ok and check.warnings == [
        f"Longer ({TRAINED_MAX + 1} nt) than any intron in the training library ({TRAINED_MAX} nt): the model reads "
        f"{TRAINED_MAX}-nt views of it (its 5' end, windows of the middle, and its branch site to 3' end)."
    ]
    assert (
        check_intron(GOOD, 200, trained_max=40)
        .warnings[0]
        .startswith(f"Longer ({len(GOOD)} nt) than any intron in the training library (40 nt)")
    )


def test_n_bases_are_a_warning_with_the_first_position():
    check = check_intron(GOOD[:12] + "NN" + GOOD[14:], 200)
    assert check.ok and check.warnings == ["2 N base(s) (first at 13) are read as unknown."]


def test_several_fasta_records_are_an_error():
    check = check_intron(f">a\n{GOOD}\n>b\n{GOOD}\n", 200)
    assert check.errors == ["Found 2 FASTA records: paste one intron here (use Batch scoring for many)."]
