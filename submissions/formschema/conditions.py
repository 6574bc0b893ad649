"""Conditions: parsing a leaf or an all/any group, and deciding whether one holds for the values seen so far."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from submissions.formschema.schema import Condition, SchemaErrors, is_empty, is_number

MAX_CONDITION_DEPTH = 10
OPERATORS = frozenset({"equals", "not_equals", "in", "not_in", "greater_than", "less_than", "empty", "not_empty"})
_OPERATOR_ALIASES = {
    "notEquals": "not_equals",
    "notIn": "not_in",
    "greaterThan": "greater_than",
    "lessThan": "less_than",
    "isEmpty": "empty",
    "is_empty": "empty",
    "notEmpty": "not_empty",
    "isNotEmpty": "not_empty",
    "is_not_empty": "not_empty",
}
_VALUELESS_OPERATORS = frozenset({"empty", "not_empty"})
_LIST_OPERATORS = frozenset({"in", "not_in"})
_ORDER_OPERATORS = frozenset({"greater_than", "less_than"})


def parse_condition(raw: Any, where: str, errors: SchemaErrors, depth: int = 0) -> Condition | None:
    """The parsed condition, or None after adding what is wrong with it to ``errors``."""
    if depth > MAX_CONDITION_DEPTH:
        errors.add(f"{where}: conditions nest at most {MAX_CONDITION_DEPTH} levels deep.")
        return None
    if not isinstance(raw, dict):
        errors.add(f"{where}: a condition must be an object.")
        return None
    if "all" in raw or "any" in raw:
        return _parse_group(raw, where, errors, depth)
    return _parse_leaf(raw, where, errors)


def _parse_group(raw: dict[str, Any], where: str, errors: SchemaErrors, depth: int) -> Condition | None:
    mode = "all" if "all" in raw else "any"
    if set(raw) != {mode}:
        errors.add(f"{where}: a condition group has exactly one of 'all' or 'any' and nothing else.")
        return None
    children_raw = raw[mode]
    if not isinstance(children_raw, list) or not children_raw:
        errors.add(f"{where}: '{mode}' must be a non-empty list of conditions.")
        return None
    children = [parse_condition(child, where, errors, depth + 1) for child in children_raw]
    if any(child is None for child in children):
        return None
    return Condition(mode=mode, children=[child for child in children if child is not None])


def _parse_leaf(raw: dict[str, Any], where: str, errors: SchemaErrors) -> Condition | None:
    unknown = set(raw) - {"field", "operator", "value"}
    if unknown:
        errors.add(f"{where}: unknown condition attribute(s) {sorted(unknown)}.")
    ref, operator = raw.get("field"), raw.get("operator")
    if not isinstance(ref, str) or not ref:
        errors.add(f"{where}: a condition needs 'field' (a field key).")
        return None
    operator = _OPERATOR_ALIASES.get(operator, operator) if isinstance(operator, str) else operator
    if operator not in OPERATORS:
        errors.add(f"{where}: unknown operator {raw.get('operator')!r}; use one of {sorted(OPERATORS)}.")
        return None
    problem = _value_problem(operator, raw)
    if problem:
        errors.add(f"{where}: operator '{operator}' needs {problem}.")
        return None
    return Condition(field=ref, operator=operator, value=raw.get("value"))


def _value_problem(operator: str, raw: dict[str, Any]) -> str:
    """What the operator's ``value`` lacks, or ``""`` when it is fine."""
    value = raw.get("value")
    if operator in _LIST_OPERATORS:
        return "" if isinstance(value, list) else "a list 'value'"
    if operator in _ORDER_OPERATORS and not (is_number(value) or isinstance(value, str)):
        return "a number or an ISO date 'value'"
    if operator not in _VALUELESS_OPERATORS and "value" not in raw:
        return "a 'value'"
    return ""


def _compare(left: Any, right: Any, greater: bool) -> bool:
    if is_number(left) and is_number(right):
        return bool(left > right) if greater else bool(left < right)
    if isinstance(left, str) and isinstance(right, str):
        return left > right if greater else left < right
    return False


def _equals(value: Any, expected: Any) -> bool:
    """On a list value (checkbox, multiselect) ``equals`` means "contains"; no value equals nothing."""
    return expected in value if isinstance(value, list) else (value is not None and value == expected)


def _shares(value: Any, expected: list[Any]) -> bool:
    values = value if isinstance(value, list) else ([] if value is None else [value])
    return any(item in expected for item in values)


_LEAF_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "empty": lambda value, _: is_empty(value),
    "not_empty": lambda value, _: not is_empty(value),
    "equals": _equals,
    "not_equals": lambda value, expected: not _equals(value, expected),
    "in": _shares,
    "not_in": lambda value, expected: not _shares(value, expected),
    "greater_than": lambda value, expected: value is not None and _compare(value, expected, greater=True),
    "less_than": lambda value, expected: value is not None and _compare(value, expected, greater=False),
}


def holds(condition: Condition, lookup: Callable[[str], Any]) -> bool:
    """Whether ``condition`` holds, ``lookup(key)`` giving a field's value (None when hidden or unanswered)."""
    if condition.field is None:
        results = (holds(child, lookup) for child in condition.children)
        return all(results) if condition.mode == "all" else any(results)
    return _LEAF_TESTS[condition.operator](lookup(condition.field), condition.value)
