"""The report: section contexts from result files, Jinja2 HTML, WeasyPrint PDF."""
