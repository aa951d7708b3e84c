"""Incident response and the emergency kit (issue #6): ``hygie kit`` and ``hygie incident``.

Before: :mod:`hygie.incident.kit` (contacts, printable kit). During: :mod:`.journal` (hash-chained
journal on a removable medium), :mod:`.guide` (the six steps), :mod:`.network` (isolation),
:mod:`.triage` (read-only snapshot), :mod:`.signs` (``hygie incident check``). After:
:mod:`.report` (cybermalveillance.gouv.fr and CNIL drafts). The audit reads
:mod:`.facts` (M11, M12).
"""
