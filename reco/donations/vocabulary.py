"""Names of donor kinds and donation statuses in the user's language."""
from flask_babel import lazy_gettext as _l

from reco.donations.models import DonationStatus, DonorKind

STATUS_LABELS = {
    DonationStatus.PLANNED: _l("planned"),
    DonationStatus.COLLECTED: _l("collected"),
    DonationStatus.RECEIVED: _l("received"),
    DonationStatus.CLOSED: _l("closed"),
}

KIND_LABELS = {
    DonorKind.COMPANY: _l("Company"),
    DonorKind.PUBLIC_BODY: _l("Public body"),
    DonorKind.ASSOCIATION: _l("Association"),
    DonorKind.INDIVIDUAL: _l("Individual"),
}
