"""`sklint fix` and `sklint register list|reveal|forget|rekey`."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import click

from .register import (Register, RegisterError, load_reveal_key, load_secret,
                       reveal_key_is_encrypted)

EXIT_OK, EXIT_ERROR = 0, 2


def _fail(msg: str) -> None:
    click.echo(f"sklint: {msg}", err=True)
    sys.exit(EXIT_ERROR)


def _config(config_path: Optional[str], paths: tuple[str, ...]):
    from ..config import ConfigError, load_for
    try:
        return load_for(config_path, paths)
    except ConfigError as exc:
        _fail(str(exc))


def data_dir() -> Path:
    """Where sklint keeps a person's own register and its key: $SKLINT_DATA_DIR, else the
    platform's user data folder (~/.local/share/sklint, %LOCALAPPDATA%\\sklint, ~/Library/...)."""
    env = os.environ.get("SKLINT_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs
    return Path(platformdirs.user_data_dir("sklint", appauthor=False))


def _default_secret(create: bool) -> Optional[bytes]:
    """The register key kept in the data folder (mode 0600), made on first use."""
    import secrets
    from .register import _write_private
    path = data_dir() / "register.key"
    if path.is_file():
        return load_secret(str(path))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(path, secrets.token_urlsafe(32).encode("ascii") + b"\n")
    click.echo(f"sklint: created the register key {path} (readable by you only).", err=True)
    return load_secret(str(path))


def _register_path(option: Optional[str], config) -> Optional[str]:
    if option:
        return option
    if config.register:
        p = Path(config.register).expanduser()
        if not p.is_absolute() and config.path:
            p = Path(config.path).resolve().parent / p
        return str(p)
    return None


def _passphrase_for_new_key() -> Optional[bytes]:
    env = os.environ.get("SKLINT_REVEAL_PASSPHRASE")
    if env:
        return env.encode("utf-8")
    if sys.stdin.isatty():
        pw = click.prompt("Passphrase to protect the new reveal key (empty for none)", default="",
                          hide_input=True, confirmation_prompt=True, show_default=False, err=True)
        return pw.encode("utf-8") if pw else None
    return None


def _passphrase_for(path: str) -> Optional[bytes]:
    env = os.environ.get("SKLINT_REVEAL_PASSPHRASE")
    if env:
        return env.encode("utf-8")
    if reveal_key_is_encrypted(path):
        if not sys.stdin.isatty():
            _fail(f"{path}: the reveal key is protected by a passphrase; set SKLINT_REVEAL_PASSPHRASE")
        return click.prompt("Reveal key passphrase", hide_input=True, err=True).encode("utf-8")
    return None


def _announce_new(reg: Register, passphrase: Optional[bytes]) -> None:
    if reg.created_reveal_key:
        click.echo(f"sklint: created the pseudonym register {reg.path} (mode 0600).", err=True)
        click.echo(f"sklint: its reveal key is {reg.created_reveal_key}"
                   f"{' (passphrase-protected)' if passphrase else ' (NOT passphrase-protected)'}.", err=True)
        click.echo("sklint: MOVE THE REVEAL KEY TO YOUR DATA PROTECTION LEAD NOW and delete it from this "
                   "computer; it is the only way to read names back, and sklint fix never needs it.", err=True)


@click.command("fix")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", "output", type=click.Path(file_okay=False),
              help="Write fixed copies here, with the same names.")
@click.option("--in-place", is_flag=True, help="Rewrite the files themselves (needs --backup).")
@click.option("--backup", type=click.Path(file_okay=False),
              help="With --in-place: copy the originals here first (not inside the folder being fixed).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of the text; write nothing.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False),
              help="The pseudonym register (SQLite); default: `register` in the config.")
@click.option("--key-file", type=click.Path(dir_okay=False),
              help="File holding the register key (default: $SKLINT_REGISTER_KEY).")
@click.option("--no-register", is_flag=True,
              help="One-off codes for this run only: no register is read or written.")
@click.option("--generalise-categories", is_flag=True,
              help='Replace special-category detail with a generic phrase ("has a health condition").')
