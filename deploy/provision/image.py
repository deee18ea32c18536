"""The service's first image: named by ``--image``, found in the repository by the commit's tag, or built and
pushed with Docker. Deciding is pure; building is docker's, run as a child process."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.bluegreen.events import Progress
from deploy.provision.errors import ImageError
from deploy.provision.process import process_run

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, kw_only=True)
class ImageChoice:
    repository_uri: str
    tag: str
    build: bool  # not in the repository yet: build it here and push it

    @property
    def uri(self) -> str:
        return f"{self.repository_uri}:{self.tag}"


def repository_uri(*, account: str, region: str, repository: str) -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}"


def image_choose(
    *, given: str | None, repository_uri: str, tags: list[str], commit_tag: str | None, docker: bool
) -> ImageChoice:
    """``given`` (a tag, or a URI in the environment's repository) must be pushed already; without it the
    commit's tag is used if pushed, else built when Docker is here; else the error lists what could be used."""
    if given:
        repository, _, tag = given.rpartition(":") if ":" in given.rsplit("/", 1)[-1] else ("", "", given)
        if repository and repository != repository_uri:
            raise ImageError(
                f"the service runs images from {repository_uri} only (its stack names the tag, not the "
                f"repository); push {given} there and pass --image {repository_uri}:{tag}"
            )
        if tag not in tags:
            raise ImageError(f"no image tagged {tag} in {repository_uri}; push it first, or pass another --image")
        return ImageChoice(repository_uri=repository_uri, tag=tag, build=False)
    if commit_tag and commit_tag in tags:
        return ImageChoice(repository_uri=repository_uri, tag=commit_tag, build=False)
    if commit_tag and docker:
        return ImageChoice(repository_uri=repository_uri, tag=commit_tag, build=True)
    pushed = ", ".join(tags[:5]) or "none"
    why = "Docker is not available here" if commit_tag else "this is not a git checkout"
    raise ImageError(
        f"no image to start the service with: {repository_uri} has no image of this commit and {why} to build "
        f"one. Pushed tags (newest first): {pushed}. Pass --image <tag>, or run where Docker is available"
    )


def commit_tag(root: Path = ROOT) -> str | None:
    """The checkout's short commit hash, the tag docs/deploy.md pushes a first image under."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def build_argv(executable: str, image: ImageChoice, *, platform: str) -> list[str]:
    """The image for ``platform`` whatever this machine is (an arm64 image from Apple silicon stops on x86
    Fargate with ``exec format error``), pushed as a single-platform manifest (``--provenance=false``: no
    attestation index, which ECR's scanning and the repository's lifecycle rule would count as images)."""
    return [
        executable,
        *("buildx", "build", "--platform", platform, "--provenance=false"),
        *("--build-arg", f"RELEASE_VERSION={image.tag}", "-t", image.uri, "--push", str(ROOT)),
    ]


@dataclass(frozen=True, kw_only=True)
class Docker:
    executable: str
    progress: Progress

    def available(self) -> bool:
        """Installed, and its daemon answering."""
        if not shutil.which(self.executable):
            return False
        try:
            return subprocess.run([self.executable, "info"], capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False

    def build_and_push(self, image: ImageChoice, *, platform: str, registry: str, user: str, password: str) -> None:
        """Log in with ECR's token (through stdin, never an argument or a line of output), then build for the
        tasks' ``platform`` and push in one step, as docs/deploy.md and the deploy workflow do."""
        login = [self.executable, "login", "--username", user, "--password-stdin", registry]
        self._check(login, awaited=f"docker login {registry}", stdin_text=password)
        self._check(build_argv(self.executable, image, platform=platform), awaited=f"docker build of {image.uri}")

    def _check(self, argv: list[str], *, awaited: str, stdin_text: str | None = None) -> None:
        finished = process_run(argv, awaited=awaited, progress=self.progress, cwd=ROOT, stdin_text=stdin_text)
        if finished.returncode != 0:
            tail = "\n  | ".join(["", *finished.output[-5:]])
            raise ImageError(f"`docker {argv[1]}` exited {finished.returncode}:{tail}")
