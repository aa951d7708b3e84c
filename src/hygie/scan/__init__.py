"""``hygie scan``: find patient data in files, folders and e-mails (fail closed).

Public API::

    hygie.scan.engine.scan_bytes(data, filename, *, timeout_s=10.0) -> DocumentResult
    hygie.scan.engine.scan_email(raw, *, timeout_s=10.0) -> DocumentResult
    hygie.scan.service.scan_paths(paths, ...) -> ScanReport
"""
