"""The ``brief`` command line: a thin layer that reads options, calls one library function and prints.

Library functions raise ``pipeline.errors.BriefError`` for problems a user can fix; ``main`` turns them into
one line on stderr and the error's exit code. No traceback reaches the user for bad input.
"""

from __future__ import annotations

import json
import sys

import click

from pipeline import __version__
from pipeline.errors import BriefError


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class _BriefGroup(click.Group):
    """A click group that turns the library's ``BriefError`` into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BriefError as e:
            click.echo(f"brief: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("brief: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_BriefGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="brief")
def cli() -> None:
    """bilingual-brief: Chinese news and reports into English, every figure checked against the source.

    \b
    Typical use:
      brief segment article.txt            outline of the article's structure
      brief figures article.txt            every figure in a Chinese text
      brief check source.txt english.txt   check a translation's figures against the source
      brief translate articles/ -o out/    translate a folder of articles
    """


@cli.command()
@click.argument("article", type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the structure as JSON (the contract other tools read).")
@click.option("--clause-budget", type=click.IntRange(min=8), default=None,
              help="Also split sentences longer than this many characters into clauses (as the model sees them).")
def segment(article: str, as_json: bool, clause_budget: int | None) -> None:
    """Print the structure of a Chinese ARTICLE: title, subtitle, byline, epigraph, sections, captions.

    Paragraphs broken by page or PDF extraction are joined back; every paragraph is split into sentences.
    """
    from pipeline.segment import document_to_json, format_outline, segment_file

    document = segment_file(article)
    if as_json:
        _print_json(document_to_json(document, clause_budget=clause_budget))
    else:
        click.echo(format_outline(document, clause_budget=clause_budget))


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``brief`` console script."""
    try:
        cli.main(args=argv, prog_name="brief")
    except BrokenPipeError:  # `brief ... | head`: the reader left; nothing more to say
        sys.exit(0)
