import shutil

import pytest

from bot.config import default_prompts_dir
from bot.prompts import PromptError, load_prompts


@pytest.fixture
def prompts_copy(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompts_dir(), folder)
    return folder


def test_the_shipped_prompts_load():
    prompts = load_prompts(default_prompts_dir())
    assert "Never diagnose" in prompts.system
    assert set(prompts.modes) == {"listen", "careful", "crisis", "declined"}


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda f: (f / "messages" / "en.yaml").write_text("about: [unclosed\n"), "not valid YAML at line"),
        (lambda f: (f / "messages" / "en.yaml").write_text("about: only this\n"), "'empty' is missing"),
        (lambda f: (f / "messages" / "en.yaml").write_text("- a list\n"), "must be a mapping"),
        (lambda f: (f / "system.md").unlink(), "Prompt file missing"),
        (lambda f: (f / "modes" / "careful.md").write_text("  \n"), "empty"),
        (lambda f: (f / "system.md").write_bytes(b"\xff\xfe\xfa"), "unreadable"),
    ],
)
def test_a_broken_prompt_file_is_a_clear_error_naming_it(prompts_copy, damage, expected):
    damage(prompts_copy)
    with pytest.raises(PromptError, match=expected) as caught:
        load_prompts(prompts_copy)
    assert str(prompts_copy) in str(caught.value)


def test_an_unknown_placeholder_is_caught_at_start_up(prompts_copy):
    path = prompts_copy / "messages" / "en.yaml"
    path.write_text(path.read_text().replace("the limit is {limit}", "the limit is {limitt}"))
    with pytest.raises(PromptError, match="too_long.*limitt"):
        load_prompts(prompts_copy)
