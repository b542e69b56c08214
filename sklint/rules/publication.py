"""Publication rules (placeholder until built)."""


def check_publication(message, findings, ctx):
    return []
