"""PDF reports for a department, province, district or all of Peru (reportlab + matplotlib, no browser)."""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from pathlib import Path

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app import services
from app.exports.maps import locator_png
from app.figures.maps import RANGE
from app.guidance import ACTIONS, action
from app.i18n import t
from app.numbers import num, pct

TEXT = {
    "es": {
        "report": "Informe",
        "generated": "Generado el {date} · modelo {version} ({created}) · estimaciones para {year}",
        "estimates": "Estimaciones",
        "indicator": "Indicador",
        "model": "Modelo (margen 95 %)",
        "direct": "Encuesta (intervalo 95 %)",
        "direct_none": "No disponible: la encuesta no identifica {what}.",
        "comparison": "Comparación (modelo)",
        "drivers": "Por qué: principales factores (SHAP)",
        "actions": "Qué se puede hacer",
        "methods": "Métodos y advertencias",
        "methods_body": "Las estimaciones del modelo aplican una red neuronal entrenada con la ENDES 2015-2022 "
        "(validada con 2023-2024) al perfil de la población infantil de cada distrito (altitud, pobreza, densidad); "
        "las provincias y departamentos promedian sus distritos según su población. Los intervalos reflejan la "
        "variación del conjunto de modelos, no el error de los supuestos del perfil. La estimación directa es la "
        "proporción ponderada de la muestra, con intervalos que consideran conglomerados y estratos; con menos de "
        "25 niños no se informa y con 25 a 49 es imprecisa. Las cifras distritales son estimaciones, no mediciones.",
        "credit": "Fuente: INEI, Encuesta Demográfica y de Salud Familiar (ENDES); límites INEI/IDEP. NutriMapa Perú.",
        "what_sub": "provincias ni distritos",
        "region": "Región",
        "departments": "Departamentos",
        "national_title": "Perú: anemia y desnutrición crónica por departamento",
        "map_caption": "{ind} (modelo), %",
    },
    "en": {
        "report": "Report",
        "generated": "Generated {date} · model {version} ({created}) · estimates for {year}",
        "estimates": "Estimates",
        "indicator": "Indicator",
        "model": "Model (95 % margin)",
        "direct": "Survey (95 % interval)",
        "direct_none": "Not available: the survey does not identify {what}.",
        "comparison": "Comparison (model)",
        "drivers": "Why: main drivers (SHAP)",
        "actions": "What can be done",
        "methods": "Methods and caveats",
        "methods_body": "Model estimates apply a neural network trained on ENDES 2015-2022 (validated on 2023-2024) "
        "to a profile of each district's child population (altitude, poverty, density); provinces and "
        "departments average their districts by population. Intervals reflect the spread of the model ensemble, "
        "not the error of the profile assumptions. The direct estimate is the weighted sample share, with "
        "intervals that account for clusters and strata; under 25 children it is not reported and 25-49 is "
        "imprecise. District figures are estimates, not measurements.",
        "credit": "Source: INEI, Demographic and Family Health Survey (ENDES); boundaries INEI/IDEP. NutriMapa Peru.",
        "what_sub": "provinces or districts",
        "region": "Region",
        "departments": "Departments",
        "national_title": "Peru: anemia and stunting by department",
        "map_caption": "{ind} (model), %",
    },
}
INDICATORS = ("anemia", "stunting")


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib): every accent and sign renders."""
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=bold, fontSize=17, leading=21),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=12, spaceBefore=8),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName=regular, fontSize=9, leading=12),
        "small": ParagraphStyle(
            "s",
            parent=base["BodyText"],
            fontName=regular,
            fontSize=7.5,
            leading=10,
            textColor=colors.HexColor("#52606d"),
        ),
    }


def _table(rows: list[list], widths: list[float]) -> Table:
    regular, bold = _fonts()
    # Header cells wrap inside their column (a plain string would run into the next one).
    head = ParagraphStyle("table-head", fontName=bold, fontSize=8.5, leading=10)
    rows = [
        [Paragraph(c.replace("\n", "<br/>"), head) if isinstance(c, str) else c for c in rows[0]],
        *rows[1:],
    ]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 8.5),
                ("FONT", (0, 0), (-1, 0), bold, 8.5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _pct(e: dict | None, lang: str = "es") -> str:
    """'45,0 %' over '(38,2-52,1)': two lines, so narrow table columns never overlap."""
    if not e or e.get("estimate") is None:
        return t("no_data", lang)
    return f"{pct(e['estimate'], lang)}\n({num(e['ci_low'], 1, lang)}-{num(e['ci_high'], 1, lang)})"


def _direct(dep_code: str, indicator: str, year: int, lang: str) -> str:
    row = next(r for r in services.indicator_records("department", indicator, year) if r["ubigeo"] == dep_code)
    if row["estimate"] is None:
        return f"{year}: {t('not_reported', lang)}"
    note = f", {t('imprecise', lang)}" if row["flag"] == "imprecise" else ""
    return f"{year}: {_pct(row, lang)}, n = {num(row['n'], 0, lang)}{note}"


def _doc(buf: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=title,
        author="NutriMapa Perú",
        subject="INEI ENDES",
    )


def _finish(story: list, lang: str, title: str) -> bytes:
    """Methods, caveats and credit at the end of every report, then the PDF bytes."""
    x, st = TEXT[lang], _styles()
    story += [
        Paragraph(x["methods"], st["h2"]),
        Paragraph(x["methods_body"], st["body"]),
        Spacer(1, 6),
        Paragraph(x["credit"], st["small"]),
    ]
    buf = io.BytesIO()
    _doc(buf, title).build(story)
    return buf.getvalue()


def _map(summary: dict, lang: str) -> bytes:
    regions = services.get_store().regions
    level, ubigeo = summary["level"], summary["ubigeo"]
    art = services.model_artefacts()
    est = art.estimates[(art.estimates["level"] == level) & (art.estimates["indicator"] == "anemia")]
    values = dict(zip(est["ubigeo"], est["estimate"], strict=True))
    units = regions.level(level)
    context = None
    if level == "district":
        units = units[units["prov_code"] == summary["prov_code"]]
        context = regions.province[regions.province["ubigeo"] == summary["prov_code"]]
    elif level == "province":
        units = units[units["dep_code"] == summary["dep_code"]]
        context = regions.department[regions.department["ubigeo"] == summary["dep_code"]]
    point = None
    if not summary["has_geom"]:
        row = regions.district.set_index("ubigeo").loc[ubigeo]
        point = (float(row["lat"]), float(row["lon"]))
    caption = TEXT[lang]["map_caption"].format(ind=t("anemia_short", lang))
    return locator_png(units, values, ubigeo, RANGE["anemia"][1], caption, context=context, point=point)


def region_report(ubigeo: str, lang: str = "es") -> bytes | None:
    """The PDF of one region; None for an unknown UBIGEO."""
    summary = services.region_summary(ubigeo)
    if summary is None:
        return None
    x, st = TEXT[lang], _styles()
    art = services.model_artefacts()
    level = summary["level"]
    story = [
        Paragraph(f"{x['report']}: {summary['name']} ({t(level, lang).lower()})", st["title"]),
        Paragraph(
            x["generated"].format(
                date=date.today().isoformat(),
                version=art.version,
                created=art.metadata["created_at"][:10],
                year=summary["year"],
            ),
            st["small"],
        ),
        Spacer(1, 6),
        Image(io.BytesIO(_map(summary, lang)), width=11 * cm, height=9.7 * cm),
        Paragraph(x["estimates"], st["h2"]),
    ]
    latest = services.get_store().survey.latest_year
    rows = [[x["indicator"], x["model"], x["direct"]]]
    for ind in INDICATORS:
        direct = (
            _direct(summary["dep_code"], ind, latest, lang)
            if level == "department"
            else x["direct_none"].format(what=x["what_sub"])
        )
        rows.append(
            [
                Paragraph(t(ind, lang), st["body"]),
                _pct(summary["estimates"].get(ind), lang),
                Paragraph(direct, st["body"]),
            ]
        )
    story.append(_table(rows, [4.5 * cm, 4.5 * cm, 8.3 * cm]))

    story.append(Paragraph(x["comparison"], st["h2"]))
    chain = (
        [summary["ubigeo"]]
        + ([summary["prov_code"]] if level == "district" else [])
        + ([summary["dep_code"]] if level != "department" else [])
    )
    comp = [[x["region"], *(t(f"{i}_short", lang) for i in INDICATORS)]]
    for code in chain:
        s = services.region_summary(code)
        comp.append(
            [f"{s['name']} ({t(s['level'], lang).lower()})", *(_pct(s["estimates"].get(i), lang) for i in INDICATORS)]
        )
    comp.append([t("peru_model", lang), *(_pct(services.national_model(i), lang) for i in INDICATORS)])
    story.append(_table(comp, [6.5 * cm, 5.4 * cm, 5.4 * cm]))

    story.append(Paragraph(x["drivers"], st["h2"]))
    actions: list[tuple[str, str]] = []
    for ind in INDICATORS:
        body = services.explanation(ubigeo, ind, lang) or {"contributions": []}
        regional = [c for c in body["contributions"] if c["feature"] != "year"]
        story.append(Paragraph(f"<b>{t(ind, lang)}</b>", st["body"]))
        for c in regional[:5]:
            story.append(Paragraph(f"• {c['text']}", st["body"]))
        for f in (c["feature"] for c in regional if c["value"] > 0):
            text = action(f, ind, lang) if f in ACTIONS else None
            if text and (f, text) not in actions and text not in (a for _, a in actions):
                actions.append((f, text))
    if actions:
        story.append(Paragraph(x["actions"], st["h2"]))
        story += [Paragraph(f"• {text}", st["body"]) for _, text in actions[:4]]
    return _finish(story, lang, f"NutriMapa Perú - {summary['name']}")


def national_report(lang: str = "es") -> bytes:
    """Peru: a map of departments and every department's model and direct estimates."""
    x, st = TEXT[lang], _styles()
    art = services.model_artefacts()
    year = int(art.metadata["estimation"]["year"])
    latest = services.get_store().survey.latest_year
    regions = services.get_store().regions
    est = art.estimates[(art.estimates["level"] == "department") & (art.estimates["indicator"] == "anemia")]
    png = locator_png(
        regions.department,
        dict(zip(est["ubigeo"], est["estimate"], strict=True)),
        None,
        RANGE["anemia"][1],
        x["map_caption"].format(ind=t("anemia_short", lang)),
    )
    story = [
        Paragraph(x["national_title"], st["title"]),
        Paragraph(
            x["generated"].format(
                date=date.today().isoformat(), version=art.version, created=art.metadata["created_at"][:10], year=year
            ),
            st["small"],
        ),
        Image(io.BytesIO(png), width=11 * cm, height=9.7 * cm),
        Paragraph(x["estimates"], st["h2"]),
    ]
    rows = [
        [
            x["region"],
            f"{t('anemia_short', lang)}\n{x['model']}",
            f"{t('anemia_short', lang)}, {latest}\n{x['direct']}",
            f"{t('stunting_short', lang)}\n{x['model']}",
            f"{t('stunting_short', lang)}, {latest}\n{x['direct']}",
        ]
    ]
    direct = {i: {r["ubigeo"]: r for r in services.indicator_records("department", i, latest)} for i in INDICATORS}
    for u, name in regions.names("department").items():
        s = services.region_summary(u)
        cells = [name]
        for i in INDICATORS:
            d = direct[i][u]
            cells += [
                _pct(s["estimates"].get(i), lang),
                _pct(d, lang) + (f"\nn = {num(d['n'], 0, lang)}" if d["estimate"] is not None else ""),
            ]
        rows.append(cells)
    rows.append(
        [
            t("peru_model", lang),
            _pct(services.national_model("anemia"), lang),
            "",
            _pct(services.national_model("stunting"), lang),
            "",
        ]
    )
    story.append(_table(rows, [3.3 * cm, 3.4 * cm, 3.5 * cm, 3.4 * cm, 3.5 * cm]))
    return _finish(story, lang, "NutriMapa Perú - Perú")
