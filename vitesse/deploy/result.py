"""What a target reports after applying a deployment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DeployResult:
    container_id: str
    service_url: str
    details: dict[str, Any] = field(default_factory=dict)
