"""Column types shared by the models of every feature."""
from sqlalchemy import Enum


def enum_column(cls, name: str) -> Enum:
    """Store a Python enum by value in a portable string column."""
    return Enum(cls, name=name, native_enum=False, length=max(20, *(len(m.value) for m in cls)),
                values_callable=lambda members: [m.value for m in members], validate_strings=True)