@click.option("--config", "config_path", type=click.Path(), help="Use this config file.")
def fix(paths, output, in_place, backup, show_diff, register_path, key_file, no_register,
        generalise_categories, config_path):
    """Write pseudonymised copies: people become SKC codes, other identifiers are generalised.

    The same person gets the same code in every document and every run: codes are kept in an
    encrypted register, by default in your user data folder (made on first use, with its key;
    --register and --key-file, or the config, choose others). --no-register gives one-off codes.

    Formats: .txt, .md, .html, .docx, .eml, .csv, .xlsx. Other files are reported as not fixable
    (exit status 2) and the rest are still processed.
    """
    from ..discover import iter_files
    from ..pipeline import Engine
    from .fixer import Fixer
    from .generalise import FixError, options_from
    from .safety import UnsafePath, contained, is_within, safe_relpath, write_atomic

    modes = sum(bool(x) for x in (output, in_place, show_diff))
    if modes != 1:
        _fail("choose exactly one of --output DIR, --in-place --backup DIR or --diff")
    if in_place and not backup:
        _fail("--in-place needs --backup DIR for the originals")
    status = EXIT_OK
    missing = [p for p in paths if not Path(p).exists()]
    for p in missing:  # one line each, and the other paths are still fixed (as `check` does)
        click.echo(f"{p}: no such file or folder", err=True)
        status = EXIT_ERROR
    paths = tuple(p for p in paths if p not in missing)
    if not paths:
        sys.exit(EXIT_ERROR)
    config = _config(config_path, paths)
    try:
        opts = options_from(config.section("fix"), generalise_categories)
    except FixError as exc:
        _fail(str(exc))
    roots = [Path(p) if Path(p).is_dir() else Path(p).parent for p in paths]
    out_dir = Path(output) if output else None
    backup_dir = Path(backup) if backup else None
    if backup_dir is not None:
        for r in roots:
            if is_within(backup_dir, r):
                _fail(f"--backup {backup}: inside {r}, the folder being fixed; keep the originals "
                      "somewhere that is not published")
    if out_dir is not None:
        for p in paths:
            if Path(p).is_file() and is_within(Path(p), out_dir) and Path(p).resolve().parent == out_dir.resolve():
                _fail(f"--output {output}: is the folder the file is in; it would be overwritten "
                      "(use --in-place --backup DIR for that)")
            if Path(p).is_dir() and Path(p).resolve() == out_dir.resolve():
                _fail(f"--output {output}: is the folder being fixed (use --in-place --backup DIR for that)")

    # the register: the one named, else the person's own in their data folder (made on first use)
    reg_path = None if no_register else (_register_path(register_path, config)
                                         or str(data_dir() / "register.sqlite"))
    try:
        secret = load_secret(key_file)
        if secret is None and reg_path and not no_register and not show_diff:
            secret = _default_secret(create=not Path(reg_path).exists())
        elif secret is None and show_diff and reg_path and Path(reg_path).exists():
            secret = _default_secret(create=False)
    except RegisterError as exc:
        _fail(str(exc))
    if reg_path and out_dir is not None and is_within(Path(reg_path), out_dir):
        _fail(f"the register {reg_path} is inside the output folder; keep it out of published content")
    passphrase = None
    try:
        if no_register:  # one-off codes: an in-memory register with a key that dies with the run
            import secrets as _secrets
            reg = Register.open(None, _secrets.token_bytes(32), prefix=opts["prefix"])
            secret = reg.secret
        elif show_diff:
            if reg_path and Path(reg_path).exists():
                reg = Register.open(reg_path, secret, readonly=True, prefix=opts["prefix"])
            else:
                reg = Register.open(None, secret, prefix=opts["prefix"])
        else:
            if secret is None:
                _fail(f"the register {reg_path} needs its key: set SKLINT_REGISTER_KEY, use --key-file, "
                      f"or put it in {data_dir() / 'register.key'}")
            if not Path(reg_path).exists():
                passphrase = _passphrase_for_new_key()
            reg = Register.open(reg_path, secret, create=True, passphrase=passphrase, prefix=opts["prefix"])
            _announce_new(reg, passphrase)
    except RegisterError as exc:
        _fail(str(exc))

    exclude = tuple(config.exclude) + tuple(config.extend_exclude)
    extra_ex = [d for d in (out_dir, backup_dir) if d is not None]
    files: list[tuple[Path, str, Path]] = []  # (file, display, relative output path)
    for p in paths:
        base = Path(p)
        for f in iter_files([p], exclude, Path(config.root) if config.root else None):
            if any(is_within(f, d) for d in extra_ex if d.exists()):
                continue
            rel = f.relative_to(base).as_posix() if base.is_dir() else f.name
            files.append((f, str(f), rel))

    if not files:
        click.echo(f"sklint: no files to fix in {', '.join(paths)}: nothing there that sklint reads, "
                   "or everything is excluded by the configuration", err=True)
        sys.exit(EXIT_ERROR)
    # each file with its own configuration (the nearest config file, or --config for all): the
    # staff and public contacts one folder's config allows are not rewritten there
    from ..config import ConfigError, nearest
    configs = nearest(config_path)
    fixers: dict[int, Fixer] = {}

    def fixer_for(f: Path) -> Fixer:
        cfg = configs(f)
        if id(cfg) not in fixers:
            fixers[id(cfg)] = Fixer(Engine(cfg), reg, secret, opts)
        return fixers[id(cfg)]

    try:
        preps = [(fixer_for(f), fixer_for(f).prepare(f, shown)) for f, shown, _ in files]
    except ConfigError as exc:
        _fail(str(exc))
    floor = max([p.max_code for _, p in preps], default=0)
    done = []
    for (f, shown, rel), (fixer, prep) in zip(files, preps):
        out = fixer.fix(prep, floor, want_diff=show_diff)
        if out.error:
            click.echo(f"{shown}: {out.error}", err=True)
            status = EXIT_ERROR
            continue
        if show_diff:
            if out.diff:
                click.echo(out.diff, nl=False)
            continue
        try:
            if out_dir is not None:
                target = contained(out_dir, safe_relpath(rel))
                if target.exists() and target.resolve() == f.resolve():
                    raise UnsafePath(f"{target}: is the input file itself")
                write_atomic(target, out.data if out.data is not None else f.read_bytes(), root=out_dir)
                where = str(target)
            else:
                bak = contained(backup_dir, safe_relpath(rel))
                if out.data is not None:
                    write_atomic(bak, f.read_bytes(), mode=0o600, root=backup_dir)
                    write_atomic(f, out.data)
                where = str(f)
        except (UnsafePath, OSError) as exc:
            click.echo(f"{shown}: not written: {exc}", err=True)
            status = EXIT_ERROR
            continue
        done.append((shown, out, where))
    if show_diff:
        reg.rollback()
        reg.close()
        sys.exit(status)
    reg.commit()
    reg.close()
    for shown, out, where in done:
        if out.changed:
            msg = (f"{shown}: fixed -> {where}: {out.replaced} finding(s) replaced"
                   f"{f' (+{out.swept} other occurrence(s))' if out.swept else ''}, {out.people} person code(s)"
                   f" ({out.new_codes} new)")
            if out.unplaced:
                msg += f", {out.unplaced} finding(s) could not be placed; check the file by hand"
                status = EXIT_ERROR
            click.echo(msg)
        else:
            click.echo(f"{shown}: nothing to fix -> {where}")
        for r in out.review:
            click.echo(f"  review: {r.code} is a first name or short form with no full name in this "
                       f"document ({r.part}, line {r.line}); it has a code of its own")
        for n in out.notes:
            click.echo(f"  note: {n}")
    sys.exit(status)


