"""Free-webmail detection: lives in core (``hygie.webmail``) so the OS probes can use it too."""

from hygie.webmail import WEBMAIL_FILE, is_webmail_domain, webmail_domains

__all__ = ["WEBMAIL_FILE", "is_webmail_domain", "webmail_domains"]
