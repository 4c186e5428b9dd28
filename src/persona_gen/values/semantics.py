"""What a field *means*, guessed from its name when the schema does not say.

Realism comes from here: an ``email`` looks like an email, a ``country`` like a country.
The table is data, checked in order; the first pattern that matches the snake_case name wins.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["NO_SEMANTIC", "infer_semantic", "meaning", "snake_case"]

# A field's ``semantic: none``: no meaning, not even one guessed from the name (values come
# from the declared constraints alone).
NO_SEMANTIC = "none"

_STRING_RULES: list[tuple[str, str]] = [
    (r"(^|_)(first|given|fore)_?name$", "first_name"),
    (r"(^|_)(last|family|sur)_?name$|^surname$", "last_name"),
    (r"^(full_?name|display_?name|name|contact_name|customer_name|author)$", "full_name"),
    (r"(^|_)(user_?name|login|handle|nickname)$", "username"),
    (r"e_?mail", "email"),
    (r"(^|_)(phone|mobile|tel|telephone|fax|msisdn)(_number)?$", "phone"),
    (r"(^|_)(city|town|site|locality)$", "city"),
    (r"(^|_)country_?(code|iso)$|^iso_?country$", "country_code"),
    (r"(^|_)country$", "country"),
    (r"(^|_)(state|province|region)$", "state"),
    (r"(^|_)(zip|zip_?code|postal_?code|postcode)$", "postal_code"),
    (
        r"(^|_)(street|address_?line_?\d?|address1|address2|street_address|address)$",
        "street_address",
    ),
    (r"(^|_)(company|organi[sz]ation|org|employer|merchant|vendor|supplier)(_name)?$", "company"),
    (r"(^|_)bank(_name)?$", "bank"),
    (r"(^|_)(url|uri|website|homepage|link|href|avatar|image_url)$", "url"),
    (r"(^|_)(host|hostname|domain)$", "hostname"),
    (r"(^|_)(ip|ip_?address|ipv4|remote_addr|client_ip)$", "ipv4"),
    (r"(^|_)ipv6$", "ipv6"),
    (r"(^|_)currency(_code)?$", "currency_code"),
    (r"(^|_)(lang|language|locale)(_code)?$", "language"),
    (r"(^|_)(timezone|tz|time_zone)$", "timezone"),
    (r"(^|_)(user_?agent|ua)$", "user_agent"),
    (r"(^|_)(mime|mime_type|content_type|media_type)$", "mime_type"),
    (r"(^|_)(occupation|job|job_title|profession)$", "occupation"),
    (r"(^|_)(colou?r)$", "color"),
    (r"(^|_)(product|product_name|item_name|title)$", "product"),
    (r"(^|_)(sku)$", "sku"),
    (r"(^|_)(password|passwd|secret|pwd)$", "password"),
    (r"(^|_)(token|api_key|access_token|refresh_token)$", "token"),
    (r"(^|_)(version|app_version|firmware|sw_version)$", "version"),
    (
        r"(^|_)(description|bio|comment|comments|note|notes|message|text|summary|body|content|"
        r"about|details|reason|remarks)$",
        "text",
    ),
    (r"(^|_)(subject|headline|caption|label)$", "title"),
    (r"(^|_)(gender|sex)$", "gender"),
    (r"(^|_)(slug)$", "slug"),
    (r"(^|_)(uuid|guid)$", "uuid"),
    (r"(_at|_time|timestamp|_ts|datetime)$|^(ts|time)$", "date-time"),
    (r"(^|_)(date|dob|birthday|birth_date|birthdate|_date)$|_date$|_on$", "date"),
    (r"(^|_)(id|key|code|ref|reference|number|no)$", "identifier"),
    (r"(^|_)(status|state|type|kind|category|level|tier|plan|role)$", "category"),
]

_NUMBER_RULES: list[tuple[str, str]] = [
    (r"(^|_)age$", "age"),
    (
        r"(^|_)(price|amount|total|cost|balance|salary|fee|subtotal|tax|discount|revenue|"
        r"payment|unit_price)$|_amount$|_price$",
        "price",
    ),
    (r"(^|_)(qty|quantity|count|items|num_\w+|number_of_\w+)$|_count$", "quantity"),
    (r"(^|_)(rating|stars|score)$", "rating"),
    (r"(^|_)(year|yr)$", "year"),
    (r"(^|_)(lat|latitude)$", "latitude"),
    (r"(^|_)(lon|lng|long|longitude)$", "longitude"),
    (r"(^|_)(temp|temperature)(_c)?$|temperature", "temperature"),
    (r"(^|_)(humidity|percent|percentage|pct|ratio)|_pct$", "percentage"),
    (r"(^|_)(battery|battery_level)", "battery"),
    (r"(^|_)(rssi|signal)", "rssi"),
    (r"(^|_)(port)$", "port"),
    (r"(_ms|_millis|duration|latency|elapsed)$", "duration"),
    (r"(_bytes|_size|size)$", "size"),
    (r"(^|_)(id|seq|sequence|offset)$|_id$", "serial"),
]

_COMPILED_STRING = [(re.compile(p), s) for p, s in _STRING_RULES]
_COMPILED_NUMBER = [(re.compile(p), s) for p, s in _NUMBER_RULES]


@cache
def snake_case(name: str) -> str:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


@cache
def infer_semantic(name: str, value_type: str) -> str | None:
    """The meaning of a field called ``name`` holding a ``value_type``, if the name tells."""
    key = snake_case(name)
    rules = _COMPILED_STRING if value_type == "string" else _COMPILED_NUMBER
    if value_type not in ("string", "integer", "number"):
        return None
    for pattern, semantic in rules:
        if pattern.search(key):
            return semantic
    return None


def meaning(declared: str | None, name: str, kind: str) -> str | None:
    """A field's meaning: the one its schema declares, else the one its name suggests
    (none at all for ``semantic: none``)."""
    if declared == NO_SEMANTIC:
        return None
    return declared or infer_semantic(name, kind)