# -- sklint register ------------------------------------------------------------------------------

@click.group("register")
def register() -> None:
    """The pseudonym register of sklint fix: list codes, reveal one, forget one."""


def _open_existing(register_path: Optional[str], config_path: Optional[str], key_file: Optional[str] = None,
                   readonly: bool = False) -> Register:
    config = _config(config_path, ())
    path = _register_path(register_path, config)
    if not path:
        _fail("no register: use --register PATH or set `register` in the config")
    try:
        secret = load_secret(key_file) if key_file or os.environ.get("SKLINT_REGISTER_KEY") else None
        return Register.open(path, secret, create=False, readonly=readonly)
    except RegisterError as exc:
        _fail(str(exc))
        raise


_reg_opt = click.option("--register", "register_path", type=click.Path(dir_okay=False),
                        help="The register (default: `register` in the config).")
_cfg_opt = click.option("--config", "config_path", type=click.Path(), help="Use this config file.")


@register.command("list")
@_reg_opt
@_cfg_opt
def register_list(register_path, config_path):
    """Codes, when first seen and in how many documents. Never names."""
    reg = _open_existing(register_path, config_path, readonly=True)
    entries = reg.entries()
    reg.close()
    click.echo(f"{'code':<10}{'first seen':<22}{'documents':>10}  notes")
    for e in entries:
        note = []
        if e.forgotten:
            note.append(f"erased {e.forgotten}")
        elif e.kind == "local":
            note.append("first name or short form only: one document (review)")
        click.echo(f"{e.code:<10}{e.first_seen:<22}{e.documents:>10}  {'; '.join(note)}")


