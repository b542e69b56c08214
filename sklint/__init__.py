"""sklint: a linter that stops small UK charities from leaking the people they support."""
__version__ = "0.1.0"
