"""The audit pipeline: facts (probes, module state, answers) -> checks -> measures -> score."""
