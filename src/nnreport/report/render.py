"""Render the report: Jinja2 (autoescaped) to one self-contained HTML, WeasyPrint to PDF."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from nnreport import UserError, __version__, experiments
from nnreport.messages import class_label, load_messages
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
    verdicts = summary.counts(datasets)
    return {
        "summary": t("title_summary", datasets=listed([m["title"] for m in metas], t), **verdicts),
        "cross": summary.cross_dataset(
            config["datasets"], dataset_keys, paths, t, [m["title"] for m in metas]
        ),
        "conclusion": summary.conclusion(datasets, t),
        "limitations": summary.limitations(config, datasets, t),
        "method_note": t("verdicts_how"),
        "matrix": summary.verdict_matrix(datasets, t),
        "homework": summary.homework_table(datasets, dataset_keys, paths, t),
        "provenance": summary.provenance(config, metas, paths, rebuild, t),
        "report": report,
        "title": report["title"]
        or t("default_title", datasets=listed([m["title"] for m in metas], t)),
        "lang": report["lang"],
        "t": t,
        "version": __version__,
        "build_date": report["date"] or dt.date.today().isoformat(),
        "general": [
            general_part(build(key, "general", t("general"), paths, t), t) for key in general
        ],
        "datasets": datasets,
        "loaders": loader_listing(
            config["datasets"], [m["title"] for m in metas], config["custom_datasets"]
        ),
        "experiments": [experiment_part(key, datasets, t) for key in dataset_keys],
        "css": (templates / "style.css").read_text(encoding="utf-8"),
        "font_css": embedded_fonts(report["lang"]),
        "counter": Numbering(),
    }


def listed(names: list[str], t) -> str:
    """The names as a sentence lists them, "MNIST, Fashion-MNIST and digits" (the catalog's
    ``list_last`` joins the last two)."""
    if len(names) < 2:
        return "".join(names)
    return t("list_last", head=", ".join(names[:-1]), last=names[-1])


def experiment_part(key: str, datasets: list[dict], t) -> dict:
    """One experiment across the datasets: its code, settings and output once, each figure
    once with the datasets side by side, the tables that line up merged, then per dataset
    the rest of its tables and its verdicts, then the discussion."""
    parts = [(ds, next(s for s in ds["sections"] if s["key"] == key)) for ds in datasets]
    first_ds, first = parts[0]
    experiment = experiments.get(key)
    titled = [(ds["meta"]["title"], sec) for ds, sec in parts]
    merged, own = split_tables([(title, drop_ok_status(sec["tables"], t)) for title, sec in titled])
    return {
        "key": key,
        "title": first["title"],
        "intro": first["intro"],
        "code": first["code"],
        "settings": merged_table(
            [(title, sec["settings_used"]) for title, sec in titled], experiment, t
        ),
        "log": first["log"],
        "log_title": t(
            "code_output_of"
            if first["settings_used"].get("repeats", 1) > 1
            else "code_output_single_of",
            title=first_ds["meta"]["title"],
        ),
        "figure_groups": figure_groups(titled, t),
        "tables": merged,
        "parts": [
            {"ds": ds, "sec": sec, "tables": tables}
            for (ds, sec), tables in zip(parts, own, strict=True)
        ],
        "claims": claims([sec for _, sec in parts]),
        "discussion": discussion(
            experiment, [discussed(ds["meta"]["title"], ds["name"], sec) for ds, sec in parts], t
        ),
    }


def discussed(title: str, name: str, section: dict) -> dict:
    """What the discussion of one dataset's section reads."""
    return {"title": title, "name": name, **{k: section[k] for k in DISCUSSED}}


DISCUSSED = ("record", "arrays", "findings")


def without_title(caption: str, title: str) -> str:
    """A caption less its dataset: units end their captions with " (<dataset title>)"."""
    return caption.replace(f" ({title})", "")


