"""Validation rules as data, and the engine that runs them over whole cubes.

Public API: Rule, Finding, FindingValue, Severity, Missing, RuleContext, KINDS, BUILT_IN,
load_rules, rule_problems, run_rules. One check kind per module (check_*.py).
"""

from .model import SEVERITY_LABELS, Finding, FindingValue, Missing, Rule, RuleContext, Severity
from .registry import BUILT_IN, KINDS, load_rules, rule_from_entry, rule_problems, run_rules

__all__ = [
    "BUILT_IN",
    "KINDS",
    "SEVERITY_LABELS",
    "Finding",
    "FindingValue",
    "Missing",
    "Rule",
    "RuleContext",
    "Severity",
    "load_rules",
    "rule_from_entry",
    "rule_problems",
    "run_rules",
]
