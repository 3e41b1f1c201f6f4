"""Skriptoteket's in-container runner (wrapper + child). Kept import-light on purpose."""

__version__ = "0.1.0"

# What a run carries in run.json rather than in the container's environment: a pre-started
# container is created before its run exists, so everything per run arrives on stdin. The wrapper
# reads them from run.json and hands them to the waiting child; each side keeps only these.
RUN_VARIABLES = frozenset(
    ("SKRIPTOTEKET_ENTRYPOINT", "SKRIPTOTEKET_INPUTS", "SKRIPTOTEKET_INPUT_MANIFEST", "SKRIPTOTEKET_ACTION")
)


def only_run_variables(env) -> dict:
    """The run's own variables of `env` (a decoded JSON object): known names, text without NUL."""
    if not isinstance(env, dict):
        return {}
    return {k: v for k, v in env.items() if k in RUN_VARIABLES and isinstance(v, str) and "\0" not in v}
