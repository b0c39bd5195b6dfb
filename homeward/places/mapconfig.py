"""The hotspot map's tile server and the Content-Security-Policy it needs.

Pure functions (no Django): settings.py calls `csp_allowing_tiles` while it
is being read. With no tile server configured the map draws the shipped
outlines only, and the policy is left exactly as it was.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def tile_origin(url: str) -> str:
    """The origin (scheme://host[:port]) of a tile URL template such as
    https://{s}.tile.example.org/{z}/{x}/{y}.png; "" when the URL is not an
    absolute http(s) URL. A "{s}" subdomain placeholder becomes a wildcard."""
    url = (url or "").strip()
    if not url:
        return ""
    host_part = url.split("://", 1)
    if len(host_part) != 2 or host_part[0].lower() not in ("http", "https"):
        return ""
    scheme = host_part[0].lower()
    netloc = re.split(r"[/?#]", host_part[1], maxsplit=1)[0]
    netloc = netloc.replace("{s}", "*")
    if not netloc or "{" in netloc or "}" in netloc or "@" in netloc or " " in netloc:
        return ""
    if urlsplit(f"{scheme}://{netloc.replace('*', 'x')}").hostname is None:
        return ""
    return f"{scheme}://{netloc}"


def csp_allowing_tiles(policy: str, tiles_url: str) -> str:
    """The policy with the tile server's origin added to img-src (creating
    the directive from default-src when it is missing)."""
    origin = tile_origin(tiles_url)
    if not origin:
        return policy
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    names = [d.split()[0].lower() for d in directives]
    if "img-src" in names:
        i = names.index("img-src")
        if origin not in directives[i].split()[1:]:
            directives[i] = f"{directives[i]} {origin}"
    else:
        base = "'self'"
        if "default-src" in names:
            base = " ".join(directives[names.index("default-src")].split()[1:]) or "'self'"
        directives.append(f"img-src {base} {origin}")
    return "; ".join(directives)
