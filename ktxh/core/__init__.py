"""ktxh.core: the pure domain. Never imports Django.

Public API: the names below. Modules are private; import from ``ktxh.core``.
"""

from .catalog import Catalog, Office, Sector, load_catalog
from .dataset import Dataset, Document, load_dataset
from .errors import (
    CatalogError,
    DatasetError,
    KtxhError,
    NumberFormatError,
    OrgUnitError,
    PeriodError,
    UnitError,
)
from .numbers import format_pct, format_vi, parse_vi, plain, quantize, to_decimal
from .orgunits import OrgUnitRegistry, demo_registry
from .periods import Period, PeriodType
from .summary import IndicatorRow, indicator_rows
from .types import (
    Aggregation,
    Direction,
    Indicator,
    IndicatorKind,
    Measure,
    OrgUnit,
    Provenance,
    Qualifier,
    StatedFigure,
    TargetForm,
    Value,
    ValueKind,
)
from .units import Unit, UnitRegistry, load_units

__all__ = [
    "Aggregation",
    "Catalog",
    "CatalogError",
    "Dataset",
    "DatasetError",
    "Direction",
    "Document",
    "Indicator",
    "IndicatorKind",
    "IndicatorRow",
    "KtxhError",
    "Measure",
    "NumberFormatError",
    "Office",
    "OrgUnit",
    "OrgUnitError",
    "OrgUnitRegistry",
    "Period",
    "PeriodError",
    "PeriodType",
    "Provenance",
    "Qualifier",
    "Sector",
    "StatedFigure",
    "TargetForm",
    "Unit",
    "UnitError",
    "UnitRegistry",
    "Value",
    "ValueKind",
    "demo_registry",
    "format_pct",
    "format_vi",
    "indicator_rows",
    "load_catalog",
    "load_dataset",
    "load_units",
    "parse_vi",
    "plain",
    "quantize",
    "to_decimal",
]
