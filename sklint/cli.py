"""The command line. `sklint PATH...` means `sklint check PATH...`; sub-command names win."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .config import Config, ConfigError, nearest
from .model import SEVERITY_RANK

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


# Sub-commands that live in other modules: name -> (module, attribute). The explicit list is the
# whole registry; a module is imported only when its command runs, so `sklint check` starts fast.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "fix": ("sklint.fix.cli", "fix"),
    "register": ("sklint.fix.cli", "register"),
    "baseline": ("sklint.baseline", "baseline"),
    "serve": ("sklint.serve.cli", "serve"),
    "record": ("sklint.serve.cli", "record"),
    "exchange": ("sklint.serve.cli", "exchange"),
    "addin": ("sklint.addin", "addin"),
}


class DefaultGroup(click.Group):
    """A group whose unknown first argument is a path for the default `check` command, with the
    sub-commands of LAZY_COMMANDS loaded on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str):
        if name in self.commands:
            return self.commands[name]
        if name in LAZY_COMMANDS:
            import importlib
            module, attr = LAZY_COMMANDS[name]
            return getattr(importlib.import_module(module), attr)
        return None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in LAZY_COMMANDS \
                and args[0] not in ("--help", "-h", "--version"):
            near = _near_command(args[0], self.list_commands(ctx))
            if near:
                click.echo(f"sklint: '{args[0]}' is neither a command nor a file or folder here; "
                           f"did you mean `sklint {near}`? (`sklint --help` lists the commands)", err=True)
                ctx.exit(EXIT_ERROR)
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _near_command(word: str, commands: list[str]) -> Optional[str]:
    """A mistyped command ("chek"): a word that is no existing path, has no path separator or
    extension, and is close to a command name."""
    if word.startswith("-") or os.path.exists(word) or any(c in word for c in "/\\.") or len(word) < 3:
        return None
    import difflib
    near = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.6)
    return near[0] if near else None


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sklint")
def main() -> None:
    """sklint: find personal data and sensitive detail before it leaves a small charity.

    `sklint PATH...` is short for `sklint check PATH...`.
    """


def _fail(msg: str) -> None:
    click.echo(f"sklint: {msg}", err=True)
    sys.exit(EXIT_ERROR)


def _load(config_path: Optional[str], paths: tuple[str, ...]) -> Config:
    from .config import load_for
    try:
        return load_for(config_path, paths)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", default="text", show_default=True,
              help="Report format: text, json (and sarif, github, junit, html where installed).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--show-matches/--hide-matches", default=None,
              help="Print the flagged words (default: shown in the text report on your own terminal, "
                   "hidden in files, pipes, CI and every machine format).")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]),
              help="Lowest severity that makes the exit status 1 (default: warning).")
@click.option("--config", "config_path", type=click.Path(), help="Use this config file.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Worker processes (0 = one per core).")
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to enable (replaces the default set).")
@click.option("--extend-select", multiple=True, help="Rule codes, prefixes or names to enable in addition.")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or names to disable.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in this baseline.")
@click.option("--changed-since", metavar="REV", help="Check only files changed in git since REV.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: on a TTY).")
def check(paths, fmt, output, show_matches, fail_on, config_path, jobs, select, extend_select, ignore,
          baseline, changed_since, color):
    """Check files and folders for personal data and sensitive detail."""
    from .check import run_check
    if not paths:
        paths = (".",)

    def adjust(config: Config) -> Config:  # the command line's options, over each file's config
        overrides = {}
        if fail_on:
            overrides["fail_on"] = fail_on
        if select:
            overrides["select"] = tuple(select)
        if extend_select:
            overrides["extend_select"] = config.extend_select + tuple(extend_select)
        if ignore:
            overrides["ignore"] = config.ignore + tuple(ignore)
        return config.with_(**overrides) if overrides else config

    config = adjust(_load(config_path, paths))
    code = run_check(paths, config, fmt=fmt, output=output, show_matches=show_matches, jobs=jobs,
                     baseline=baseline, changed_since=changed_since, colour=color,
                     configs=nearest(config_path, adjust))
    sys.exit(code)


