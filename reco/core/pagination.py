"""Pagination of lists, the same way on every page."""
from flask import request
from sqlalchemy import func, select

from reco.extensions import db

PER_PAGE = 25


def paginate(query, per_page: int = PER_PAGE):
    """Return the page of ``query`` asked for in ``?page=``, never failing on a bad number."""
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(query, page=max(1, min(page, 100000)), per_page=per_page, error_out=False)


class RowPage:
    """A page of a query that selects several columns (Flask-SQLAlchemy's pagination keeps the first only)."""

    def __init__(self, query, per_page: int = PER_PAGE):
        self.per_page = per_page
        self.total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        self.pages = max(1, -(-self.total // per_page))
        self.page = max(1, min(request.args.get("page", 1, type=int) or 1, self.pages))
        self.items = db.session.execute(query.limit(per_page).offset((self.page - 1) * per_page)).all()
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1
