"""Render the report: Jinja2 (autoescaped) to one self-contained HTML, WeasyPrint to PDF."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from nnreport import UserError, __version__, experiments
from nnreport.messages import load_messages
from nnreport.report import summary
from nnreport.report.assets import Paths, figure_uri, load_meta
from nnreport.report.code import loader_listing
from nnreport.report.discussion import discussion
from nnreport.report.korean import keep_words_whole
from nnreport.report.sections import build
from nnreport.report.settings import merged_table
from nnreport.results import atomic_write

log = logging.getLogger(__name__)


class Numbering:
    """Running numbers for figures and tables, called from the templates."""

    def __init__(self) -> None:
        self.figures = self.tables = 0

    def next_figure(self) -> int:
        self.figures += 1
        return self.figures

    def next_table(self) -> int:
        self.tables += 1
        return self.tables


def make_environment(templates: Path) -> Environment:
    # select_autoescape matches file extensions; ".j2" is not among its defaults,
    # so the templates' "html.j2" names are listed explicitly.
    return Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "xml")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def font_face(family: str, path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f"@font-face {{ font-family: '{family}'; "
        f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}\n"
    )


def embedded_fonts(lang: str) -> str:
    """@font-face rules with the fonts as data: URLs: the HTML needs no system font, and
    WeasyPrint embeds the subsets it uses in the PDF.

    Text uses DejaVu Sans (shipped with matplotlib), or for Korean NanumGothic as shipped by
    koreanize-matplotlib (the figures use it too); code uses DejaVu Sans Mono. Only regular
    weights are embedded (bold is synthesised), which keeps the Korean HTML near 10 MB.
    """
    import matplotlib

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    rules = font_face("DejaVu Sans Mono", dejavu / "DejaVuSansMono.ttf")
    if lang == "ko":
        import koreanize_matplotlib

        fonts = Path(koreanize_matplotlib.__file__).parent / "fonts"
        rules += font_face("NanumGothic", fonts / "NanumGothic.ttf")
        return rules + "html { font-family: 'NanumGothic', sans-serif; }\n"
    rules += font_face("DejaVu Sans", dejavu / "DejaVuSans.ttf")
    return rules + "html { font-family: 'DejaVu Sans', sans-serif; }\n"


def build_context(config: dict, paths: Paths, templates: Path, rebuild: str = "") -> dict:
    report = config["report"]
    t = load_messages(templates, report["lang"])
    dataset_keys = [n for n in experiments.names(needs_dataset=True) if n in config["experiments"]]
    general = [n for n in experiments.names(needs_dataset=False) if n in config["experiments"]]
    datasets = []
    for name in config["datasets"]:
        meta = load_meta(paths.dataset_meta(name))
        datasets.append(
            {
                "name": name,
                "meta": meta,
                "sample_grid": figure_uri(paths.figure(name, "samples")),
                "balance": figure_uri(paths.figure(name, "balance")),
                "sections": [build(key, name, meta["title"], paths, t) for key in dataset_keys],
            }
        )
    metas = [ds["meta"] for ds in datasets]
    verdicts = summary.counts(datasets)
    return {
        "summary": t("title_summary", datasets=", ".join(m["title"] for m in metas), **verdicts),
        "cross": summary.cross_dataset(
            config["datasets"], dataset_keys, paths, t, [m["title"] for m in metas]
        ),
        "conclusion": summary.conclusion(datasets, t),
        "matrix": summary.verdict_matrix(datasets, t),
        "homework": summary.homework_table(datasets, dataset_keys, paths, t),
        "provenance": summary.provenance(config, metas, paths, rebuild),
        "report": report,
        "title": report["title"]
        or t("default_title", datasets=", ".join(m["title"] for m in metas)),
        "lang": report["lang"],
        "t": t,
        "version": __version__,
        "build_date": report["date"] or dt.date.today().isoformat(),
        "general": [
            general_part(build(key, "general", t("general"), paths, t), t) for key in general
        ],  # fmt: skip
        "datasets": datasets,
        "loaders": loader_listing(
            config["datasets"], [m["title"] for m in metas], config["custom_datasets"]
        ),
        "experiments": [experiment_part(key, datasets, t) for key in dataset_keys],
        "css": (templates / "style.css").read_text(encoding="utf-8"),
        "font_css": embedded_fonts(report["lang"]),
        "counter": Numbering(),
    }


def experiment_part(key: str, datasets: list[dict], t) -> dict:
    """One experiment across the datasets: its code, settings and output once, then per
    dataset its figures, tables and findings, then the discussion."""
    parts = [(ds, next(s for s in ds["sections"] if s["key"] == key)) for ds in datasets]
    first_ds, first = parts[0]
    module = experiments.get(key).section
    merged = merged_tables([(ds["meta"]["title"], sec["tables"]) for ds, sec in parts])
    return {
        "key": key,
        "title": first["title"],
        "intro": first["intro"],
        "code": first["code"],
        "settings": merged_table(
            [(ds["meta"]["title"], sec["settings_used"]) for ds, sec in parts], module, t
        ),
        "log": first["log"],
        "log_title": t("code_output_of", title=first_ds["meta"]["title"]),
        "parts": [{"ds": ds, "sec": sec} for ds, sec in parts],
        "tables": merged,
        "claims": claims([sec for _, sec in parts]),
        "discussion": discussion(
            module, [discussed(ds["meta"]["title"], ds["name"], sec) for ds, sec in parts], t
        ),
    }


def discussed(title: str, name: str, section: dict) -> dict:
    """What the discussion of one dataset's section reads."""
    return {"title": title, "name": name, **{k: section[k] for k in DISCUSSED}}


