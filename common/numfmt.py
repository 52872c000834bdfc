"""Numbers as Vietnamese readers write them: a decimal comma ("3,45 V"), in every vi text built on
the server or the gateway (the web apps format with Intl.NumberFormat("vi-VN"), which does the same).
"""


def vi(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals and a decimal comma, e.g. ``vi(3.456, 2) == "3,46"``."""
    return f"{value:.{digits}f}".replace(".", ",")
