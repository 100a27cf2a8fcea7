"""A small, safe expression language over indicator codes. Parsed to an AST; never ``eval``.

Grammar (lowest precedence first)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | cmp
    cmp     := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | ref | call | "(" expr ")"
    ref     := CODE ("[" qualifier ("," qualifier)* "]")?
    qualifier := "kind" "=" KIND | "period" "=" "-"INT | "unit" "=" UNITCODE
    call    := NAME "(" expr ("," expr)* ")"

Examples::

    NN.SL_THUY_SAN / NN.DT_NUOI_TRONG_TS * 10          tấn/ha → tạ/ha
    GD.TRUONG_CHUAN_QG / GD.TRUONG_TONG * 100          a share in %
    YT.GIUONG_BENH / TH.DAN_SO * 10000                 per 10,000 people
    (TC.THU_NSNN - TC.THU_NSNN[period=-1]) / TC.THU_NSNN[period=-1] * 100
    TC.THU_NSNN / TC.THU_NSNN[kind=budget_estimate] * 100
    sum_children(GT.CD_DUONG_THON_XOM)                 over the child units
    coalesce(X[kind=final], X[kind=estimate])

Kinds: actual (default: final where present, else estimate), estimate, final, plan,
budget_estimate. ``period=-1`` is the same period one year earlier ("cùng kỳ").
``unit=CODE`` reads a named unit instead of the current one.
Functions: sum_children, ytd, if, is_missing, coalesce, min, max, round, abs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import numpy as np

from .cube import ACTUAL, Array, Cells
from .errors import KtxhError
from .numbers import plain


class ExpressionError(KtxhError, ValueError):
    """An expression that cannot be read or evaluated; the message says where."""


KINDS = ("actual", "estimate", "final", "plan", "budget_estimate")
FUNCTIONS = {
    "sum_children": (1, 1),
    "ytd": (1, 1),
    "if": (3, 3),
    "is_missing": (1, 1),
    "coalesce": (1, 99),
    "min": (1, 99),
    "max": (1, 99),
    "round": (2, 2),
    "abs": (1, 1),
}


# -- AST ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal


@dataclass(frozen=True, slots=True)
class Ref:
    code: str
    kind: str = ACTUAL
    offset: int = 0  # years: -1 = same period last year
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" | "not"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Num | Ref | Call | Unary | Binary

PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "==": 4,
    "!=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "neg": 7,
}


def refs(node: Node) -> Iterator[Ref]:
    """Every indicator reference in an expression."""
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Call):
        for arg in node.args:
            yield from refs(arg)
    elif isinstance(node, Unary):
        yield from refs(node.operand)
    elif isinstance(node, Binary):
        yield from refs(node.left)
        yield from refs(node.right)


# -- printing ----------------------------------------------------------------------
def to_text(node: Node) -> str:
    """The canonical text of an expression: ``parse(to_text(n)) == n``."""
    if isinstance(node, Num):
        return plain(node.value)
    if isinstance(node, Ref):
        quals = []
        if node.kind != ACTUAL:
            quals.append(f"kind={node.kind}")
        if node.offset:
            quals.append(f"period={node.offset}")
        if node.unit:
            quals.append(f"unit={node.unit}")
        return node.code + (f"[{', '.join(quals)}]" if quals else "")
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Unary):
        if node.op == "-":
            inner = to_text(node.operand)
            return "-" + (f"({inner})" if _prec(node.operand) < PRECEDENCE["neg"] else inner)
        inner = to_text(node.operand)
        return "not " + (f"({inner})" if _prec(node.operand) < PRECEDENCE["not"] else inner)
    prec = PRECEDENCE[node.op]
    left = to_text(node.left)
    right = to_text(node.right)
    if _prec(node.left) < prec or (prec == 4 and _prec(node.left) == 4):
        left = f"({left})"
    # left-associative: an equal-precedence right operand needs brackets
    if _prec(node.right) <= prec:
        right = f"({right})"
    return f"{left} {node.op} {right}"


def _prec(node: Node) -> int:
    if isinstance(node, Binary):
        return PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return PRECEDENCE["neg"] if node.op == "-" else PRECEDENCE["not"]
    return 99


# -- parsing -----------------------------------------------------------------------
TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<code>[A-Z][A-Z0-9]*\.[A-Z0-9_]+)|(?P<name>[a-z_][a-z0-9_]*)"
    r"|(?P<op><=|>=|==|!=|[-+*/()<>\[\],=])|(?P<ident>[A-Za-z0-9_]+))"
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            at = len(text) - len(text[pos:].lstrip())
            raise ExpressionError(f"Biểu thức «{text}»: không đọc được ký tự «{text[at]}» ở vị trí {at + 1}.")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        if value is not None and tok[1] != value:
            self.fail(f"cần «{value}»")
        self.i += 1
        return tok

    def fail(self, what: str) -> None:
        kind, value, pos = self.peek()
        got = "hết biểu thức" if kind == "end" else f"«{value}»"
        raise ExpressionError(f"Biểu thức «{self.text}»: {what} ở vị trí {pos + 1}, gặp {got}.")

    def parse(self) -> Node:
        node = self.or_()
        if self.peek()[0] != "end":
            self.fail("thừa phần sau")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.peek()[1] == "or":
            self.take()
            node = Binary("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.peek()[1] == "and":
            self.take()
            node = Binary("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self.peek()[1] == "not":
            self.take()
            return Unary("not", self.not_())
        return self.cmp()

    def cmp(self) -> Node:
        node = self.sum()
        if self.peek()[1] in ("<", "<=", ">", ">=", "==", "!="):
            op = self.take()[1]
            node = Binary(op, node, self.sum())
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            node = Binary(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek()[1] == "-":
            self.take()
            return Unary("-", self.unary())
        return self.atom()

    def atom(self) -> Node:
        kind, value, _pos = self.peek()
        if kind == "num":
            self.take()
            return Num(Decimal(value))
        if kind == "code":
            self.take()
            return self.qualifiers(value)
        if kind == "name" and value in FUNCTIONS:
            self.take()
            self.take("(")
            args = [self.or_()]
            while self.peek()[1] == ",":
                self.take()
                args.append(self.or_())
            self.take(")")
            low, high = FUNCTIONS[value]
            if not low <= len(args) <= high:
                raise ExpressionError(
                    f"Biểu thức «{self.text}»: hàm {value} nhận {low}–{high} đối số, có {len(args)}."
                )
            return Call(value, tuple(args))
        if value == "(":
            self.take()
            node = self.or_()
            self.take(")")
            return node
        if kind == "name":
            self.fail(f"hàm hoặc từ khóa «{value}» không có; các hàm: {', '.join(FUNCTIONS)}")
        self.fail("cần một số, một mã chỉ tiêu hoặc một hàm")
        raise AssertionError  # unreachable

    def qualifiers(self, code: str) -> Ref:
        if self.peek()[1] != "[":
            return Ref(code)
        self.take("[")
        kind, offset, unit = ACTUAL, 0, None
        while True:
            key = self.take()[1]
            self.take("=")
            if key == "kind":
                kind = self.take()[1]
                if kind not in KINDS:
                    raise ExpressionError(
                        f"Biểu thức «{self.text}»: loại số liệu «{kind}» không có ({', '.join(KINDS)})."
                    )
            elif key == "period":
                self.take("-")
                offset = -int(self.take()[1])
            elif key == "unit":
                unit = self.take()[1]
            else:
                raise ExpressionError(
                    f"Biểu thức «{self.text}»: thuộc tính «{key}» không có (kind, period, unit)."
                )
            if self.peek()[1] == ",":
                self.take()
                continue
            self.take("]")
            return Ref(code, kind, offset, unit)


def parse(text: str) -> Node:
    """Read an expression; ExpressionError names the position of anything unreadable."""
    return _Parser(text).parse()


# -- evaluation --------------------------------------------------------------------
class Context(Protocol):
    """What an expression reads: units × periods Cells of a reference."""

    def ref(self, ref: Ref) -> Cells: ...
    def children_sum(self, cells: Cells) -> Cells: ...
    def ytd(self, cells: Cells) -> Cells: ...


def _const(value: float, like: Cells | None) -> Cells:
    arr: Array = np.full(like.value.shape, value) if like is not None else np.array(value)
    return Cells(arr, arr, arr)


def _bool(mask: np.ndarray, nan: np.ndarray) -> Cells:
    arr = np.where(nan, np.nan, mask.astype(np.float64))
    return Cells(arr, arr, arr)


def evaluate(node: Node, ctx: Context) -> Cells:
    """Evaluate over whole columns. Missing values are NaN and propagate, except through
    is_missing and coalesce."""
    if isinstance(node, Num):
        return _const(float(node.value), None)
    if isinstance(node, Ref):
        return ctx.ref(node)
    if isinstance(node, Unary):
        inner = evaluate(node.operand, ctx)
        if node.op == "-":
            return inner.scale(-1.0)
        return _bool(inner.value == 0, np.isnan(inner.value))
    if isinstance(node, Binary):
        a, b = evaluate(node.left, ctx), evaluate(node.right, ctx)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            return a / b
        nan = np.isnan(a.value) | np.isnan(b.value)
        if node.op in ("and", "or"):
            x, y = a.value != 0, b.value != 0
            return _bool(x & y if node.op == "and" else x | y, nan)
        with np.errstate(invalid="ignore"):
            cmp = {
                "<": np.less,
                "<=": np.less_equal,
                ">": np.greater,
                ">=": np.greater_equal,
                "==": np.equal,
                "!=": np.not_equal,
            }[node.op](a.value, b.value)
        return _bool(cmp, nan)
    return _call(node, ctx)


def _call(node: Call, ctx: Context) -> Cells:
    name = node.name
    if name == "sum_children":
        return ctx.children_sum(evaluate(node.args[0], ctx))
    if name == "ytd":
        return ctx.ytd(evaluate(node.args[0], ctx))
    args = [evaluate(a, ctx) for a in node.args]
    if name == "is_missing":
        miss = np.isnan(args[0].value)
        return _bool(miss, np.zeros_like(miss))
    if name == "coalesce":
        out = args[0]
        for nxt in args[1:]:
            use = np.isnan(out.value)
            out = Cells(*(np.where(use, b, a) for a, b in zip(out, nxt, strict=True)))
        return out
    if name == "if":
        cond, yes, no = args
        pick = cond.value != 0
        res = Cells(*(np.where(pick, y, n) for y, n in zip(yes, no, strict=True)))
        nan = np.isnan(cond.value)
        return Cells(*(np.where(nan, np.nan, r) for r in res))
    if name in ("min", "max"):
        fn = np.minimum if name == "min" else np.maximum
        out = args[0]
        for nxt in args[1:]:
            out = Cells(fn(out.value, nxt.value), fn(out.lo, nxt.lo), fn(out.hi, nxt.hi))
        return out
    if name == "abs":
        a = args[0]
        lo = np.where((a.lo <= 0) & (a.hi >= 0), 0.0, np.minimum(np.abs(a.lo), np.abs(a.hi)))
        return Cells(np.abs(a.value), lo, np.maximum(np.abs(a.lo), np.abs(a.hi)))
    if name == "round":
        a, places = args
        factor = 10.0 ** np.asarray(places.value)
        # half away from zero, as offices round by hand
        rounded = np.sign(a.value) * np.floor(np.abs(a.value) * factor + 0.5) / factor
        return Cells(rounded, rounded, rounded)
    raise ExpressionError(f"Hàm «{name}» chưa được hỗ trợ.")