DISCUSSED = ("record", "arrays", "findings")


MAX_COLUMNS = 10  # a merged table wider than this stays one table per dataset


def merged_tables(parts: list[tuple[str, list[dict]]]) -> list[dict] | None:
    """The datasets' tables side by side (one column group per dataset), when every table
    has the same header and the same row labels on every dataset and fits the page; None
    otherwise (each dataset then shows its own)."""
    titles = [title for title, _ in parts]
    first_title, first = parts[0]
    if len(parts) < 2 or not first:
        return None
    merged = []
    for i, head in enumerate(first):
        tables = [tabs[i] if i < len(tabs) else None for _, tabs in parts]
        if any(tab is None or tab["header"] != head["header"]
               or [r[0] for r in tab["rows"]] != [r[0] for r in head["rows"]]
               for tab in tables):  # fmt: skip
            return None
        if 1 + len(parts) * (len(head["header"]) - 1) > MAX_COLUMNS:
            return None
        merged.append({
            "caption": head["caption"].replace(f" ({first_title})", ""),
            "groups": [(title, len(head["header"]) - 1) for title in titles],
            "header": [head["header"][0], *(head["header"][1:] * len(parts))],
            "rows": [[row[0], *(cell for tab in tables for cell in tab["rows"][r][1:])]
                     for r, row in enumerate(head["rows"])],
        })  # fmt: skip
    return merged


def claims(sections: list[dict]) -> list[dict]:
    """Each claim checked in these sections once, with its hypothesis and the decision
    rules its findings used (stated once above the datasets' verdicts)."""
    found: dict[str, dict] = {}
    for section in sections:
        for finding in section["findings"]:
            claim = found.setdefault(finding.claim, {"hypothesis": finding.hypothesis,
                                                     "rules": []})  # fmt: skip
            if finding.verdict != "not_applicable" and finding.rule not in claim["rules"]:
                claim["rules"].append(finding.rule)
    return list(found.values())


def general_part(section: dict, t) -> dict:
    module = experiments.get(section["key"]).section
    return {
        **section,
        "settings": merged_table([(t("value"), section["settings_used"])], module, t),
        "log_title": t("code_output"),
        "discussion": discussion(module, [discussed("", "general", section)], t),
    }


def render_html(config: dict, paths: Paths, templates: Path, rebuild: str = "") -> str:
    env = make_environment(templates)
    context = build_context(config, paths, templates, rebuild)
    return env.get_template("report.html.j2").render(**context)


def restricted_fetcher(allowed_roots: list[Path]):
    """A WeasyPrint URL fetcher serving data: URLs and files under ``allowed_roots`` only.

    Anything else raises ``FatalURLFetchingError``, which fails the whole render.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [root.resolve() for root in allowed_roots]

    class Restricted(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                from urllib.parse import unquote, urlparse

                target = Path(unquote(urlparse(url).path)).resolve()
                if any(target.is_relative_to(root) for root in roots):
                    return super().fetch(url, headers)
            raise FatalURLFetchingError(
                f"The report tried to load {url}, which is outside the allowed folders "
                f"({', '.join(map(str, roots))}); refusing to render it."
            )

    return Restricted()


def render(
    config: dict, out_html: Path, out_pdf: Path, paths: Paths, templates: Path, rebuild: str = ""
) -> None:
    """Write the HTML and the PDF; on any failure neither is left behind."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    html = render_html(config, paths, templates, rebuild)
    out_html, out_pdf = Path(out_html), Path(out_pdf)
    fetcher = restricted_fetcher([paths.results, paths.resources, out_pdf.parent])
    try:
        printed = keep_words_whole(html) if config["report"]["lang"] == "ko" else html
        document = HTML(string=printed, base_url=str(out_pdf.parent.resolve()), url_fetcher=fetcher)
        atomic_write(out_pdf, lambda tmp: document.write_pdf(tmp))
    except FatalURLFetchingError as err:
        out_pdf.unlink(missing_ok=True)
        raise UserError(str(err)) from None
    atomic_write(out_html, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    log.info("wrote %s and %s", out_html, out_pdf)
