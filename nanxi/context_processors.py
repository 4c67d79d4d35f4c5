"""What every page's header and footer show: the street office's contact settings."""

from django.conf import settings


def site(request):
    """The footer's facts. Settings only: no query, no session (visitors' cache safe)."""
    return {
        "street_office": {
            "address": settings.STREET_OFFICE_ADDRESS,
            "phone": settings.STREET_OFFICE_PHONE,
            "icp": settings.ICP_FILING_NUMBER,
        }
    }


def csrf(request):
    """``{% csrf_token %}`` on a page that may be shared (``nanxi.caching``): a hole,
    filled with this person's token for each request. Elsewhere Django's own."""
    from nanxi import caching

    if caching.holes_mode(request):
        return {"csrf_token": caching.hole(request, "csrf")}
    return {}
