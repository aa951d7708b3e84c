"""The audit's OS probes: one module per OS (``linux``, ``windows``, ``darwin``).

Each module registers its providers into :mod:`hygie.audit.registry` when imported; the
registry imports only the current OS's module (:func:`hygie.audit.registry.probe_module`).
Probes read the machine through the platform seam's typed services (:func:`hygie.platform.system`,
the pure parsers of :mod:`hygie.platform.parsers`) and run commands through :mod:`hygie.proc`;
:mod:`hygie.audit.probes.commands` holds the one-line command probe and its French reasons.
"""
