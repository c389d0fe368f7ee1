"""Step 5 of the seed, deploy: the tested integration as a running service on its target.

Names are imported on first use: `vitesse status` reads a deployed service's state (`vitesse.deploy.service`)
without loading the targets (httpx, jinja2, kubernetes-validate).
"""

from vitesse.lazy import lazy_names

_LAZY = {name: "vitesse.deploy.step" for name in ("TARGETS", "check_gate", "deploy", "stop", "target_for")}

__all__ = ["TARGETS", "check_gate", "deploy", "stop", "target_for"]


__getattr__, __dir__ = lazy_names("vitesse.deploy", globals(), _LAZY, __all__)
