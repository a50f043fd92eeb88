"""Text as it may be shown, logged or stored: credentials masked, no terminal escapes.

:func:`mask_url` is the one function every message, log line, stored param and artifact
passes a storage or tracking URL through; :func:`strip_ansi` cleans an exception's text
(TensorFlow colours its messages) before it becomes a trial's reason.
"""

from __future__ import annotations

import re

#: Query parameters whose value is a credential (matched case-insensitively, also as the
#: end of a longer name: ``sslpassword``, ``access_token``, ``api_key``).
SECRET_PARAMS = ("password", "passwd", "pwd", "pass", "token", "secret", "key", "credential")

_USERINFO = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^/?#@\s]*?):(?P<password>[^/?#\s]*)@"
)
_QUERY = re.compile(
    r"(?P<name>[?&;](?:[^=&;#\s]*?)(?:" + "|".join(SECRET_PARAMS) + r"))=(?P<value>[^&;#\s]*)",
    re.IGNORECASE,
)


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def strip_ansi(text: str) -> str:
    """``text`` without ANSI escape sequences (colours, cursor moves, terminal titles)."""
    return _ANSI.sub("", text)


def mask_url(url: str) -> str:
    """Mask the password of ``user:password@`` and the value of secret query params.

    Example:
        >>> mask_url("postgresql://user:secret@host/db?sslmode=require&password=s3")
        'postgresql://user:***@host/db?sslmode=require&password=***'
    """
    if not isinstance(url, str):
        return url
    masked = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)
    return _QUERY.sub(lambda m: f"{m['name']}=***", masked)


def url_secrets(url: str) -> list[str]:
    """The password and secret query values written in ``url`` (to blank them in any text)."""
    found = [m["password"] for m in _USERINFO.finditer(url)]
    found += [m["value"] for m in _QUERY.finditer(url)]
    return [s for s in found if s]


def mask_secrets(text: str, url: str) -> str:
    """``text`` (a driver's error message, say) with every secret of ``url`` masked."""
    for secret in sorted(url_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return mask_url(text)


def mask_password(url: str) -> str:
    """Old name of :func:`mask_url`."""
    return mask_url(url)


__all__ = [
    "SECRET_PARAMS",
    "mask_password",
    "mask_secrets",
    "mask_url",
    "strip_ansi",
    "url_secrets",
]
