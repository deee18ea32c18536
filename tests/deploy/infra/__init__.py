"""Template tests of deploy.infra; importing deploy.infra first points jsii at the pinned Node.js."""

import deploy.infra  # noqa: F401
