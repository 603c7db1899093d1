"""``fetch``: the data files from their pinned sources."""

from splice_core.cli.arguments import command


def cmd_fetch(args) -> int:
    """Download the original data files."""
    from splice_core.data.fetch import fetch_all
    from splice_core.data.library import data_dir
    from splice_core.files.path_checks import check_output_folder

    check_output_folder(data_dir(args.data_dir))
    for path in fetch_all(args.data_dir):
        print(f"wrote {path}")
    print("data directory ready")
    return 0


def add_fetch(sub) -> None:
    """The ``fetch`` sub-command."""
    command(
        sub, "fetch", "download the original data files into the data directory", "fetch --data-dir data"
    ).set_defaults(func=cmd_fetch)
