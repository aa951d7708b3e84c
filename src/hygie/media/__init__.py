"""The decontamination station for USB keys and external disks (``hygie media``, measure M06)."""