@register.command("reveal")
@click.argument("code")
@click.option("--reveal-key", required=True, type=click.Path(dir_okay=False),
              help="The private reveal key the data protection lead keeps.")
@_reg_opt
@_cfg_opt
def register_reveal(code, reveal_key, register_path, config_path):
    """Print the name behind one code (needs the reveal key)."""
    reg = _open_existing(register_path, config_path, readonly=True)
    try:
        key = load_reveal_key(reveal_key, _passphrase_for(reveal_key))
        payload = reg.reveal(code, key)
    except RegisterError as exc:
        _fail(str(exc))
    finally:
        reg.close()
    if payload.get("kind") == "local":
        click.echo(f"{code.upper()}: {payload.get('form')} (first name or short form only, in "
                   f"{payload.get('doc')})")
    else:
        click.echo(f"{code.upper()}: {payload.get('name')}")


@register.command("forget")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_reg_opt
@_cfg_opt
def register_forget(code, yes, register_path, config_path):
    """Erase one person (on request): the sealed name and the lookup are deleted; the code stays
    retired so it is never given to anyone else."""
    reg = _open_existing(register_path, config_path)
    if not yes and sys.stdin.isatty():
        click.confirm(f"Erase {code.upper()} from the register? This cannot be undone", abort=True, err=True)
    try:
        reg.forget(code)
    except RegisterError as exc:
        _fail(str(exc))
    finally:
        reg.close()
    click.echo(f"{code.upper()}: erased. Documents already fixed keep the code; the link to the "
               "person is gone.")


@register.command("rekey")
@click.option("--reveal-key", required=True, type=click.Path(dir_okay=False))
@click.option("--new-key-file", required=True, type=click.Path(dir_okay=False),
              help="File holding the new register key.")
@click.option("--new-reveal-key", type=click.Path(dir_okay=False),
              help="Also rotate the key pair: write the new private reveal key here.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="The current register key file.")
@_reg_opt
@_cfg_opt
def register_rekey(reveal_key, new_key_file, new_reveal_key, key_file, register_path, config_path):
    """Rotate the register key (and optionally the reveal key pair). Needs the reveal key."""
    reg = _open_existing(register_path, config_path, key_file)
    try:
        key = load_reveal_key(reveal_key, _passphrase_for(reveal_key))
        new_secret = load_secret(new_key_file)
        if new_reveal_key and Path(new_reveal_key).exists():
            raise RegisterError(f"{new_reveal_key}: already exists")
        n = reg.rekey(key, new_secret, _passphrase_for_new_key() if new_reveal_key else None, new_reveal_key)
    except RegisterError as exc:
        _fail(str(exc))
    finally:
        reg.close()
    click.echo(f"sklint: {n} entries rewritten under the new key.")
    if new_reveal_key:
        click.echo(f"sklint: new reveal key {new_reveal_key}: move it to your data protection lead and "
                   "destroy the old one.", err=True)


__all__ = ["fix", "register"]