def figure_groups(parts: list[tuple[str, dict]], t) -> list[dict]:
    """Each figure of an experiment once: the datasets' drawings side by side (one above the
    other when wide) under one caption, the dataset named in each drawing's title. Drawings
    whose captions differ by more than the dataset (other seed counts) keep their own."""
    by_name: dict[str, list[tuple[str, dict]]] = {}
    for title, section in parts:
        for fig in section["figures"]:
            by_name.setdefault(fig["name"], []).append((title, fig))
    groups = []
    for drawings in by_name.values():
        captions = {without_title(fig["caption"], title) for title, fig in drawings}
        wide = any(fig["wide"] for _, fig in drawings)
        if len(drawings) > 1 and len(captions) == 1:
            order = t(
                "top_to_bottom" if wide else "left_to_right",
                titles=", ".join(title for title, _ in drawings),
            )
            groups.append(
                {
                    "wide": wide,
                    "images": [fig for _, fig in drawings],
                    "caption": f"{captions.pop()} {order}",
                }
            )
        else:
            groups += [
                {"wide": fig["wide"], "images": [fig], "caption": fig["caption"]}
                for _, fig in drawings
            ]
    return groups


def drop_ok_status(tables: list[dict], t) -> list[dict]:
    """The tables without a status column that reads "ok" in every row (no run diverged;
    the caption says so)."""
    kept = []
    for tab in tables:
        column = tab["header"].index(t("status")) if t("status") in tab["header"] else None
        if column is None or any(row[column] != t("ok") for row in tab["rows"]):
            kept.append(tab)
            continue
        kept.append(
            {
                **tab,
                "caption": f"{tab['caption']} {t('no_run_diverged')}",
                "header": [h for i, h in enumerate(tab["header"]) if i != column],
                "rows": [[c for i, c in enumerate(row) if i != column] for row in tab["rows"]],
            }
        )
    return kept


MAX_COLUMNS = 10  # a merged table wider than this stays one table per dataset


def split_tables(parts: list[tuple[str, list[dict]]]) -> tuple[list[dict], list[list[dict]]]:
    """The datasets' tables side by side (one column group per dataset) where a table has
    the same header, row labels and caption (but for the dataset) on every dataset and fits
    the page; the others stay with their dataset. Returns (merged, each dataset's own)."""
    titles = [title for title, _ in parts]
    own: list[list[dict]] = [[] for _ in parts]
    merged = []
    for i in range(max((len(tabs) for _, tabs in parts), default=0)):
        tables = [tabs[i] if i < len(tabs) else None for _, tabs in parts]
        if mergeable(titles, tables):
            merged.append(merge(titles, tables))
        else:
            for mine, tab in zip(own, tables, strict=True):
                mine += [tab] if tab is not None else []
    return merged, own


def mergeable(titles: list[str], tables: list[dict | None]) -> bool:
    head = tables[0]
    if len(tables) < 2 or any(tab is None for tab in tables):
        return False
    pairs = zip(titles, tables, strict=True)
    captions = {without_title(tab["caption"], title) for title, tab in pairs}
    return (
        len(captions) == 1  # else the merged caption would be wrong for some dataset
        and all(tab["header"] == head["header"] for tab in tables)
        and all([r[0] for r in tab["rows"]] == [r[0] for r in head["rows"]] for tab in tables)
        and 1 + len(tables) * (len(head["header"]) - 1) <= MAX_COLUMNS
    )


def merge(titles: list[str], tables: list[dict]) -> dict:
    head = tables[0]
    return {
        "caption": without_title(head["caption"], titles[0]),
        "groups": [(title, len(head["header"]) - 1) for title in titles],
        "header": [head["header"][0], *(head["header"][1:] * len(tables))],
        "rows": [
            [row[0], *(cell for tab in tables for cell in tab["rows"][r][1:])]
            for r, row in enumerate(head["rows"])
        ],
    }


def claims(sections: list[dict]) -> list[dict]:
    """Each claim checked in these sections once, with its hypothesis and the decision
    rules its findings used (stated once above the datasets' verdicts)."""
    found: dict[str, dict] = {}
    for section in sections:
        for finding in section["findings"]:
            claim = found.setdefault(finding.claim, {"hypothesis": finding.hypothesis, "rules": []})
            if finding.verdict != "not_applicable" and finding.rule not in claim["rules"]:
                claim["rules"].append(finding.rule)
    return list(found.values())


def general_part(section: dict, t) -> dict:
    experiment = experiments.get(section["key"])
    return {
        **section,
        "tables": drop_ok_status(section["tables"], t),
        "settings": merged_table([(t("value"), section["settings_used"])], experiment, t),
        "log_title": t("code_output"),
        "discussion": discussion(experiment, [discussed("", "general", section)], t),
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
