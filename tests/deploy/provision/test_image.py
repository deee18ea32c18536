"""Choosing the first image: given, found by the commit's tag, or built; otherwise an error saying what to do."""

from __future__ import annotations

import pytest

from deploy.provision.errors import ImageError
from deploy.provision.image import ROOT, ImageChoice, build_argv, image_choose

REPOSITORY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/text-messaging-app-dev"


def test_a_given_tag_or_uri_must_be_pushed_to_the_environment_s_repository():
    chosen = image_choose(
        given=f"{REPOSITORY}:v1", repository_uri=REPOSITORY, tags=["v1"], commit_tag="abc", docker=True
    )
    assert (chosen.tag, chosen.build) == ("v1", False)
    assert image_choose(given="v1", repository_uri=REPOSITORY, tags=["v1"], commit_tag=None, docker=False).tag == "v1"
    with pytest.raises(ImageError, match="no image tagged v9 in"):
        image_choose(given="v9", repository_uri=REPOSITORY, tags=["v1"], commit_tag="abc", docker=True)
    with pytest.raises(ImageError, match=r"runs images from .* only"):
        image_choose(
            given="docker.io/library/app:v1", repository_uri=REPOSITORY, tags=["v1"], commit_tag=None, docker=True
        )


def test_the_commit_s_image_is_used_when_pushed_and_built_when_docker_is_here():
    pushed = image_choose(given=None, repository_uri=REPOSITORY, tags=["abc"], commit_tag="abc", docker=False)
    assert (pushed.uri, pushed.build) == (f"{REPOSITORY}:abc", False)
    built = image_choose(given=None, repository_uri=REPOSITORY, tags=[], commit_tag="abc", docker=True)
    assert built.build


def test_without_docker_or_a_pushed_image_the_error_lists_what_could_be_used():
    with pytest.raises(ImageError, match=r"Docker is not available here.*Pushed tags \(newest first\): v2, v1"):
        image_choose(given=None, repository_uri=REPOSITORY, tags=["v2", "v1"], commit_tag="abc", docker=False)


def test_the_image_is_built_for_the_tasks_platform_and_pushed_as_one_manifest():
    image = ImageChoice(repository_uri=REPOSITORY, tag="abc", build=True)
    argv = build_argv("docker", image, platform="linux/amd64")
    assert argv[:6] == ["docker", "buildx", "build", "--platform", "linux/amd64", "--provenance=false"]
    assert argv[argv.index("-t") + 1] == f"{REPOSITORY}:abc"
    assert argv[argv.index("--build-arg") + 1] == "RELEASE_VERSION=abc"
    assert "--push" in argv
    assert argv[-1] == str(ROOT)
