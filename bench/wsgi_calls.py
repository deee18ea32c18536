"""The app's own share of a request: each endpoint of ``bench.instructions`` called through the WSGI
application in this process, with no server in front. Run under callgrind by ``bench.instructions``
(``python -m bench.wsgi_calls``), with the product's environment already set.

For every endpoint in turn: ``--warm-up`` calls, the count zeroed, ``--requests`` calls, the count dumped,
so callgrind's dump number N holds the calls of endpoint N. The environ carries what gunicorn would pass
for the same request, including a connected socket as ``gunicorn.socket``. Whatever a worker's count has
beyond this one is the serving layer's: gunicorn's HTTP parsing and writing, its poller and the hand-over
to and from a pool thread.
"""

import argparse
import io
import os
import socket
import subprocess
import sys

from bench import instructions, servers

HOST = f"127.0.0.1:{servers.APP_PORT}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--warm-up", type=int, required=True)
    options = parser.parse_args()
    # Imported here: the settings come from the environment bench.instructions gives this process.
    from project.wsgi import application

    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        for _, method, path in instructions.ENDPOINTS:
            for n in range(options.warm_up):
                _call(application, server_side, method, path, n)
            _callgrind("--zero")
            for n in range(options.requests):
                _call(application, server_side, method, path, n)
            _callgrind("--dump")


def _call(application, sock: socket.socket, method: str, path: str, n: int) -> None:
    statuses = []
    body = application(_environ(sock, method, path, n), lambda status, headers, exc_info=None: statuses.append(status))
    try:
        b"".join(body)
    finally:
        body.close()
    if int(statuses[0].split()[0]) >= 300:
        raise RuntimeError(f"{method} {path} answered {statuses[0]}")


def _environ(sock: socket.socket, method: str, path: str, n: int) -> dict:
    """The environ gunicorn builds for the request ``bench.instructions`` sends (http.client's headers)."""
    path_info, _, query = path.partition("?")
    body = instructions.POST_BODY.encode() if method == "POST" else b""
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "RAW_URI": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(servers.APP_PORT),
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "HTTP_HOST": HOST,
        "HTTP_ACCEPT_ENCODING": "identity",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "gunicorn.socket": sock,
    }
    if method == "POST":
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["HTTP_X_FORWARDED_FOR"] = instructions.post_client(n)
    return environ


def _callgrind(option: str) -> None:
    subprocess.run(["callgrind_control", option, str(os.getpid())], check=True, capture_output=True, timeout=120)


if __name__ == "__main__":
    main()
