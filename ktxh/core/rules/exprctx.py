"""Expressions evaluated over a cube (units × periods at once), or over plain numbers."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np

from ..cube import Cells, ValueCube
from ..derive import ytd
from ..expr import Node, Ref, evaluate


class CubeContext:
    """Reads references from a cube; results are units × periods Cells."""

    def __init__(self, cube: ValueCube) -> None:
        self.cube = cube
        self.shape = (len(cube.units), len(cube.periods))

    def ref(self, ref: Ref) -> Cells:
        s = self.cube.total_series(ref.code)
        if s is None:
            nan = np.full(self.shape, np.nan)
            return Cells(nan, nan, nan)
        all_cells = self.cube.kind(ref.kind)
        cells = Cells(all_cells.value[s], all_cells.lo[s], all_cells.hi[s])
        if ref.offset:
            for _ in range(-ref.offset):
                cells = self.cube.shift_years(cells)
        if ref.unit:
            u = self.cube.unit_index.get(ref.unit)
            if u is None:
                nan = np.full(self.shape, np.nan)
                return Cells(nan, nan, nan)
            cells = Cells(*(np.broadcast_to(a[u], self.shape).copy() for a in cells))
        return cells

    def children_sum(self, cells: Cells) -> Cells:
        return self.cube.children_sum(cells)[0]

    def ytd(self, cells: Cells) -> Cells:
        return ytd(self.cube, cells)


class ScalarContext:
    """Reads references from a mapping of plain numbers (for checking a suggested correction)."""

    def __init__(self, values: Mapping[Ref, Decimal]) -> None:
        self.values = values

    def ref(self, ref: Ref) -> Cells:
        x = self.values.get(ref)
        arr = np.array(np.nan if x is None else float(x))
        return Cells(arr, arr, arr)

    def children_sum(self, cells: Cells) -> Cells:
        raise NotImplementedError("sum_children has no meaning for a single cell")

    def ytd(self, cells: Cells) -> Cells:
        raise NotImplementedError("ytd has no meaning for a single cell")


def scalar(node: Node, values: Mapping[Ref, Decimal]) -> float:
    return float(evaluate(node, ScalarContext(values)).value)
