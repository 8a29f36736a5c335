"""Column types shared by the models of every feature."""
from sqlalchemy import Enum

#: The key of a Text column's ``info`` that says the longest text it accepts (a String column says it by its length).
MAX_LENGTH = "max_length"


def enum_column(cls, name: str) -> Enum:
    """Store a Python enum by value in a portable string column."""
    return Enum(cls, name=name, native_enum=False, length=max(20, *(len(m.value) for m in cls)),
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


def text_limits(model, names: tuple[str, ...]) -> dict[str, int]:
    """Return the longest text each named column of ``model`` accepts, in that order."""
    columns = model.__table__.columns
    return {name: columns[name].type.length or columns[name].info[MAX_LENGTH] for name in names}
