"""Sensitive categories from rules/categories/*.yaml (placeholder until built)."""
from __future__ import annotations


def detect_categories(part, ctx, persons=()):
    return []
