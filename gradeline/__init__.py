"""Gradeline: a static-site generator for graded inspection reports."""

__version__ = "0.1.0"
