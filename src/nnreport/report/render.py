"""Render the report: Jinja2 (autoescaped) to one self-contained HTML, WeasyPrint to PDF."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from nnreport import UserError, __version__, experiments
from nnreport.messages import class_label, listed, load_messages
from nnreport.report import summary
from nnreport.report.assets import Paths, figure_uri, load_meta
from nnreport.report.code import extract, loader_listing
from nnreport.report.layout import experiment_part, general_part, settings_once
from nnreport.report.sections import build
from nnreport.report.typography import keep_whole
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
        rules += font_face("DejaVu Sans", dejavu / "DejaVuSans.ttf")  # β₁, x²: not in Nanum
        return rules + "html { font-family: 'NanumGothic', 'DejaVu Sans', sans-serif; }\n"
    rules += font_face("DejaVu Sans", dejavu / "DejaVuSans.ttf")
    return rules + "html { font-family: 'DejaVu Sans', sans-serif; }\n"


def build_context(config: dict, paths: Paths, templates: Path, rebuild: str = "") -> dict:
    report = config["report"]
    t = load_messages(report["lang"])
    dataset_keys = [n for n in experiments.names(needs_dataset=True) if n in config["experiments"]]
    general = [n for n in experiments.names(needs_dataset=False) if n in config["experiments"]]
    datasets = []
    for name in config["datasets"]:
        meta = load_meta(paths.dataset_meta(name))
        datasets.append(
            {
                "name": name,
                "meta": meta,
                "class_names": [class_label(t, name) for name in meta["class_names"]],
                "sample_grid": figure_uri(paths.figure(name, "samples")),
                "balance": figure_uri(paths.figure(name, "balance")),
                "sections": [build(key, name, meta["title"], paths, t) for key in dataset_keys],
            }
        )
    metas = [ds["meta"] for ds in datasets]
    titles = [m["title"] for m in metas]
    verdicts = summary.counts(datasets)
    matrix = summary.verdict_matrix(datasets, t)
    matrix["other"] = summary.other_results(config["datasets"], dataset_keys, paths, t)
    return {
        "summary": t("title_summary", datasets=listed(titles, t), **verdicts),
        "description": t("pdf_subject", datasets=listed(titles, t)),
        "keywords": ", ".join([t("pdf_keywords"), *titles]),
        "conclusion": summary.conclusion(datasets, t),
        "limitations": summary.limitations(config, datasets, t),
        "method_note": t("verdicts_how"),
        "matrix": matrix,
        "homework": summary.homework_table(datasets, dataset_keys, paths, t),
        "provenance": summary.provenance(config, metas, paths, rebuild, t),
        "report": report,
        "title": report["title"] or t("default_title", datasets=listed(titles, t)),
        "lang": report["lang"],
        "t": t,
        "version": __version__,
        "build_date": report["date"] or dt.date.today().isoformat(),
        "general": [
            general_part(build(key, "general", t("general"), paths, t), t) for key in general
        ],
        "datasets": datasets,
        "listings": code_listings(config, titles, dataset_keys + general, t),
        "experiments": settings_once([experiment_part(key, datasets, t) for key in dataset_keys]),
        "css": (templates / "style.css").read_text(encoding="utf-8"),
        "font_css": embedded_fonts(report["lang"]),
        "counter": Numbering(),
    }


def code_listings(config: dict, titles: list[str], keys: list[str], t) -> list[dict]:
    """The code the sections do not print: the dataset loaders and each experiment's
    ``listed`` functions, each saying what it belongs to."""
    found = [
        {**entry, "what": t("loads", datasets=", ".join(entry["titles"]))}
        for entry in loader_listing(config["datasets"], titles, config["custom_datasets"])
    ]
    for key in keys:
        what = t(f"{key}_title")
        found += [{**extract(spec), "what": what} for spec in experiments.get(key).listed]
    return found


def render_html(config: dict, paths: Paths, templates: Path, rebuild: str = "") -> tuple:
    """The report's HTML and its context."""
    env = make_environment(templates)
    context = build_context(config, paths, templates, rebuild)
    return env.get_template("report.html.j2").render(**context), context


PDF_VARIANT = "pdf/a-3a"  # archival (PDF/A-3, attachments allowed) and tagged (level A)


def attachments(config: dict, context: dict) -> list:
    """What the PDF carries so that it alone says how it was made: the config as run, the
    verdicts as data, and the lock of the package versions (where the project has one)."""
    import json

    import yaml
    from weasyprint import Attachment

    t = context["t"]
    files = [
        ("config.yaml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True), "Source"),
        (
            "verdicts.json",
            json.dumps(summary.verdict_records(context["datasets"]), indent=1, ensure_ascii=False),
            "Data",
        ),
    ]
    lock = Path(context["provenance"]["lock"]["lock_file"])
    if lock.is_file():
        files.append((lock.name, lock.read_text(encoding="utf-8"), "Source"))
    return [
        Attachment(
            string=text,
            name=name,
            description=t(f"attachment_{name.split('.')[0]}"),
            relationship=relation,
        )
        for name, text, relation in files
    ]


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
):
    """Write the HTML and the PDF; on any failure neither is left behind. Returns the laid-out
    WeasyPrint document (its pages, for checks of the layout)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    html, context = render_html(config, paths, templates, rebuild)
    out_html, out_pdf = Path(out_html), Path(out_pdf)
    fetcher = restricted_fetcher([paths.results, paths.resources, out_pdf.parent])
    try:
        printed = keep_whole(html, korean=config["report"]["lang"] == "ko")
        source = HTML(string=printed, base_url=str(out_pdf.parent.resolve()), url_fetcher=fetcher)
        options = {"pdf_variant": PDF_VARIANT, "attachments": attachments(config, context)}
        document = source.render(**options)
        atomic_write(out_pdf, lambda tmp: document.write_pdf(tmp, **options))
    except FatalURLFetchingError as err:
        out_pdf.unlink(missing_ok=True)
        raise UserError(str(err)) from None
    atomic_write(out_html, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    for caption, pages in split_figures(document):
        log.warning("figure split over pages %s: %s", pages, caption[:60])
    log.info("wrote %s and %s", out_html, out_pdf)
    return document


def element_pages(document, tag: str) -> list[tuple[object, list[int]]]:
    """Each element named ``tag`` in the laid-out ``document``, with the (1-based) pages
    its boxes lie on."""
    pages: dict[int, tuple[object, set[int]]] = {}
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():  # WeasyPrint's box tree
            if getattr(box, "element_tag", None) == tag:
                pages.setdefault(id(box.element), (box.element, set()))[1].add(number)
    return [(element, sorted(found)) for element, found in pages.values()]


def split_figures(document) -> list[tuple[str, list[int]]]:
    """(caption, pages) of each figure printed over more than one page."""
    return [
        ("".join(element.itertext()).strip(), found)
        for element, found in element_pages(document, "figure")
        if len(found) > 1
    ]
