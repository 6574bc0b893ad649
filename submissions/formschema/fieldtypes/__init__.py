"""The field types of a form schema, one handler each: type name -> handler (see ``base.FieldType``)."""

from __future__ import annotations

from submissions.formschema.fieldtypes.base import FieldType
from submissions.formschema.fieldtypes.choices import (
    CheckboxType,
    CountryType,
    MultiselectType,
    RadioType,
    SelectType,
    YesNoType,
)
from submissions.formschema.fieldtypes.files import FileType, SignatureType
from submissions.formschema.fieldtypes.numbers import CurrencyType, NumberType, RatingType
from submissions.formschema.fieldtypes.temporal import DatetimeType, DateType, TimeType
from submissions.formschema.fieldtypes.text import EmailType, TelType, TextareaType, TextType, UrlType
from submissions.formschema.tables import TableFillType

FIELD_TYPES: dict[str, FieldType] = {
    handler.name: handler
    for handler in (
        TextType(),
        EmailType(),
        TelType(),
        UrlType(),
        TextareaType(),
        DateType(),
        TimeType(),
        DatetimeType(),
        SelectType(),
        RadioType(),
        CountryType(),
        NumberType(),
        CurrencyType(),
        RatingType(),
        CheckboxType(),
        MultiselectType(),
        YesNoType(),
        FileType(),
        SignatureType(),
        TableFillType(),
    )
}
# The types a table_fill column may have: scalar values only.
COLUMN_TYPES: dict[str, FieldType] = {name: handler for name, handler in FIELD_TYPES.items() if handler.column}
FILE_TYPES = frozenset(name for name, handler in FIELD_TYPES.items() if isinstance(handler, FileType))
