"""The pre-send service (issue 7): `sklint serve` (app.py), the sharing record (record.py),
on-premises Exchange drafts (exchange.py) and their Click commands (cli.py)."""
