"""Pagination of lists, the same way on every page."""
from flask import request

from reco.extensions import db

PER_PAGE = 25


def paginate(query, per_page: int = PER_PAGE):
    """Return the page of ``query`` asked for in ``?page=``, never failing on a bad number."""
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(query, page=max(1, min(page, 100000)), per_page=per_page, error_out=False)
