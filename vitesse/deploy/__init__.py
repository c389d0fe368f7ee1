"""Step 5 of the seed, deploy: the tested integration as a running service on its target."""

from vitesse.deploy.step import TARGETS, check_gate, deploy, stop, target_for

__all__ = ["TARGETS", "check_gate", "deploy", "stop", "target_for"]
