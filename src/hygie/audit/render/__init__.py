"""The audit's renderers: the terminal view and the printable report (HTML, PDF) of an
:class:`hygie.audit.AuditResult`. They only render; the templating and the PDF engines are
core (:mod:`hygie.render`)."""
