"""Charts for the drafted report, drawn from the engine's figures (PNG, no display needed)."""

from __future__ import annotations

from io import BytesIO

import matplotlib

matplotlib.use("Agg")  # no screen on a server or in CI

import matplotlib.pyplot as plt  # noqa: E402

from ktxh import core  # noqa: E402

from .phrasing import ReportData  # noqa: E402

plt.rcParams["font.family"] = ["Liberation Serif", "DejaVu Serif", "serif"]


def plan_attainment(data: ReportData) -> bytes | None:
    """Per sector: how many indicators exceeded, met or missed their plan (by good direction)."""
    rows = core.indicator_rows(
        data.catalog, data.values, org_unit=data.unit, period=core.Period.year(data.year)
    )
    counts: dict[str, list[int]] = {}
    for r in rows:
        if not r.status:
            continue
        name = data.catalog.sectors[r.indicator.sector].name
        slot = counts.setdefault(name, [0, 0, 0])
        slot[("vượt", "đạt", "không đạt").index(r.status)] += 1
    if not counts:
        return None
    names = list(counts)[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.2), dpi=150)
    left = [0] * len(names)
    for i, (label, colour) in enumerate(
        (("Vượt kế hoạch", "#1b6e2d"), ("Đạt", "#1d4f91"), ("Không đạt", "#a4161a"))
    ):
        widths = [counts[n][i] for n in names]
        ax.barh(names, widths, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlabel("Số chỉ tiêu")
    ax.set_title(f"Thực hiện kế hoạch năm {data.year} theo lĩnh vực")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return _png(fig)


def commune_ranking(data: ReportData, code: str) -> bytes | None:
    """The communes ranked on one indicator that has a breakdown by commune."""
    ind = data.catalog[code]
    period = str(data.year)
    values = [
        v
        for v in data.values
        if v.indicator == code
        and v.period == period
        and v.org_unit != data.unit
        and not v.category
        and v.kind.value in ("estimate", "final")
    ]
    if len(values) < 3:
        return None
    names = {}
    if data.registry is not None:
        for v in values:
            try:
                names[v.org_unit] = data.registry.resolve(v.org_unit, core.Period.year(data.year).end).name
            except core.OrgUnitError:
                names[v.org_unit] = v.org_unit
    values.sort(key=lambda v: v.value)
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(values) + 1.2), dpi=150)
    ax.barh(
        [names.get(v.org_unit, v.org_unit) for v in values], [float(v.value) for v in values], color="#1d4f91"
    )
    ax.set_xlabel(data.catalog.units[ind.unit].symbol)
    ax.set_title(f"{ind.name} năm {data.year}, theo xã", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _png(fig: object) -> bytes:
    buf = BytesIO()
    fig.savefig(buf, format="png")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return buf.getvalue()


def default_charts(data: ReportData) -> list[tuple[str, bytes]]:
    """Plan attainment by sector, and a commune ranking for every indicator broken down by
    commune for at least ten communes."""
    out = []
    attainment = plan_attainment(data)
    if attainment:
        out.append((f"Biểu đồ 1. Thực hiện kế hoạch năm {data.year} theo lĩnh vực", attainment))
    per_indicator: dict[str, set[str]] = {}
    for v in data.values:
        if v.period == str(data.year) and v.org_unit != data.unit and not v.category:
            per_indicator.setdefault(v.indicator, set()).add(v.org_unit)
    for code in sorted(c for c, units in per_indicator.items() if len(units) >= 10 and c in data.catalog):
        png = commune_ranking(data, code)
        if png:
            out.append((f"Biểu đồ {len(out) + 1}. {data.catalog[code].name} năm {data.year}, theo xã", png))
    return out