@main.command("eval")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False))
@click.option("--verbose", "-v", is_flag=True, help="List misses and false alarms.")
@click.option("--config", "config_path", type=click.Path(), help="Use this config file.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True)
def eval_cmd(corpus, verbose, config_path, jobs):
    """Score sklint on a labelled corpus (documents with NAME.gold.json beside them)."""
    from .evaluate import corpus_documents, evaluate, format_report, load_gold
    from .runner import check_files
    pairs = corpus_documents(Path(corpus))
    if not pairs:
        _fail(f"{corpus}: no labelled documents (NAME.gold.json beside NAME.ext)")
    # each document with its own configuration: --config for all, else the nearest config file
    done = {}
    configured = bool(config_path)
    try:
        for cfg, group in nearest(config_path).groups([d for d, _ in pairs]):
            configured = configured or bool(cfg.path)
            done.update(zip(group, check_files(group, cfg, jobs=jobs)))
    except ConfigError as exc:
        _fail(str(exc))
    results = [done[d] for d, _ in pairs]
    golds = [load_gold(g) for _, g in pairs]
    # verdicts: every email alone with no configuration, as a new user would run it
    emails = [i for i, (d, _) in enumerate(pairs) if d.suffix.lower() == ".eml"]
    plain = results if not configured else check_files([pairs[i][0] for i in emails], Config(), jobs=jobs)
    by_index = dict(zip(emails, plain if configured else [results[i] for i in emails]))
    res = evaluate(((r, gd, d.name) for r, (d, _), gd in zip(results, pairs, golds)),
                   ((by_index[i], golds[i], pairs[i][0]) for i in emails))
    click.echo(format_report(res, verbose), nl=False)


def rules_markdown(reg) -> str:
    """docs/rules.md: every rule's code, name, severity, what it detects, the policy clause it
    enforces and its documentation (generated: `sklint rules --markdown > docs/rules.md`)."""
    out = ["# sklint rules", "",
           "Generated by `sklint rules --markdown`; every rule cites the policy clause it enforces",
           "(the policies are in the charities' own documents, `shared/policies/`).", "",
           "| code | name | severity | detects | policy |", "|---|---|---|---|---|"]
    for r in reg.rules:
        out.append(f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {r.severity} | "
                   f"{r.entity or r.category or r.kind} | {r.policy} |")
    for r in reg.rules:
        out += ["", f"## {r.code}", "", f"**`{r.name}`** ({r.kind}, {r.severity}). {r.summary}", "",
                f"Policy: {r.policy}"]
        if r.contexts:
            from .context import REASONS
            out += ["", "In an email, lowered where the message shows it is no disclosure (see "
                    "`sklint/context.py`):", ""]
            out += [f"- `{c}` → {sev}: {REASONS.get(c, c)}" for c, sev in r.contexts.items()]
        if r.doc:
            out += ["", r.doc.rstrip()]
    return "\n".join(out) + "\n"


@main.command("rules")
@click.argument("rule", required=False)
@click.option("--markdown", is_flag=True, help="Print every rule's documentation as Markdown.")
def rules_cmd(rule, markdown):
    """List every rule, or print one rule's documentation."""
    from .registry import load_registry
    reg = load_registry()
    if markdown:
        click.echo(rules_markdown(reg), nl=False)
        return
    if rule:
        r = reg.get(rule)
        if r is None:
            _fail(f"no rule {rule!r} (try `sklint rules`)")
        click.echo(f"{r.code} {r.name} ({r.kind}, {r.severity})")
        what = r.entity or r.category
        if what:
            click.echo(f"detects: {what}")
        click.echo(f"policy: {r.policy}")
        for line in _hold_lines(r):
            click.echo(line)
        click.echo("")
        click.echo(r.summary)
        if r.doc:
            click.echo("")
            click.echo(r.doc.rstrip())
        ex = (r.data or {}).get("examples") or {}
        for key in ("fail", "pass"):
            if ex.get(key):
                click.echo("")
                click.echo("Flagged:" if key == "fail" else "Not flagged:")
                for e in ex[key][:5]:
                    click.echo(f"  {e if len(e) < 200 else e[:200] + '...'}")
        return
    click.echo(f"{'code':<7}{'name':<32}{'severity':<9}{'detects':<20}policy")
    for r in reg.rules:
        sev = r.severity + ("*" if r.contexts else "")
        click.echo(f"{r.code:<7}{r.name:<32}{sev:<9}{(r.entity or r.category or r.kind):<20}{r.policy}")
    click.echo("")
    click.echo("A finding at warning or error holds an email at Send (and fails a check); info does not.")
    click.echo("* in an email, lowered where the message shows it is no disclosure: `sklint rules CODE`.")


@main.command("init")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", default="sklint.toml", show_default=True, type=click.Path(),
              help="Where to write the profile.")
@click.option("--yes", "-y", is_flag=True, help="Write it without asking (after printing it).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_cmd(paths, output, yes, force):
    """Write an organisation profile (sklint.toml) from a folder of sent mail or published pages.

    It is printed for review first; only the organisation's own details go in it.
    """
    from .init import build_profile
    missing = [p for p in paths if not Path(p).exists()]
    for p in missing:
        click.echo(f"sklint: {p}: no such file or folder", err=True)
    prof = build_profile([p for p in paths if Path(p).exists()])
    for line in prof.unread:
        click.echo(f"sklint: {line}", err=True)
    if not prof.files or not prof.domains:
        _fail("no mail sent from an organisation's domain found in "
              f"{', '.join(paths)}: point sklint init at a folder of sent mail (.eml or .msg)")
    text = prof.toml(", ".join(paths))
    click.echo(text)
    out = Path(output)
    if out.exists() and not force:
        _fail(f"{out} exists: review the profile above and merge it by hand, or use --force")
    if not yes:
        if not sys.stdin.isatty():
            click.echo(f"Not written. Run again with --yes to write it to {out}.", err=True)
            sys.exit(EXIT_ERROR if missing else EXIT_OK)
        if not click.confirm(f"Write this to {out}?", default=False):
            click.echo("Not written.", err=True)
            sys.exit(EXIT_OK)
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}: sklint reads it for every file below {out.parent.resolve()}.", err=True)
    sys.exit(EXIT_ERROR if missing else EXIT_OK)


def _hold_lines(r) -> list[str]:
    """What holds a message, for one rule: its severity, and the contexts that lower it."""
    from .context import REASONS
    held = "holds an email at Send" if r.severity != "info" else "informational, holds nothing"
    out = [f"severity: {r.severity} ({held}; the default fail-on is warning)"]
    if r.contexts:
        out.append("in an email, lowered where the message shows it is no disclosure:")
        for ctx, sev in r.contexts.items():
            out.append(f"  {ctx:<15}-> {sev}: {REASONS.get(ctx, ctx)}")
    return out




if __name__ == "__main__":
    main()
