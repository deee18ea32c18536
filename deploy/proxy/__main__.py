"""Write one environment's rendered proxy configuration: ``python -m deploy.proxy [--env dev] --output FILE``.

Standard library only, so compose can run it in the plain Python image before the proxy starts.
"""

import argparse
from pathlib import Path

from deploy.config import get_config
from deploy.proxy.render import render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", help="the environment whose configuration to render")
    parser.add_argument("--output", type=Path, required=True, help="the file to write")
    args = parser.parse_args()
    args.output.write_text(render(get_config(args.env)))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
