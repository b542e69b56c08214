"""`python -m sklint.serve ...`: the same commands as `sklint serve` / `record` / `exchange`,
usable before sklint.cli registers them (and by the add-in's tests)."""
from .cli import main

main()
