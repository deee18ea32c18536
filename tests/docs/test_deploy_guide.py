"""docs/deploy.md's commands: the tools and the platform they name are the ones the project pins and runs."""

import re
import shlex

from deploy.config import EnvironmentConfig, get_config
from tests.support.dockerfile import REPO_ROOT

GUIDE = (REPO_ROOT / "docs" / "deploy.md").read_text()


def commands(tool: str) -> list[list[str]]:
    """Every command of the guide's indented code blocks and inline code that runs ``tool``, as words."""
    joined = GUIDE.replace("\\\n", " ")
    blocks = [line.strip() for line in joined.splitlines() if re.match(r"\s{4,}\S", line)]
    lines = blocks + re.findall(r"`([^`]+)`", joined)
    return [shlex.split(line) for line in lines if re.search(rf"(^|/){re.escape(tool)}\s", line)]


def test_cfn_lint_runs_from_the_virtualenv_the_pinned_version_is_installed_in():
    runs = [words for words in commands("cfn-lint") if words[0].endswith("cfn-lint")]
    assert runs
    assert {words[0] for words in runs} == {".venv/bin/cfn-lint"}
    pinned = next(
        line
        for line in (REPO_ROOT / "requirements" / "test.txt").read_text().splitlines()
        if line.startswith("cfn-lint==")
    )
    assert pinned == "cfn-lint==1.58.0"
    assert ".venv/bin/pip install \"$(grep '^cfn-lint==' requirements/test.txt)\"" in GUIDE


def test_the_first_image_is_built_for_the_tasks_platform():
    builds = [words for words in commands("docker") if words[1:3] == ["buildx", "build"]]
    assert builds
    platform = get_config("dev").service.image_platform
    for words in builds:
        assert words[words.index("--platform") + 1] == platform == get_config("prod").service.image_platform
    assert not [words for words in commands("docker") if words[1] == "build"]


def test_an_account_that_already_has_githubs_oidc_provider_is_told_how_to_use_it():
    # CloudFormation refuses a second provider for the same issuer: the guide says how to find the account's
    # own and have the stack trust it instead (tests/deploy/infra/test_https.py synthesizes that shape).
    assert "aws iam list-open-id-connect-providers" in GUIDE
    assert "`create_github_oidc_provider=False`" in GUIDE
    assert "create_github_oidc_provider" in EnvironmentConfig.__dataclass_fields__
