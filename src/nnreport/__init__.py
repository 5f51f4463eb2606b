"""nnreport: chapter-6 training experiments on several datasets, rendered as a report."""

__version__ = "0.1.0"


class UserError(Exception):
    """A problem the user can fix (bad input, missing files); printed without a traceback."""
